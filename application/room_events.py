import enum

from domain.call_events import RoomEvent, transition_for
from domain.ports import CallRepository, ProcessedEvents


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    UNKNOWN_ROOM = "unknown_room"
    IRRELEVANT = "irrelevant"


class ApplyRoomEvent:
    """Move the call behind a verified LiveKit event forward.

    Rules: an event id is applied once (a redelivery is DUPLICATE); rooms that are not
    ours are UNKNOWN_ROOM and ignored; events about other participants (the agent) are
    IRRELEVANT; otherwise one conditional write moves the call only forward, so late,
    reordered or concurrent deliveries, on any number of replicas, leave a single
    forward-only outcome (UNCHANGED when the call was already past that point). If applying
    fails for any reason, the event id is released so LiveKit's retry is applied.
    """

    def __init__(self, calls: CallRepository, processed: ProcessedEvents) -> None:
        self._calls = calls
        self._processed = processed

    async def __call__(self, event: RoomEvent) -> Outcome:
        if not await self._processed.claim(event.id, event.at):
            return Outcome.DUPLICATE
        try:
            return await self._apply(event)
        except BaseException:
            await self._processed.release(event.id)
            raise

    async def _apply(self, event: RoomEvent) -> Outcome:
        call = await self._calls.get_by_room(event.room_name)
        if call is None:
            return Outcome.UNKNOWN_ROOM
        transition = transition_for(event, call.participant_identity)
        if transition is None:
            return Outcome.IRRELEVANT
        moved = await self._calls.apply(call.id, transition)
        return Outcome.APPLIED if moved else Outcome.UNCHANGED
