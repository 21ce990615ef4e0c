"""The OpenAPI document and the README's error table both come from the one error table."""

import re
from pathlib import Path

import httpx

from entrypoints.http.errors import PROBLEMS

OPERATIONS = {("/metrics", "get"), ("/healthz", "get"), ("/readyz", "get")}
README = Path(__file__).resolve().parents[2] / "README.md"


async def test_openapi_documents_every_route_with_examples_and_problem_schemas(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    documented = {(path, method) for path, item in schema["paths"].items() for method in item}
    assert documented >= {
        ("/v1/realtime/token", "post"),
        ("/v1/webrtc/token", "post"),
        ("/v1/agents", "post"),
        ("/v1/agents", "get"),
        ("/v1/agents/{agent_id}", "get"),
        ("/v1/agents/{agent_id}", "patch"),
        ("/v1/agents/{agent_id}", "delete"),
        ("/v1/calls", "get"),
        ("/v1/calls/{call_id}", "get"),
        ("/v1/livekit/webhook", "post"),
        ("/v1/publishable-keys", "post"),
        ("/v1/publishable-keys", "get"),
        ("/v1/publishable-keys/{key_id}", "delete"),
    }
    for path, method in documented - OPERATIONS:
        responses = schema["paths"][path][method]["responses"]
        problems = [r for status, r in responses.items() if status.startswith(("4", "5"))]
        assert problems, (path, method)
        for problem in problems:
            assert problem["content"]["application/problem+json"]["schema"] == {
                "$ref": "#/components/schemas/Problem"
            }, (path, method)
    for path in ("/v1/realtime/token", "/v1/webrtc/token"):
        statuses = set(schema["paths"][path]["post"]["responses"])
        assert statuses == {
            "200",
            "400",
            "401",
            "404",
            "409",
            "410",
            "413",
            "415",
            "422",
            "429",
            "500",
            "503",
        }
    for path, method in [
        ("/v1/realtime/token", "post"),
        ("/v1/agents", "post"),
        ("/v1/publishable-keys", "post"),
    ]:
        body = schema["paths"][path][method]["requestBody"]["content"]["application/json"]
        assert body["schema"]["examples"], path
    assert schema["components"]["securitySchemes"]["bearerAuth"]["scheme"] == "bearer"


async def test_a_routes_problem_responses_name_the_codes_of_the_table(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    responses = schema["paths"]["/v1/realtime/token"]["post"]["responses"]
    too_many = responses["429"]["description"]
    assert "`rate_limited`" in too_many
    assert "`too_many_queued_calls`" in too_many
    assert "`invalid_idempotency_key`" in responses["400"]["description"]


def _readme_error_rows() -> set[tuple[int, str]]:
    rows = set()
    for line in README.read_text(encoding="utf-8").splitlines():
        if row := re.match(r"^\| ([45]\d\d) \| (.+?) \|", line):
            rows |= {(int(row.group(1)), code) for code in re.findall(r"`([a-z_]+)`", row.group(2))}
    return rows


def test_the_readme_error_table_is_the_error_table() -> None:
    assert _readme_error_rows() == {(kind.status, kind.code) for kind in PROBLEMS.values()}


async def test_the_call_schema_documents_its_agent_and_end_reasons(
    client: httpx.AsyncClient,
) -> None:
    schema = (await client.get("/schema/openapi.json")).json()
    call = schema["components"]["schemas"]["CallView"]
    assert "agent_joined_at" in call["required"]
    assert "AGENT" in call["properties"]["agent_joined_at"]["description"]
    reasons = call["properties"]["end_reason"]["description"]
    assert "agent_never_joined" in reasons
    assert "participant_left" in reasons
