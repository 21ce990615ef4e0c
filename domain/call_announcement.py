"""What a call still has to announce to its tenant's webhook endpoints: marked on the call by
the very write that moves it (or inserts it), removed once its deliveries are stored."""

import dataclasses
import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from domain.epoch import epoch_millis, from_epoch_millis
from domain.webhook_endpoint import WebhookEventType

_EVENT_IDS = uuid.UUID("6f1c1a52-3b0e-4d55-9a43-5e0d2b7c9e11")


@dataclass(frozen=True, slots=True)
class Announcement:
    """`sequence` is its place among the call's announcements (1 for call.created), known once
    read back from the call (0 before): not part of its mark or its identity. `session`, the
    caller session (LiveKit SID) a join announces: several may join in one (whole) second."""

    type: WebhookEventType
    at: datetime
    sequence: int = field(default=0, compare=False)
    session: str | None = None

    @property
    def mark(self) -> str:
        """How the call stores it: a plain string (nx-27017 mangles documents in arrays)."""
        base = f"{self.type.value}/{epoch_millis(self.at)}"
        return base if self.session is None else f"{base}/{self.session}"

    @classmethod
    def from_mark(cls, mark: str) -> "Announcement":
        kind, millis, *session = mark.split("/", 2)
        return cls(
            WebhookEventType(kind),
            from_epoch_millis(int(millis)),
            session=next(iter(session), None),
        )

    def event_id(self, call_id: str) -> str:
        """The same for every replay of this announcement (the `webhook-id` receivers
        deduplicate on), different for every other."""
        return "evt_" + uuid.uuid5(_EVENT_IDS, f"{call_id}/{self.mark}").hex


def created(at: datetime) -> Announcement:
    return Announcement(WebhookEventType.CALL_CREATED, at)


def numbered(marks: Sequence[str], last_sequence: int) -> list[Announcement]:
    """A call's pending marks, oldest first, numbered up to `last_sequence`, the count of
    every announcement the call ever made: marks are only ever removed oldest first, so the
    pending ones are always the last of them."""
    first = last_sequence - len(marks) + 1
    return [
        dataclasses.replace(Announcement.from_mark(mark), sequence=first + index)
        for index, mark in enumerate(marks)
    ]
