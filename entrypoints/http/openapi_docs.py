from typing import Any

from litestar.enums import RequestEncodingType
from litestar.openapi.datastructures import ResponseSpec
from litestar.openapi.spec import Example
from litestar.params import BodyKwarg

from entrypoints.http.problems import PROBLEM_MEDIA_TYPE
from entrypoints.http.schemas import Problem

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]


def problem(description: str) -> ResponseSpec:
    return ResponseSpec(
        data_container=Problem, media_type=PROBLEM_MEDIA_TYPE, description=description
    )


def problems(**by_status: str) -> dict[int, ResponseSpec]:
    """`problems(s404="...")` → {404: problem("...")}: statuses as keyword names."""
    return {int(name.removeprefix("s")): problem(text) for name, text in by_status.items()}


AUTH_PROBLEMS = problems(
    s400="Invalid body, query or path parameter; `errors` names the field",
    s401="Missing or invalid API key",
    s429="Rate limit reached; see Retry-After",
    s503="The database is unavailable; retry after the Retry-After delay",
)


def json_body(**examples: dict[str, Any]) -> BodyKwarg:
    """A JSON request body documented with named examples."""
    return BodyKwarg(
        media_type=RequestEncodingType.JSON,
        examples=[Example(summary=name.replace("_", " "), value=v) for name, v in examples.items()],
    )


TOKEN_BODY = json_body(
    with_metadata={
        "agent_id": "550e8400-e29b-41d4-a716-446655440000",
        "metadata": {"source": "web-app", "user_id": "usr_456"},
    },
    minimal={"agent_id": "550e8400-e29b-41d4-a716-446655440000"},
)
AGENT_BODY = json_body(
    new_agent={
        "name": "Front desk",
        "dispatch_name": "front-desk",
        "default_metadata": {"language": "en"},
    }
)
AGENT_CHANGES = json_body(rename={"name": "Reception"}, redispatch={"dispatch_name": "desk-v2"})
