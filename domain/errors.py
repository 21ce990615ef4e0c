class DomainError(Exception):
    """Base of every error the use cases raise on purpose."""


class NotFound(DomainError):
    """No such thing for this tenant: another tenant's looks exactly like a missing one.
    `what` names the kind of thing."""

    what = "resource"


class Invalid(DomainError, ValueError):
    """An input the domain refuses; the message says why."""


class Conflict(DomainError):
    """The request clashes with what is stored or still running; `what` names the thing that
    is not available."""

    what = "resource"


class AuthenticationFailed(DomainError):
    """The API key is missing, malformed, unknown, expired or revoked."""


class AgentNotFound(NotFound):
    """No such agent for this tenant (another tenant's agent looks exactly like this)."""

    what = "agent"


class TenantNotFound(NotFound):
    what = "tenant"


class ApiKeyNotFound(NotFound):
    what = "API key"


class TokenIssuerNotConfigured(DomainError):
    """The token issuer cannot sign: its configuration is missing or invalid."""


class CallNotCreated(DomainError):
    """The call record could not be stored, so no token may be issued."""


class CallAlreadyStored(CallNotCreated):
    """A call with this id (or its room) is already stored: for an idempotent request whose
    claim was taken over, the other attempt stored it first."""


class InvalidName(Invalid):
    def __init__(self, reason: str, field: str = "name") -> None:
        super().__init__(reason)
        self.field = field


class StorageError(DomainError):
    """The store failed or could not be reached; the operation may be retried."""


class RateLimited(DomainError):
    def __init__(self, retry_after_seconds: int) -> None:
        super().__init__(f"rate limited; retry after {retry_after_seconds} s")
        self.retry_after_seconds = retry_after_seconds


class TooManyQueuedCalls(DomainError):
    """The tenant already has as many calls waiting for their caller as it may."""


class CallNotFound(NotFound):
    """No such call for this tenant (another tenant's call looks exactly like this)."""

    what = "call"


class StorageUnavailable(StorageError):
    """The store could not be reached or did not answer in time: retry later."""


class UnreadableRecord(StorageError):
    """The one record asked for is stored but this version cannot read it (a field missing or
    of another type): it is neither guessed at nor taken for a missing one. `what` names its
    collection; retrying does not help until the document is fixed (docs/operations.md)."""

    def __init__(self, what: str, record_id: str) -> None:
        super().__init__(f"{what} document {record_id} is unreadable")
        self.what = what
        self.record_id = record_id


class WebhookRejected(DomainError):
    """A webhook whose signature, body hash or shape does not verify."""


class CallOutcomeUnknown(StorageUnavailable):
    """The call insert did not answer: it may or may not have been stored."""


class DispatchNameTaken(Conflict):
    """The LiveKit agent name is another tenant's, or was released too recently to reuse.
    Answers say only that it is not available."""

    what = "dispatch name"


class InvalidMetadata(Invalid):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidCursor(Invalid):
    """A page cursor this API did not hand out, or a limit out of range."""


class InvalidIdempotencyKey(Invalid):
    pass


class IdempotencyKeyReused(DomainError):
    """The same key came with a different request body."""


class IdempotentRequestInFlight(Conflict):
    """The first request with this key has not finished yet."""

    what = "idempotency key"


class CallExpired(DomainError):
    """The call's join window has passed: a token for it could no longer connect, so none
    is signed; the caller starts a new call."""


class InvalidCallerPermissions(Invalid):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidOrigin(Invalid):
    """An origin a publishable key may not be registered with; names the value and where."""

    def __init__(self, value: str, reason: str, field: str = "origins") -> None:
        super().__init__(f"{value[:100]!r}: {reason}" if value else reason)
        self.value = value
        self.reason = reason
        self.field = field


class PublishableKeyNotFound(NotFound):
    """No such publishable key for this tenant (another tenant's looks exactly like this)."""

    what = "publishable key"


class InvalidRequestField(Invalid):
    """One field of a request is out of bounds; `field` names it as the caller sent it."""

    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class AgentNotChosen(DomainError):
    """The request names no agent and its key does not allow exactly one."""


class OriginNotAllowed(DomainError):
    """A publishable key used from an origin it is not bound to (or with no origin at all,
    when it does not allow native apps)."""


class InvalidWebhookUrl(Invalid):
    """A webhook URL that is not https (or http where private targets are allowed), or whose
    host is or resolves to a loopback, private, link-local, multicast or metadata address."""

    def __init__(self, reason: str, field: str = "url") -> None:
        super().__init__(reason)
        self.field = field


class InvalidWebhookEvent(Invalid):
    def __init__(self, name: str, field: str = "events") -> None:
        super().__init__(f"{name[:60]!r} is not an event type")
        self.field = field


class TooManyWebhookEndpoints(Conflict):
    """The tenant has as many webhook endpoints as it may (WEBHOOK_MAX_ENDPOINTS_PER_TENANT)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} webhook endpoints per tenant")
        self.limit = limit

    what = "webhook endpoint"


class WebhookEndpointNotFound(NotFound):
    """No such webhook endpoint for this tenant (another tenant's looks exactly like this)."""

    what = "webhook endpoint"


class WebhookDeliveryNotFound(NotFound):
    """No such event delivery for this endpoint of this tenant."""

    what = "webhook delivery"
