"""What a call still has to announce to its tenant's webhook endpoints: marked on the call by
the very write that moves it (or inserts it), removed once its deliveries are stored."""

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from domain.webhook_endpoint import WebhookEventType

_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_EVENT_IDS = uuid.UUID("6f1c1a52-3b0e-4d55-9a43-5e0d2b7c9e11")


@dataclass(frozen=True, slots=True)
class Announcement:
    type: WebhookEventType
    at: datetime

    @property
    def mark(self) -> str:
        """How the call stores it: a plain string (nx-27017 mangles documents in arrays)."""
        millis = (self.at - _EPOCH) // timedelta(milliseconds=1)
        return f"{self.type.value}/{millis}"

    @classmethod
    def from_mark(cls, mark: str) -> "Announcement":
        kind, _, millis = mark.rpartition("/")
        return cls(WebhookEventType(kind), _EPOCH + timedelta(milliseconds=int(millis)))

    def event_id(self, call_id: str) -> str:
        """The same for every replay of this announcement (the `webhook-id` receivers
        deduplicate on), different for every other."""
        return "evt_" + uuid.uuid5(_EVENT_IDS, f"{call_id}/{self.mark}").hex


def created(at: datetime) -> Announcement:
    return Announcement(WebhookEventType.CALL_CREATED, at)
