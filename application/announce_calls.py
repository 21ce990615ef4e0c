from domain.ports import (
    CallPresenter,
    CallRepository,
    Clock,
    WebhookDeliveryRepository,
    WebhookEndpointRepository,
)
from domain.webhook_delivery import WebhookDelivery, WebhookEvent

DEFAULT_BATCH = 100


class AnnounceCallEvents:
    """The outbox relay: every announcement marked on a call becomes one delivery per
    enabled endpoint of the call's tenant that wants its type, then its mark is removed.

    Rules: the event id is derived from the call and the mark, and a delivery's id from the
    event and the endpoint, so a relay that dies between storing deliveries and removing the
    mark (or two relays racing) stores nothing twice; the event's `data` is the call as
    GET /v1/calls/{id} shows it when relayed; a tenant without endpoints costs only the
    mark's removal. Returns how many marks were relayed."""

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
        for call, announcements in await self._calls.unannounced(self._batch):
            shown = self._present(call.as_of(self._clock.now()))
            for announcement in announcements:
                event = WebhookEvent(
                    id=announcement.event_id(call.id),
                    tenant_id=call.tenant_id,
                    type=announcement.type,
                    timestamp=announcement.at,
                    data=shown,
                )
                for endpoint in await self._endpoints.subscribed(call.tenant_id, event.type):
                    await self._deliveries.add(WebhookDelivery.of(event, endpoint))
                await self._calls.announced(call.id, announcement)
                relayed += 1
        return relayed
