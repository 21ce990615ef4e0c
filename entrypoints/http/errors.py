"""The one error table: every exception a route can raise → its problem (status, code,
detail, headers, log level). The exception handler (`error_handler.py`) and each route's
OpenAPI `responses=` are both built from it, and a test holds the README's error table to it.
How validation messages become `errors[]` is `validation_errors.py`'s."""

import logging

from litestar.exceptions import MethodNotAllowedException, NotFoundException, ValidationException
from litestar.exceptions.http_exceptions import RequestEntityTooLarge
from litestar.openapi.datastructures import ResponseSpec

from domain.errors import (
    AgentNotChosen,
    AgentNotFound,
    AuthenticationFailed,
    CallExpired,
    CallNotCreated,
    CallNotFound,
    DispatchNameTaken,
    IdempotencyKeyReused,
    IdempotentRequestInFlight,
    InvalidCallerPermissions,
    InvalidCursor,
    InvalidIdempotencyKey,
    InvalidMetadata,
    InvalidName,
    InvalidOrigin,
    InvalidRequestField,
    InvalidWebhookEvent,
    InvalidWebhookUrl,
    OriginNotAllowed,
    PublishableKeyNotFound,
    RateLimited,
    StorageError,
    StorageUnavailable,
    TokenIssuerNotConfigured,
    TooManyQueuedCalls,
    TooManyWebhookEndpoints,
    UnreadableRecord,
    WebhookDeliveryNotFound,
    WebhookEndpointNotFound,
    WebhookRejected,
)
from entrypoints.http.json_body import DuplicateKey, UnsupportedMediaType
from entrypoints.http.loopback_host import HostNotAllowed
from entrypoints.http.problems import PROBLEM_MEDIA_TYPE, ProblemKind
from entrypoints.http.schemas import FieldError, Problem
from entrypoints.http.validation_errors import body_error, validation_errors

STORAGE_RETRY_AFTER_SECONDS = "2"

_INVALID_CODE, _INVALID = "invalid_request", "The request is not valid."
INVALID_REQUEST = ProblemKind(400, _INVALID_CODE, _INVALID, errors=validation_errors)
UNREADABLE_BODY = ProblemKind(
    400, _INVALID_CODE, _INVALID, errors=lambda _: body_error("is not a readable JSON document")
)
INTERNAL_ERROR = ProblemKind(
    500, "internal_error", "An unexpected error occurred.", log_level=logging.ERROR
)

