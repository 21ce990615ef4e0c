import logging
import re
from collections.abc import Callable
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException, ValidationException
from litestar.status_codes import (
    HTTP_400_BAD_REQUEST,
    HTTP_404_NOT_FOUND,
    HTTP_405_METHOD_NOT_ALLOWED,
    HTTP_413_REQUEST_ENTITY_TOO_LARGE,
    HTTP_415_UNSUPPORTED_MEDIA_TYPE,
)

from domain.errors import (
    AgentNotFound,
    AuthenticationFailed,
    CallNotCreated,
    CallNotFound,
    DispatchNameTaken,
    InvalidName,
    RateLimited,
    StorageError,
    StorageUnavailable,
    TokenIssuerNotConfigured,
    TooManyQueuedCalls,
    WebhookRejected,
)
from domain.idempotency import (
    IdempotencyKeyReused,
    IdempotentRequestInFlight,
    InvalidIdempotencyKey,
)
from domain.metadata import InvalidMetadata
from domain.pagination import InvalidCursor
from entrypoints.http import problems
from entrypoints.http.schemas import FieldError

logger = logging.getLogger("realtime_tokens.http")

AnyRequest = Request[Any, Any, Any]
Handler = Callable[[AnyRequest, Any], Response[bytes]]
STORAGE_RETRY_AFTER_SECONDS = "2"


def _rate_limited(request: AnyRequest, error: RateLimited) -> Response[bytes]:
    retry_after = {"retry-after": str(error.retry_after_seconds)}
    return problems.problem_response(request, problems.RATE_LIMITED, headers=retry_after)


def _kind_handler(kind: problems.ProblemKind, headers: dict[str, str] | None = None) -> Handler:
    def handle(request: AnyRequest, _: Exception) -> Response[bytes]:
        return problems.problem_response(request, kind, headers=headers)

    return handle


def _invalid_metadata(request: AnyRequest, error: InvalidMetadata) -> Response[bytes]:
    errors = [FieldError(field=error.field, message=error.reason)]
    return problems.problem_response(request, problems.INVALID_METADATA, errors=errors)


_MISSING_FIELD = re.compile(r"^Object missing required field `([^`]+)`")
_UNKNOWN_FIELD = re.compile(r"^Object contains unknown field `([^`]+)`")


def _invalid_name(request: AnyRequest, error: InvalidName) -> Response[bytes]:
    errors = [FieldError(field=error.field, message=str(error))]
    return problems.problem_response(request, problems.INVALID_NAME, errors=errors)


def _webhook_rejected(request: AnyRequest, error: WebhookRejected) -> Response[bytes]:
    logger.warning("webhook rejected: %s", error)
    return problems.problem_response(request, problems.INVALID_SIGNATURE)


def _field_error(item: dict[str, Any]) -> FieldError:
    message = str(item.get("message", "is not valid"))
    field = str(item.get("key") or "body")
    if missing := _MISSING_FIELD.match(message):
        return FieldError(field=missing.group(1), message="is required")
    if unknown := _UNKNOWN_FIELD.match(message):
        return FieldError(field=unknown.group(1), message="is not a field of this body")
    if field == "data":
        empty = message == "'data'"
        return FieldError(field="body", message="is empty" if empty else message)
    return FieldError(field=field, message=message)


def _invalid_request(request: AnyRequest, error: ValidationException) -> Response[bytes]:
    extra = error.extra if isinstance(error.extra, list) else []
    errors = [_field_error(item) for item in extra if isinstance(item, dict)]
    if errors and all(e.field == "idempotency_key" for e in errors):
        return problems.problem_response(request, problems.INVALID_IDEMPOTENCY_KEY, errors=errors)
    return problems.problem_response(
        request,
        problems.INVALID_REQUEST,
        errors=errors or [FieldError(field="body", message="is not valid")],
    )


def _livekit_not_configured(
    request: AnyRequest, error: TokenIssuerNotConfigured
) -> Response[bytes]:
    logger.error("token issuer not configured: %s", error)
    return problems.problem_response(request, problems.LIVEKIT_NOT_CONFIGURED)


