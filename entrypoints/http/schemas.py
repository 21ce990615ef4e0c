import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from application.issue_token import IssuedToken
from domain.caller_permissions import CallerPermissions, TrackSource


class TokenRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Unknown fields are refused, as on every body here: a typo such as `agentId` must not
    pass silently."""

    agent_id: uuid.UUID
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)


class TokenResponse(msgspec.Struct, kw_only=True):
    """`participant_token` repeats `client_token` for LiveKit SDK token sources, which expect
    the standard token-endpoint shape (`server_url` + `participant_token`)."""

    client_token: str
    participant_token: str
    room_name: str
    server_url: str
    call_id: str
    participant_identity: str
    expires_at: datetime

    @classmethod
    def of(cls, issued: IssuedToken) -> "TokenResponse":
        copied = {f: getattr(issued, f) for f in cls.__struct_fields__ if f != "participant_token"}
        return cls(participant_token=issued.client_token, **copied)


class FieldError(msgspec.Struct, kw_only=True, omit_defaults=True):
    message: str
    field: str | None = None


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details, plus a stable machine-readable `code` and the request id."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    instance: str
    request_id: str
    errors: list[FieldError] | None = None


class Health(msgspec.Struct, kw_only=True):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)


class Readiness(Health, kw_only=True):
    database: str  # "external", or "embedded nx-27017" (dev and tests only)


TrackSources = Annotated[list[TrackSource], msgspec.Meta(min_length=1)]


class CallerPermissionsBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """LiveKit's grants for the agent's callers; a member left out takes its default."""

    can_publish_sources: TrackSources = msgspec.field(default_factory=lambda: ["microphone"])
    can_publish_data: bool = False

    def permissions(self) -> CallerPermissions:
        return CallerPermissions(tuple(self.can_publish_sources), self.can_publish_data)


class AgentCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Only these fields are writable: ids, tenant and timestamps are the service's."""

    name: str
    dispatch_name: str | None = None
    default_metadata: dict[str, Any] = msgspec.field(default_factory=dict)
    caller_permissions: CallerPermissionsBody = msgspec.field(default_factory=CallerPermissionsBody)


class AgentPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    name: str | None = None
    dispatch_name: str | None = None
    default_metadata: dict[str, Any] | None = None
    caller_permissions: CallerPermissionsBody | None = None


class AgentView(msgspec.Struct, kw_only=True):
    id: str
    name: str
    dispatch_name: str
    default_metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime | None
    caller_permissions: CallerPermissionsBody


class AgentPage(msgspec.Struct, kw_only=True):
    data: list[AgentView]
    next_cursor: str | None


class CreatedByView(msgspec.Struct, kw_only=True):
    key_id: str
    key_kind: str  # "secret" (rtk_…) or "publishable" (rtpk_…)


AGENT_JOINED_AT = (
    "When the call's agent (LiveKit participant kind AGENT) first joined its room; null until "
    "then. Minus created_at: the time from token to agent."
)
END_REASON = (
    "Why the call ended or expired: agent_never_joined (it ended before any agent joined), "
    "participant_left or participant_connection_aborted (the caller left or dropped), "
    "room_finished, not_joined (expired: the caller never joined); null while open."
)


class CallView(msgspec.Struct, kw_only=True):
    id: str
    status: str
    agent_id: str
    room_name: str
    participant_identity: str
    metadata: dict[str, Any]
    created_at: datetime
    expires_at: datetime
    joined_at: datetime | None
    agent_joined_at: Annotated[datetime | None, msgspec.Meta(description=AGENT_JOINED_AT)]
    ended_at: datetime | None
    end_reason: Annotated[str | None, msgspec.Meta(description=END_REASON)]
    created_by: CreatedByView | None = None  # calls from before keys were recorded have none


class CallPage(msgspec.Struct, kw_only=True):
    data: list[CallView]
    next_cursor: str | None


class WebhookAck(msgspec.Struct, kw_only=True):
    outcome: str


MAX_KEY_ORIGINS = 50
MAX_KEY_AGENTS = 50
MAX_DESCRIPTION_LENGTH = 200


class PublishableKeyCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Each origin is checked by the domain, which names the bad one (`origins[i]`)."""

    origins: Annotated[
        list[str],
        msgspec.Meta(
            max_length=MAX_KEY_ORIGINS,
            description="Exact origins (`scheme://host[:port]`) or `https://*.domain`, where "
            "the domain is not a public suffix (`*.co.uk`, `*.github.io` are refused)",
        ),
    ] = msgspec.field(default_factory=list)
    agents: Annotated[list[str], msgspec.Meta(max_length=MAX_KEY_AGENTS)] = msgspec.field(
        default_factory=list
    )
    allow_native: bool = False
    description: Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION_LENGTH)] | None = None


class PublishableKeyView(msgspec.Struct, kw_only=True):
    id: str
    hint: str
    origins: list[str]
    agents: list[str]
    allow_native: bool
    description: str | None
    created_at: datetime
    revoked_at: datetime | None


class PublishableKeyCreated(PublishableKeyView, kw_only=True):
    """`key` is shown here only: it cannot be read again, only replaced."""

    key: str


class PublishableKeyPage(msgspec.Struct, kw_only=True):
    data: list[PublishableKeyView]
    next_cursor: str | None


MAX_WEBHOOK_URL_LENGTH = 2048
EventTypes = Annotated[list[str], msgspec.Meta(max_length=10)]


class WebhookEndpointCreate(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """The secret is the service's to mint; `events` left out or empty: every event type."""

    url: Annotated[str, msgspec.Meta(max_length=MAX_WEBHOOK_URL_LENGTH)]
    events: EventTypes = msgspec.field(default_factory=list)
    description: Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION_LENGTH)] | None = None


class WebhookEndpointPatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    url: Annotated[str, msgspec.Meta(max_length=MAX_WEBHOOK_URL_LENGTH)] | None = None
    events: EventTypes | None = None
    description: Annotated[str, msgspec.Meta(max_length=MAX_DESCRIPTION_LENGTH)] | None = None
    disabled: bool | None = None


class WebhookEndpointView(msgspec.Struct, kw_only=True):
    id: str
    url: str
    events: list[str]
    description: str | None
    disabled: bool
    disabled_reason: str | None
    created_at: datetime


class WebhookEndpointCreated(WebhookEndpointView, kw_only=True):
    """`secret` is shown here only (and by rotate-secret): it cannot be read again."""

    secret: str


class WebhookSecret(msgspec.Struct, kw_only=True):
    secret: str
    previous_secret_expires_at: datetime | None


class WebhookEndpointPage(msgspec.Struct, kw_only=True):
    data: list[WebhookEndpointView]
    next_cursor: str | None


class WebhookAttemptView(msgspec.Struct, kw_only=True):
    at: datetime
    status_code: int | None
    error: str | None
    latency_ms: int


class WebhookDeliveryView(msgspec.Struct, kw_only=True):
    event_id: str
    event_type: str
    status: str
    created_at: datetime
    next_attempt_at: datetime | None
    attempts: list[WebhookAttemptView]


class WebhookDeliveryPage(msgspec.Struct, kw_only=True):
    data: list[WebhookDeliveryView]
    next_cursor: str | None