PROBLEMS: dict[type[BaseException], ProblemKind] = {
    ValidationException: INVALID_REQUEST,
    RecursionError: ProblemKind(  # msgspec decoding a body nested ~1000 levels deep
        400, _INVALID_CODE, _INVALID, errors=lambda _: body_error("nests too deeply")
    ),
    UnicodeDecodeError: UNREADABLE_BODY,  # msgspec decoding a body that is not UTF-8
    DuplicateKey: ProblemKind(
        400,
        _INVALID_CODE,
        _INVALID,
        errors=lambda e: [FieldError(field=e.key, message="appears more than once in an object")],
    ),
    InvalidMetadata: ProblemKind(
        400,
        "invalid_metadata",
        "The metadata object is not acceptable.",
        errors=lambda e: [FieldError(field=e.field, message=e.reason)],
    ),
    InvalidCallerPermissions: ProblemKind(
        400, _INVALID_CODE, _INVALID, errors=lambda e: [FieldError(field=e.field, message=e.reason)]
    ),
    InvalidRequestField: ProblemKind(
        400, _INVALID_CODE, _INVALID, errors=lambda e: [FieldError(field=e.field, message=e.reason)]
    ),
    AgentNotChosen: ProblemKind(
        400,
        _INVALID_CODE,
        _INVALID,
        errors=lambda _: [
            FieldError(
                field="room_config.agents",
                message="name the agent (agent_name): this key may call more than one",
            )
        ],
    ),
    InvalidName: ProblemKind(
        400,
        "invalid_name",
        "A name or dispatch name is not valid.",
        errors=lambda e: [FieldError(field=e.field, message=str(e))],
    ),
    InvalidCursor: ProblemKind(400, "invalid_cursor", "The cursor or limit is not valid."),
    InvalidOrigin: ProblemKind(
        400,
        "invalid_origin",
        "An origin is scheme://host[:port] (http or https) or https://*.domain, "
        "the domain not a public suffix.",
        errors=lambda e: [FieldError(field=e.field, message=str(e))],
    ),
    InvalidWebhookUrl: ProblemKind(
        400,
        "invalid_webhook_url",
        "A webhook URL is a plain https URL whose host resolves to public addresses only.",
        errors=lambda e: [FieldError(field=e.field, message=str(e))],
    ),
    InvalidWebhookEvent: ProblemKind(
        400,
        "invalid_webhook_event",
        "An event type is call.created, call.started, call.ended or call.expired.",
        errors=lambda e: [FieldError(field=e.field, message=str(e))],
    ),
    InvalidIdempotencyKey: ProblemKind(
        400,
        "invalid_idempotency_key",
        "An Idempotency-Key is 1 to 255 visible ASCII characters.",
        errors=lambda e: [FieldError(field="idempotency_key", message=str(e))],
    ),
    AuthenticationFailed: ProblemKind(
        401,
        "unauthenticated",
        "A valid API key is required as 'Authorization: Bearer <key>'.",
        headers={"www-authenticate": 'Bearer realm="api"'},
    ),
    WebhookRejected: ProblemKind(
        401,
        "invalid_signature",
        "The LiveKit webhook signature does not verify.",
        log_level=logging.WARNING,
    ),
    CallExpired: ProblemKind(
        410,
        "call_expired",
        "The call of this Idempotency-Key is past its join window; start a new call.",
    ),
    OriginNotAllowed: ProblemKind(
        403,
        "origin_not_allowed",
        "This publishable key may not be used from this origin (or without one).",
    ),
    AgentNotFound: ProblemKind(404, "agent_not_found", "No such agent for this API key's tenant."),
    CallNotFound: ProblemKind(404, "call_not_found", "No such call for this API key's tenant."),
    PublishableKeyNotFound: ProblemKind(
        404, "publishable_key_not_found", "No such publishable key for this API key's tenant."
    ),
    WebhookEndpointNotFound: ProblemKind(
        404, "webhook_endpoint_not_found", "No such webhook endpoint for this API key's tenant."
    ),
    WebhookDeliveryNotFound: ProblemKind(
        404, "webhook_delivery_not_found", "No such event was sent to this webhook endpoint."
    ),
    NotFoundException: ProblemKind(404, "not_found", "No such resource."),
    MethodNotAllowedException: ProblemKind(
        405,
        "method_not_allowed",
        "This method is not allowed here.",
        headers_of=lambda e: e.headers or {},
    ),
    DispatchNameTaken: ProblemKind(
        409, "dispatch_name_taken", "This dispatch name is not available; choose another."
    ),
    TooManyWebhookEndpoints: ProblemKind(
        409,
        "webhook_endpoint_limit_reached",
        "This tenant has as many webhook endpoints as it may; delete one first.",
        errors=lambda e: [FieldError(field="body", message=str(e))],
    ),
    IdempotentRequestInFlight: ProblemKind(
        409,
        "idempotency_key_in_flight",
        "A request with this Idempotency-Key is still running.",
        headers={"retry-after": "1"},
    ),
    RequestEntityTooLarge: ProblemKind(
        413, "payload_too_large", "The request body is over 64 KiB."
    ),
    UnsupportedMediaType: ProblemKind(
        415,
        "unsupported_media_type",
        "Send the body as application/json.",
        headers={"accept-post": "application/json"},
    ),
    HostNotAllowed: ProblemKind(
        421,
        "host_not_allowed",
        "The dev demo answers only to localhost, 127.0.0.1 or [::1].",
    ),
    IdempotencyKeyReused: ProblemKind(
        422, "idempotency_key_reused", "This Idempotency-Key was used with a different body."
    ),
    RateLimited: ProblemKind(
        429,
        "rate_limited",
        "Too many requests for this API key; retry after the Retry-After delay.",
        headers_of=lambda e: {"retry-after": str(e.retry_after_seconds)},
    ),
    TooManyQueuedCalls: ProblemKind(
        429,
        "too_many_queued_calls",
        "Too many calls are waiting for their caller to join.",
        headers={"retry-after": "5"},
    ),
    TokenIssuerNotConfigured: ProblemKind(
        500,
        "livekit_not_configured",
        "The service is not configured to issue LiveKit tokens.",
        log_level=logging.ERROR,
    ),
    CallNotCreated: ProblemKind(
        500,
        "call_initialization_failed",
        "The call could not be stored; no token was issued.",
        log_level=logging.ERROR,
    ),
    StorageError: INTERNAL_ERROR,
    UnreadableRecord: ProblemKind(
        500,
        "unreadable_record",
        "A stored record this request needs cannot be read; the operator has been told.",
    ),
    StorageUnavailable: ProblemKind(
        503,
        "storage_unavailable",
        "The database is unavailable; retry shortly.",
        headers={"retry-after": STORAGE_RETRY_AFTER_SECONDS},
        log_level=logging.ERROR,
    ),
    Exception: INTERNAL_ERROR,
}

# What each kind of route can answer, for its `responses=`.
# Every authenticated request reads its key's record, which may be the unreadable one.
AUTHENTICATED = (
    AuthenticationFailed,
    RateLimited,
    StorageUnavailable,
    StorageError,
    UnreadableRecord,
)
JSON_BODY = (ValidationException, DuplicateKey, RequestEntityTooLarge, UnsupportedMediaType)
QUERY = (ValidationException,)


Raised = type[BaseException] | tuple[type[BaseException], ...]


def responses(*raised: Raised) -> dict[int, ResponseSpec]:
    """OpenAPI `responses=` for a route that can raise these exceptions: one problem response
    per status, naming every code it can carry."""
    kinds: dict[int, dict[str, ProblemKind]] = {}
    for item in raised:
        for error in item if isinstance(item, tuple) else (item,):
            kind = PROBLEMS[error]
            kinds.setdefault(kind.status, {})[kind.code] = kind
    return {
        status: ResponseSpec(
            data_container=Problem,
            media_type=PROBLEM_MEDIA_TYPE,
            description=" ".join(f"`{k.code}`: {k.detail}" for k in by_code.values()),
        )
        for status, by_code in sorted(kinds.items())
    }
