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


INVALID_REQUEST = ProblemKind(400, "invalid_request", "The request is not valid.")
INVALID_METADATA = ProblemKind(400, "invalid_metadata", "The metadata object is not acceptable.")
UNAUTHENTICATED = ProblemKind(
    401, "unauthenticated", "A valid API key is required as 'Authorization: Bearer <key>'."
)
INVALID_IDEMPOTENCY_KEY = ProblemKind(
    400, "invalid_idempotency_key", "An Idempotency-Key is 1 to 255 visible ASCII characters."
)
IDEMPOTENCY_KEY_IN_FLIGHT = ProblemKind(
    409, "idempotency_key_in_flight", "A request with this Idempotency-Key is still running."
)
IDEMPOTENCY_KEY_REUSED = ProblemKind(
    422, "idempotency_key_reused", "This Idempotency-Key was used with a different body."
)
TOO_MANY_QUEUED_CALLS = ProblemKind(
    429, "too_many_queued_calls", "Too many calls are waiting for their caller to join."
)
INVALID_SIGNATURE = ProblemKind(
    401, "invalid_signature", "The LiveKit webhook signature does not verify."
)
INVALID_CURSOR = ProblemKind(400, "invalid_cursor", "The cursor or limit is not valid.")
INVALID_NAME = ProblemKind(400, "invalid_name", "A name or dispatch name is not valid.")
DISPATCH_NAME_TAKEN = ProblemKind(
    409, "dispatch_name_taken", "This dispatch name is not available; choose another."
)
CALL_NOT_FOUND = ProblemKind(404, "call_not_found", "No such call for this API key's tenant.")
AGENT_NOT_FOUND = ProblemKind(404, "agent_not_found", "No such agent for this API key's tenant.")
NOT_FOUND = ProblemKind(404, "not_found", "No such resource.")
METHOD_NOT_ALLOWED = ProblemKind(405, "method_not_allowed", "This method is not allowed here.")
PAYLOAD_TOO_LARGE = ProblemKind(413, "payload_too_large", "The request body is over 64 KiB.")
UNSUPPORTED_MEDIA_TYPE = ProblemKind(
    415, "unsupported_media_type", "Send the body as application/json."
)
RATE_LIMITED = ProblemKind(
    429, "rate_limited", "Too many requests for this API key; retry after the Retry-After delay."
)
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
