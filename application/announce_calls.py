from collections import Counter
from collections.abc import Callable

from domain.call_announcement import Announcement
from domain.ports import (
    CallPresenter,
    CallRepository,
    Clock,
    WebhookDeliveryRepository,
    WebhookEndpointRepository,
)
from domain.webhook_delivery import WebhookDelivery, WebhookEvent
from domain.webhook_endpoint import WebhookEndpoint

DEFAULT_BATCH = 100
DEFAULT_MAX_PENDING = 10_000
MAX_BATCHES_PER_PASS = 20  # a pass drains up to 2,000 marks, then lets the dispatcher send


class AnnounceCallEvents:
    """The outbox relay: every announcement marked on a call becomes one delivery per
    enabled endpoint of the call's tenant that wants its type, then its mark is removed.

    Rules: the event id is derived from the call and the mark, and a delivery's id from the
    event and the endpoint, so a relay that dies between storing deliveries and removing the
    mark (or two relays racing) stores nothing twice; the event's `data` is the call as
    GET /v1/calls/{id} shows it when relayed, its `sequence` the announcement's place among
    the call's (stored with the call, so a replayed relay numbers it the same); a tenant
    without endpoints costs only the mark's removal. A pass reads batches until one comes
    back short (at most MAX_BATCHES_PER_PASS), so the relay keeps up with more calls a second
    than one batch, and it asks for a tenant's subscribed endpoints once per pass and event
    type. An endpoint with `max_pending` deliveries pending (counted once per pass) gets no
    new one: the delivery is dropped, the oldest pending kept, and each endpoint's drops are
    reported to `dropped` once per pass (a metric and a log line). Returns how many marks
    were relayed."""

    def __init__(
        self,
        calls: CallRepository,
        endpoints: WebhookEndpointRepository,
        deliveries: WebhookDeliveryRepository,
        present: CallPresenter,
        clock: Clock,
        batch: int = DEFAULT_BATCH,
        max_pending: int = DEFAULT_MAX_PENDING,
        dropped: Callable[[WebhookEndpoint, int], None] = lambda _, __: None,
    ) -> None:
        self._calls = calls
        self._endpoints = endpoints
        self._deliveries = deliveries
        self._present = present
        self._clock = clock
        self._batch = batch
        self._max_pending = max_pending
        self._dropped = dropped

    async def __call__(self) -> int:
        relayed = 0
        subscribed: dict[tuple[str, str], list[WebhookEndpoint]] = {}
        pending: dict[str, int] = {}
        drops: Counter[WebhookEndpoint] = Counter()
        for _ in range(MAX_BATCHES_PER_PASS):
            batch = await self._calls.unannounced(self._batch)
            relayed_marks: list[tuple[str, Announcement]] = []
            for call, announcements in batch:
                shown = self._present(call.as_of(self._clock.now()))
                for announcement in announcements:
                    event = WebhookEvent(
                        id=announcement.event_id(call.id),
                        tenant_id=call.tenant_id,
                        type=announcement.type,
                        timestamp=announcement.at,
                        data=shown,
                        call_id=call.id,
                        sequence=announcement.sequence,
                    )
                    wanted = (call.tenant_id, event.type)
                    if wanted not in subscribed:
                        subscribed[wanted] = await self._endpoints.subscribed(*wanted)
                    for endpoint in subscribed[wanted]:
                        if not await self._deliver(event, endpoint, pending):
                            drops[endpoint] += 1
                    relayed_marks.append((call.id, announcement))
            await self._calls.announced(relayed_marks)  # only once its deliveries are stored
            relayed += len(relayed_marks)
            if len(batch) < self._batch:
                break
        for endpoint, count in drops.items():
            self._dropped(endpoint, count)
        return relayed

    async def _deliver(
        self, event: WebhookEvent, endpoint: WebhookEndpoint, pending: dict[str, int]
    ) -> bool:
        """False when the endpoint has `max_pending` deliveries pending: this one is dropped."""
        if endpoint.id not in pending:
            pending[endpoint.id] = await self._deliveries.count_pending(
                endpoint.id, up_to=self._max_pending
            )
        if pending[endpoint.id] >= self._max_pending:
            return False
        if await self._deliveries.add(WebhookDelivery.of(event, endpoint)):
            pending[endpoint.id] += 1
        return True
