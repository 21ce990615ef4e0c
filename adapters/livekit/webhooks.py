from datetime import UTC, datetime

from livekit.api import ParticipantInfo, TokenVerifier, WebhookReceiver

from adapters.livekit.settings import LiveKitSettings
from domain.call_events import RoomEvent, RoomEventKind
from domain.errors import WebhookRejected
from domain.ports import Clock

_FOLLOWED = {kind.value: kind for kind in RoomEventKind}
_ON_BEHALF = "lk.publish_on_behalf"  # an avatar worker: kind AGENT, publishing for the agent


class LiveKitWebhookVerifier:
    """LiveKit signs each delivery with a JWT (Authorization) carrying the body's SHA-256;
    `WebhookReceiver` checks both against the raw body, so nothing may re-encode it first."""

    def __init__(self, settings: LiveKitSettings, clock: Clock) -> None:
        self._settings = settings
        self._clock = clock

    def verify(self, body: bytes, authorization: str | None) -> RoomEvent | None:
        if self._settings.problem() is not None:
            raise WebhookRejected("LiveKit credentials are not configured")
        token = (authorization or "").removeprefix("Bearer ").strip()
        if not token:
            raise WebhookRejected("no signature")
        receiver = WebhookReceiver(TokenVerifier(self._settings.api_key, self._settings.api_secret))
        try:
            event = receiver.receive(body.decode("utf-8"), token)
        except Exception as error:  # the SDK raises bare Exception for a hash mismatch
            raise WebhookRejected(type(error).__name__) from error
        kind = _FOLLOWED.get(event.event)
        if kind is None or not event.room.name:
            return None
        return RoomEvent(
            id=event.id or f"{event.event}:{event.room.name}:{event.participant.identity}",
            kind=kind,
            room_name=event.room.name,
            participant_identity=event.participant.identity or None,
            at=_moment(event.created_at) or self._clock.now(),
            agent=_is_agent(event.participant),
            participant_sid=event.participant.sid or None,
        )


def _is_agent(participant: ParticipantInfo) -> bool:
    """As livekit-client's `Participant.isAgent`: kind AGENT (`"kind": "AGENT"` in the
    webhook's JSON) and not an avatar publishing on an agent's behalf."""
    return participant.kind == ParticipantInfo.Kind.AGENT and _ON_BEHALF not in (
        participant.attributes
    )


def _moment(epoch_seconds: int) -> datetime | None:
    """LiveKit's `createdAt`; None when absent or not a representable moment."""
    if not epoch_seconds:
        return None
    try:
        return datetime.fromtimestamp(epoch_seconds, UTC)
    except (OverflowError, OSError, ValueError):
        return None
