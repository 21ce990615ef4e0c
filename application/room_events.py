import enum

from domain.call import Call
from domain.call_events import RoomEvent, rejoin_for, transition_on
from domain.ports import CallRepository, ProcessedEvents


class Outcome(enum.StrEnum):
    APPLIED = "applied"
    UNCHANGED = "unchanged"
    DUPLICATE = "duplicate"
    UNKNOWN_ROOM = "unknown_room"
    IRRELEVANT = "irrelevant"


class ApplyRoomEvent:
    """Move the call behind a verified LiveKit event forward.

    Rules: rooms that are not ours are UNKNOWN_ROOM and ignored; the call's agent joining
    records `agent_joined_at`, the first join only; events about other participants (and the
    agent's later ones) are IRRELEVANT; otherwise one conditional write moves the call
    only forward, so late, reordered, repeated or concurrent deliveries, on any number of
    replicas, leave a single forward-only outcome (UNCHANGED when the call was already past
    that point). The one way back: the caller joining an ended call again, later than it
    ended (or, as a session other than the one counted last, in the second it ended),
    re-opens it (a second conditional write, tried only when the first moved nothing). A
    write that depended on no agent having joined yet, refused although the call's status
    allowed it, met an agent (or an end) stored meanwhile: it is decided once more on a
    fresh read. That is what makes an event apply once: its id is recorded only
    after it was applied, so a delivery that failed anywhere (the write, or the record, or
    its answer lost) is applied by LiveKit's redelivery, and a redelivery of an applied event
    changes nothing and is answered DUPLICATE.
    """

    def __init__(self, calls: CallRepository, processed: ProcessedEvents) -> None:
        self._calls = calls
        self._processed = processed

    async def __call__(self, event: RoomEvent) -> Outcome:
        outcome = await self._apply(event)
        first = await self._processed.record(event.id, event.at)
        return outcome if first or outcome is Outcome.APPLIED else Outcome.DUPLICATE

    async def _apply(self, event: RoomEvent) -> Outcome:
        call = await self._calls.get_by_room(event.room_name)
        if call is None:
            return Outcome.UNKNOWN_ROOM
        outcome = await self._move(event, call)
        if outcome is None and (fresh := await self._calls.get_by_room(event.room_name)):
            outcome = await self._move(event, fresh)
        return outcome or Outcome.UNCHANGED

    async def _move(self, event: RoomEvent, call: Call) -> Outcome | None:
        """None: refused by an agent (or end) stored since `call` was read."""
        transition = transition_on(event, call)
        if transition is None:
            return Outcome.IRRELEVANT
        if await self._calls.apply(call.id, transition):
            return Outcome.APPLIED
        if (rejoin := rejoin_for(event, call)) is not None:
            moved = await self._calls.apply(call.id, rejoin)
            return Outcome.APPLIED if moved else Outcome.UNCHANGED
        raced = transition.without_agent and call.status in transition.allowed_from
        return None if raced else Outcome.UNCHANGED
