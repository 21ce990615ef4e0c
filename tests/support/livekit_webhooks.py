"""Webhook deliveries signed the way livekit-server signs them."""

import base64
import hashlib
import time
import uuid
from collections.abc import Mapping

from google.protobuf.json_format import MessageToJson
from livekit.api import AccessToken, ParticipantInfo, Room, WebhookEvent

from adapters.livekit.settings import LiveKitSettings


def webhook_body(
    event: str,
    room_name: str,
    identity: str | None = None,
    event_id: str | None = None,
    created_at: int | None = None,
    kind: int = ParticipantInfo.Kind.STANDARD,
    attributes: Mapping[str, str] | None = None,
    sid: str | None = None,
) -> bytes:
    """As livekit-server's protojson: camelCase names, enums by name (`"kind": "AGENT"`); the
    participant's SID names its session, a new one unless told."""
    message = WebhookEvent(
        event=event,
        room=Room(name=room_name),
        id=event_id or f"EV_{uuid.uuid4().hex[:12]}",
        created_at=int(time.time()) if created_at is None else created_at,
    )
    if identity is not None:
        participant = ParticipantInfo(
            sid=sid or f"PA_{uuid.uuid4().hex[:12]}",
            identity=identity,
            kind=kind,  # type: ignore[arg-type]
            attributes=attributes,
        )
        message.participant.CopyFrom(participant)
    return MessageToJson(message).encode()


def signature(body: bytes, settings: LiveKitSettings) -> str:
    digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
    return AccessToken(settings.api_key, settings.api_secret).with_sha256(digest).to_jwt()


def signed_headers(body: bytes, settings: LiveKitSettings) -> dict[str, str]:
    return {"Authorization": signature(body, settings), "Content-Type": "application/webhook+json"}


def agent_joined_body(
    room_name: str,
    identity: str = "agent-AJ_1",
    attributes: Mapping[str, str] | None = None,
    created_at: int | None = None,
    event_id: str | None = None,
) -> bytes:
    """The dispatched agent's join, as LiveKit Agents' worker makes it."""
    body = webhook_body(
        "participant_joined",
        room_name,
        identity,
        event_id=event_id,
        created_at=created_at,
        kind=ParticipantInfo.Kind.AGENT,
        attributes=attributes,
    )
    assert b'"kind": "AGENT"' in body
    return body
