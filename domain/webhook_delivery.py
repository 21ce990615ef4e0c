"""Events pushed to webhook endpoints: one delivery per (event, endpoint), retried on a
schedule until a 2xx, a 410 or the last attempt."""

import dataclasses
import enum
import json
import random
from collections import deque
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, TypeVar

from domain.webhook_endpoint import WebhookEndpoint, WebhookEventType

# Svix's reference schedule stretched to about three days: 11 retries after the first try.
DEFAULT_RETRY_SECONDS = (5, 300, 1800, 7200, 18000, 36000, 36000, 36000, 36000, 36000, 36000)
JITTER = 0.1
T = TypeVar("T")


class DeliveryStatus(enum.StrEnum):
    PENDING = "pending"
    DELIVERED = "delivered"
    FAILED = "failed"


@dataclass(frozen=True, slots=True)
class WebhookEvent:
    id: str
    tenant_id: str
    type: WebhookEventType
    timestamp: datetime
    data: Mapping[str, Any]
    call_id: str | None = None
    sequence: int | None = None  # its place among its call's events: 1 for call.created

    def body(self) -> str:
        """The exact bytes signed and sent, the same on every attempt."""
        stamp = self.timestamp.isoformat().replace("+00:00", "Z")
        document: dict[str, Any] = {"type": self.type.value, "timestamp": stamp}
        if self.sequence is not None:
            document["sequence"] = self.sequence
        document["data"] = self.data
        return json.dumps(document, separators=(",", ":"), ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Attempt:
    at: datetime
    latency_ms: int
    status_code: int | None = None
    error: str | None = None

    @property
    def succeeded(self) -> bool:
        return self.status_code is not None and 200 <= self.status_code < 300

    @property
    def gone(self) -> bool:
        return self.status_code == 410


@dataclass(frozen=True, slots=True)
class SendOutcome:
    """What one POST got: the status code, or why there was none (timeout, refused, …)."""

    status_code: int | None = None
    error: str | None = None


@dataclass(frozen=True, slots=True)
class RetrySchedule:
    """Delays after the first, second, … failed attempt; after the last one, no more."""

    delays: Sequence[float] = DEFAULT_RETRY_SECONDS
    jitter: float = JITTER

    @classmethod
    def parse(cls, text: str) -> "RetrySchedule":
        delays = tuple(float(part) for part in text.split(",") if part.strip())
        if not delays or any(d < 0 for d in delays):
            raise ValueError("a comma-separated list of delays in seconds, each >= 0")
        return cls(delays)

    def after(self, failed_attempts: int, now: datetime) -> datetime | None:
        if failed_attempts > len(self.delays):
            return None
        base = self.delays[failed_attempts - 1]
        spread = random.uniform(0, self.jitter)  # noqa: S311 (spreads retries, not a secret)
        return now + timedelta(seconds=base * (1 + spread))


@dataclass(frozen=True, slots=True)
class WebhookDelivery:
    id: str
    event_id: str
    endpoint_id: str
    tenant_id: str
    event_type: WebhookEventType
    body: str
    created_at: datetime
    status: DeliveryStatus = DeliveryStatus.PENDING
    next_attempt_at: datetime | None = None
    attempts: tuple[Attempt, ...] = ()
    lease_until: datetime | None = None
    claim: str | None = None
    call_id: str | None = None
    sequence: int | None = None

    @classmethod
    def of(cls, event: WebhookEvent, endpoint: WebhookEndpoint) -> "WebhookDelivery":
        return cls(
            id=delivery_id(event.id, endpoint.id),
            event_id=event.id,
            endpoint_id=endpoint.id,
            tenant_id=event.tenant_id,
            event_type=event.type,
            body=event.body(),
            created_at=event.timestamp,
            next_attempt_at=event.timestamp,
            call_id=event.call_id,
            sequence=event.sequence,
        )

    def waits_for(self, earlier: "WebhookDelivery") -> bool:
        """A call's event is not sent to an endpoint while an earlier one of the same call to
        the same endpoint still waits for its first attempt's answer (in flight counts as
        waiting); one backing off after a failed attempt holds nothing back."""
        return (
            self.call_id is not None
            and (self.call_id, self.endpoint_id) == (earlier.call_id, earlier.endpoint_id)
            and self.sequence is not None
            and earlier.sequence is not None
            and earlier.sequence < self.sequence
            and earlier.status is DeliveryStatus.PENDING
            and not earlier.attempts
        )

    def after_attempt(self, attempt: Attempt, schedule: RetrySchedule) -> "WebhookDelivery":
        attempts = (*self.attempts, attempt)
        failures = sum(1 for a in attempts if not a.succeeded)
        final = attempt.succeeded or attempt.gone
        retry_at = None if final else schedule.after(failures, attempt.at)
        if attempt.succeeded:
            status = DeliveryStatus.DELIVERED
        else:
            status = DeliveryStatus.PENDING if retry_at else DeliveryStatus.FAILED
        return dataclasses.replace(
            self, attempts=attempts, status=status, next_attempt_at=retry_at, lease_until=None
        )

    def abandoned(self, attempt: Attempt) -> "WebhookDelivery":
        """Failed for good without a retry: its endpoint is gone or disabled."""
        return dataclasses.replace(
            self,
            attempts=(*self.attempts, attempt),
            status=DeliveryStatus.FAILED,
            next_attempt_at=None,
            lease_until=None,
        )


def shared_fairly(candidates: Iterable[tuple[str, T]], limit: int) -> list[T]:
    """At most `limit` of `candidates` (tenant, item), in order: one of each tenant in turn,
    tenants in the order they first appear, so one tenant's backlog takes only its share."""
    queues: dict[str, deque[T]] = {}
    for tenant_id, item in candidates:
        queues.setdefault(tenant_id, deque()).append(item)
    chosen: list[T] = []
    while queues and len(chosen) < limit:
        for tenant_id in list(queues):
            chosen.append(queues[tenant_id].popleft())
            if not queues[tenant_id]:
                del queues[tenant_id]
            if len(chosen) == limit:
                break
    return chosen


def delivery_id(event_id: str, endpoint_id: str) -> str:
    return f"{event_id}:{endpoint_id}"
