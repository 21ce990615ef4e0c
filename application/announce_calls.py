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
    type. Returns how many marks were relayed."""

    def __init__(
        self,
        calls: CallRepository,
        endpoints: WebhookEndpointRepository,
        deliveries: WebhookDeliveryRepository,
        present: CallPresenter,
        clock: Clock,
        batch: int = DEFAULT_BATCH,
    ) -> None:
        self._calls = calls
        self._endpoints = endpoints
        self._deliveries = deliveries
        self._present = present
        self._clock = clock
        self._batch = batch

    async def __call__(self) -> int:
        relayed = 0
        subscribed: dict[tuple[str, str], list[WebhookEndpoint]] = {}
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
                        await self._deliveries.add(WebhookDelivery.of(event, endpoint))
                    relayed_marks.append((call.id, announcement))
            await self._calls.announced(relayed_marks)  # only once its deliveries are stored
            relayed += len(relayed_marks)
            if len(batch) < self._batch:
                break
        return relayed
