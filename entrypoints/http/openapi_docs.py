from litestar.openapi.datastructures import ResponseSpec

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
    s401="Missing or invalid API key",
    s429="Rate limit reached; see Retry-After",
    s503="The database is unavailable; retry after the Retry-After delay",
)
