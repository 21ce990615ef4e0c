import httpx
import pytest

pytestmark = pytest.mark.e2e


def test_without_dev_there_is_no_demo_page_and_no_demo_token_route(http: httpx.Client) -> None:
    assert http.get("/demo").status_code == 404
    assert http.get("/demo/static/demo.js").status_code == 404
    response = http.post("/demo/token", json={"agent_id": "550e8400-e29b-41d4-a716-446655440000"})
    assert response.status_code == 404
