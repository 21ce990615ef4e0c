import uuid
from datetime import datetime
from typing import Annotated, Any

import msgspec

from application.issue_token import IssuedToken
from entrypoints.views import (
    AgentView,
    CallerPermissionsBody,
    CallView,
    PublishableKeyView,
    WebhookDeliveryView,
    WebhookEndpointView,
)


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
        return cls(
            client_token=issued.client_token,
            participant_token=issued.client_token,
            room_name=issued.room_name,
            server_url=issued.server_url,
            call_id=issued.call_id,
            participant_identity=issued.participant_identity,
            expires_at=issued.expires_at,
        )


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


class AgentPage(msgspec.Struct, kw_only=True):
    data: list[AgentView]
    next_cursor: str | None


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


class WebhookSecret(msgspec.Struct, kw_only=True):
    secret: str
    previous_secret_expires_at: datetime | None


class WebhookEndpointPage(msgspec.Struct, kw_only=True):
    data: list[WebhookEndpointView]
    next_cursor: str | None


class WebhookDeliveryPage(msgspec.Struct, kw_only=True):
    data: list[WebhookDeliveryView]
    next_cursor: str | None