def _call_not_created(request: AnyRequest, error: CallNotCreated) -> Response[bytes]:
    logger.error("call insert failed: %r", error.__cause__)
    return problems.problem_response(request, problems.CALL_NOT_CREATED)


def _storage_unavailable(request: AnyRequest, error: StorageUnavailable) -> Response[bytes]:
    logger.error("storage unavailable: %s (%r)", error, error.__cause__)
    return problems.problem_response(
        request, problems.STORAGE_UNAVAILABLE, headers={"retry-after": STORAGE_RETRY_AFTER_SECONDS}
    )


def _storage_failed(request: AnyRequest, error: StorageError) -> Response[bytes]:
    logger.error("storage failed: %s (%r)", error, error.__cause__)
    return problems.problem_response(request, problems.INTERNAL_ERROR)


def _http_exception(request: AnyRequest, error: HTTPException) -> Response[bytes]:
    if error.status_code >= 500:
        return _unexpected(request, error)
    if error.status_code == HTTP_400_BAD_REQUEST:
        return _unreadable_body(request, error)
    kind = {
        HTTP_404_NOT_FOUND: problems.NOT_FOUND,
        HTTP_405_METHOD_NOT_ALLOWED: problems.METHOD_NOT_ALLOWED,
        HTTP_413_REQUEST_ENTITY_TOO_LARGE: problems.PAYLOAD_TOO_LARGE,
        HTTP_415_UNSUPPORTED_MEDIA_TYPE: problems.UNSUPPORTED_MEDIA_TYPE,
    }.get(error.status_code) or problems.generic_kind(error.status_code)
    return problems.problem_response(request, kind, headers=error.headers)


def _unreadable_body(request: AnyRequest, _: Exception) -> Response[bytes]:
    unreadable = FieldError(field="body", message="is not a readable JSON document")
    return problems.problem_response(request, problems.INVALID_REQUEST, errors=[unreadable])


def _too_deep(request: AnyRequest, _: RecursionError) -> Response[bytes]:
    errors = [FieldError(field="body", message="nests too deeply")]
    return problems.problem_response(request, problems.INVALID_REQUEST, errors=errors)


def _unexpected(request: AnyRequest, error: Exception) -> Response[bytes]:
    logger.exception("unhandled error", exc_info=error)
    return problems.problem_response(request, problems.INTERNAL_ERROR)


EXCEPTION_HANDLERS: dict[type[Exception], Handler] = {
    AuthenticationFailed: _kind_handler(
        problems.UNAUTHENTICATED, {"www-authenticate": 'Bearer realm="api"'}
    ),
    RateLimited: _rate_limited,
    AgentNotFound: _kind_handler(problems.AGENT_NOT_FOUND),
    CallNotFound: _kind_handler(problems.CALL_NOT_FOUND),
    DispatchNameTaken: _kind_handler(problems.DISPATCH_NAME_TAKEN),
    InvalidIdempotencyKey: _kind_handler(problems.INVALID_IDEMPOTENCY_KEY),
    IdempotencyKeyReused: _kind_handler(problems.IDEMPOTENCY_KEY_REUSED),
    IdempotentRequestInFlight: _kind_handler(
        problems.IDEMPOTENCY_KEY_IN_FLIGHT, {"retry-after": "1"}
    ),
    TooManyQueuedCalls: _kind_handler(problems.TOO_MANY_QUEUED_CALLS, {"retry-after": "5"}),
    InvalidMetadata: _invalid_metadata,
    InvalidName: _invalid_name,
    InvalidCursor: _kind_handler(problems.INVALID_CURSOR),
    WebhookRejected: _webhook_rejected,
    ValidationException: _invalid_request,
    TokenIssuerNotConfigured: _livekit_not_configured,
    CallNotCreated: _call_not_created,
    StorageUnavailable: _storage_unavailable,
    StorageError: _storage_failed,
    HTTPException: _http_exception,
    RecursionError: _too_deep,  # msgspec decoding a body nested ~1000 levels deep
    UnicodeDecodeError: _unreadable_body,  # msgspec decoding a body that is not UTF-8
    Exception: _unexpected,
}
