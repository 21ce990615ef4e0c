class DomainError(Exception):
    """Base of every error the use cases raise on purpose."""


class AuthenticationFailed(DomainError):
    """The API key is missing, malformed, unknown, expired or revoked."""


class AgentNotFound(DomainError):
    """No such agent for this tenant (another tenant's agent looks exactly like this)."""


class TenantNotFound(DomainError):
    pass


class ApiKeyNotFound(DomainError):
    pass


class TokenIssuerNotConfigured(DomainError):
    """The token issuer cannot sign: its configuration is missing or invalid."""


class CallNotCreated(DomainError):
    """The call record could not be stored, so no token may be issued."""


class CallAlreadyStored(CallNotCreated):
    """A call with this id (or its room) is already stored: for an idempotent request whose
    claim was taken over, the other attempt stored it first."""


class InvalidName(DomainError, ValueError):
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


class CallNotFound(DomainError):
    """No such call for this tenant (another tenant's call looks exactly like this)."""


class StorageUnavailable(StorageError):
    """The store could not be reached or did not answer in time: retry later."""


class WebhookRejected(DomainError):
    """A webhook whose signature, body hash or shape does not verify."""


class CallOutcomeUnknown(StorageUnavailable):
    """The call insert did not answer: it may or may not have been stored."""


class DispatchNameTaken(DomainError):
    """The LiveKit agent name is another tenant's, or was released too recently to reuse.
    Answers say only that it is not available."""


class InvalidMetadata(DomainError, ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidCursor(DomainError, ValueError):
    """A page cursor this API did not hand out, or a limit out of range."""


class InvalidIdempotencyKey(DomainError, ValueError):
    pass


class IdempotencyKeyReused(DomainError):
    """The same key came with a different request body."""


class IdempotentRequestInFlight(DomainError):
    """The first request with this key has not finished yet."""


class CallExpired(DomainError):
    """The call's join window has passed: a token for it could no longer connect, so none
    is signed; the caller starts a new call."""


class InvalidCallerPermissions(DomainError, ValueError):
    def __init__(self, field: str, reason: str) -> None:
        super().__init__(f"{field}: {reason}")
        self.field = field
        self.reason = reason


class InvalidOrigin(DomainError, ValueError):
    """An origin a publishable key may not be registered with; names the value and where."""

    def __init__(self, value: str, reason: str, field: str = "origins") -> None:
        super().__init__(f"{value[:100]!r}: {reason}" if value else reason)
        self.value = value
        self.reason = reason
        self.field = field


class PublishableKeyNotFound(DomainError):
    """No such publishable key for this tenant (another tenant's looks exactly like this)."""


class InvalidRequestField(DomainError, ValueError):
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


class InvalidWebhookUrl(DomainError, ValueError):
    """A webhook URL that is not https (or http where private targets are allowed), or whose
    host is or resolves to a loopback, private, link-local, multicast or metadata address."""

    def __init__(self, reason: str, field: str = "url") -> None:
        super().__init__(reason)
        self.field = field


class InvalidWebhookEvent(DomainError, ValueError):
    def __init__(self, name: str, field: str = "events") -> None:
        super().__init__(f"{name[:60]!r} is not an event type")
        self.field = field


class TooManyWebhookEndpoints(DomainError):
    """The tenant has as many webhook endpoints as it may (WEBHOOK_MAX_ENDPOINTS_PER_TENANT)."""

    def __init__(self, limit: int) -> None:
        super().__init__(f"at most {limit} webhook endpoints per tenant")
        self.limit = limit


class WebhookEndpointNotFound(DomainError):
    """No such webhook endpoint for this tenant (another tenant's looks exactly like this)."""


class WebhookDeliveryNotFound(DomainError):
    """No such event delivery for this endpoint of this tenant."""
