import httpx
import pytest

pytestmark = pytest.mark.e2e


def test_without_dev_there_is_no_demo_page(http: httpx.Client) -> None:
    for path in ("/demo", "/demo/config", "/demo/static/demo.js"):
        assert http.get(path).status_code == 404
