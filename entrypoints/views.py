"""One presenter per resource: the struct each resource is shown as, and the function that
builds it from the domain object. The HTTP routes answer these, the CLI prints them (`--json`)
and webhook bodies carry them, so the three never drift apart."""

from datetime import datetime
from typing import Annotated, Any

import msgspec

from domain.agent import Agent
from domain.api_key import ApiKey, NewApiKey
from domain.call import Call
from domain.caller_permissions import CallerPermissions, TrackSource
from domain.publishable_key import NewPublishableKey, PublishableKey
from domain.tenant import Tenant
from domain.webhook_delivery import WebhookDelivery
from domain.webhook_endpoint import WebhookEndpoint

TrackSources = Annotated[list[TrackSource], msgspec.Meta(min_length=1)]


class CallerPermissionsBody(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """LiveKit's grants for the agent's callers; a member left out takes its default."""

    can_publish_sources: TrackSources = msgspec.field(default_factory=lambda: ["microphone"])
    can_publish_data: bool = False

    def permissions(self) -> CallerPermissions:
        return CallerPermissions(tuple(self.can_publish_sources), self.can_publish_data)


class AgentView(msgspec.Struct, kw_only=True):
    id: str
    name: str
    dispatch_name: str
    default_metadata: dict[str, Any]
    created_at: datetime
    updated_at: datetime | None
    caller_permissions: CallerPermissionsBody


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


def agent_view(agent: Agent) -> AgentView:
    return AgentView(
        id=agent.id,
        name=agent.name,
        dispatch_name=agent.dispatch_name,
        default_metadata=dict(agent.default_metadata),
        created_at=agent.created_at,
        updated_at=agent.updated_at,
        caller_permissions=CallerPermissionsBody(
            can_publish_sources=list(agent.caller_permissions.can_publish_sources),
            can_publish_data=agent.caller_permissions.can_publish_data,
        ),
    )


def call_view(call: Call) -> CallView:
    return CallView(
        id=call.id,
        status=call.status.value,
        agent_id=call.agent_id,
        room_name=call.room_name,
        participant_identity=call.participant_identity,
        metadata=dict(call.metadata),
        created_at=call.created_at,
        expires_at=call.expires_at,
        joined_at=call.joined_at,
        agent_joined_at=call.agent_joined_at,
        ended_at=call.ended_at,
        end_reason=call.end_reason,
        created_by=None
        if call.created_by is None
        else CreatedByView(key_id=call.created_by.key_id, key_kind=call.created_by.key_kind.value),
    )


def publishable_key_view(key: PublishableKey) -> PublishableKeyView:
    return PublishableKeyView(
        id=key.id,
        hint=key.hint,
        origins=list(key.origins),
        agents=list(key.agents),
        allow_native=key.allow_native,
        description=key.description,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )


def created_publishable_key_view(minted: NewPublishableKey) -> PublishableKeyCreated:
    return PublishableKeyCreated(key=minted.plaintext, **_fields(publishable_key_view(minted.key)))


def webhook_endpoint_view(endpoint: WebhookEndpoint) -> WebhookEndpointView:
    return WebhookEndpointView(
        id=endpoint.id,
        url=endpoint.url,
        events=[kind.value for kind in endpoint.events],
        description=endpoint.description,
        disabled=endpoint.disabled,
        disabled_reason=endpoint.disabled_reason,
        created_at=endpoint.created_at,
    )


def created_webhook_endpoint_view(endpoint: WebhookEndpoint) -> WebhookEndpointCreated:
    return WebhookEndpointCreated(
        secret=endpoint.secret, **_fields(webhook_endpoint_view(endpoint))
    )


def webhook_delivery_view(delivery: WebhookDelivery) -> WebhookDeliveryView:
    return WebhookDeliveryView(
        event_id=delivery.event_id,
        event_type=delivery.event_type.value,
        status=delivery.status.value,
        created_at=delivery.created_at,
        next_attempt_at=delivery.next_attempt_at,
        attempts=[
            WebhookAttemptView(
                at=a.at, status_code=a.status_code, error=a.error, latency_ms=a.latency_ms
            )
            for a in delivery.attempts
        ],
    )


def call_document(call: Call) -> dict[str, Any]:
    """The call exactly as GET /v1/calls/{id} answers it, for webhook event bodies."""
    shown: dict[str, Any] = msgspec.to_builtins(call_view(call))
    return shown


class TenantView(msgspec.Struct, kw_only=True):
    id: str
    name: str


def tenant_view(tenant: Tenant) -> TenantView:
    return TenantView(id=tenant.id, name=tenant.name)


class ApiKeyView(msgspec.Struct, kw_only=True):
    """Ids, hints and lifecycle times; never the key (only its hash is stored)."""

    id: str
    hint: str
    created_at: datetime
    expires_at: datetime | None
    revoked_at: datetime | None
    last_used_at: datetime | None


class ApiKeyCreated(ApiKeyView, kw_only=True):
    """`key` is shown here only: it cannot be read again, only replaced."""

    tenant_id: str
    key: str


def api_key_view(key: ApiKey) -> ApiKeyView:
    return ApiKeyView(
        id=key.id,
        hint=key.hint,
        created_at=key.created_at,
        expires_at=key.expires_at,
        revoked_at=key.revoked_at,
        last_used_at=key.last_used_at,
    )


def created_api_key_view(minted: NewApiKey) -> ApiKeyCreated:
    return ApiKeyCreated(
        tenant_id=minted.key.tenant_id, key=minted.plaintext, **_fields(api_key_view(minted.key))
    )


def _fields(view: msgspec.Struct) -> dict[str, Any]:
    return {f: getattr(view, f) for f in view.__struct_fields__}
