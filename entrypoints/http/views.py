from typing import Any

import msgspec

from domain.agent import Agent
from domain.call import Call
from domain.publishable_key import NewPublishableKey, PublishableKey
from domain.webhook_delivery import WebhookDelivery
from domain.webhook_endpoint import WebhookEndpoint
from entrypoints.http.schemas import (
    AgentView,
    CallerPermissionsBody,
    CallView,
    CreatedByView,
    PublishableKeyCreated,
    PublishableKeyView,
    WebhookAttemptView,
    WebhookDeliveryView,
    WebhookEndpointCreated,
    WebhookEndpointView,
)


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
    shown = publishable_key_view(minted.key)
    fields = {f: getattr(shown, f) for f in PublishableKeyView.__struct_fields__}
    return PublishableKeyCreated(key=minted.plaintext, **fields)


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
    shown = webhook_endpoint_view(endpoint)
    fields = {f: getattr(shown, f) for f in WebhookEndpointView.__struct_fields__}
    return WebhookEndpointCreated(secret=endpoint.secret, **fields)


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
