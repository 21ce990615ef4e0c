from dataclasses import dataclass
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response

from entrypoints.http.observability import record_problem
from entrypoints.http.request_id import ensure_request_id
from entrypoints.http.schemas import FieldError, Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"


@dataclass(frozen=True, slots=True)
class ProblemKind:
    status: int
    code: str
    detail: str

    @property
    def title(self) -> str:
        return HTTPStatus(self.status).phrase


INVALID_REQUEST = ProblemKind(400, "invalid_request", "The request body is not valid.")
INVALID_METADATA = ProblemKind(400, "invalid_metadata", "The metadata object is not acceptable.")
UNAUTHENTICATED = ProblemKind(
    401, "unauthenticated", "A valid API key is required as 'Authorization: Bearer <key>'."
)
AGENT_NOT_FOUND = ProblemKind(404, "agent_not_found", "No such agent for this API key's tenant.")
NOT_FOUND = ProblemKind(404, "not_found", "No such resource.")
METHOD_NOT_ALLOWED = ProblemKind(405, "method_not_allowed", "This method is not allowed here.")
LIVEKIT_NOT_CONFIGURED = ProblemKind(
    500, "livekit_not_configured", "The service is not configured to issue LiveKit tokens."
)
CALL_NOT_CREATED = ProblemKind(
    500, "call_initialization_failed", "The call could not be stored; no token was issued."
)
INTERNAL_ERROR = ProblemKind(500, "internal_error", "An unexpected error occurred.")
STORAGE_UNAVAILABLE = ProblemKind(
    503, "storage_unavailable", "The database is unavailable; retry shortly."
)


def problem_response(
    request: Request[Any, Any, Any],
    kind: ProblemKind,
    *,
    errors: list[FieldError] | None = None,
    headers: dict[str, str] | None = None,
) -> Response[bytes]:
    record_problem(request, kind.code)
    problem = Problem(
        type=f"urn:realtime-tokens:problem:{kind.code}",
        title=kind.title,
        status=kind.status,
        code=kind.code,
        detail=kind.detail,
        instance=request.url.path,
        request_id=ensure_request_id(request.scope),
        errors=errors,
    )
    return Response(
        content=msgspec.json.encode(problem),
        status_code=kind.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"cache-control": "no-store", **(headers or {})},
    )


def generic_kind(status: int) -> ProblemKind:
    phrase = HTTPStatus(status).phrase
    return ProblemKind(status, phrase.lower().replace(" ", "_").replace("-", "_"), phrase + ".")
