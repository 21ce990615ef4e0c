from application.webhook_endpoints import GetWebhookEndpoint
from domain.errors import WebhookDeliveryNotFound
from domain.pagination import Page, PageRequest
from domain.ports import Clock, WebhookDeliveryRepository, WebhookEndpointRepository
from domain.webhook_delivery import WebhookDelivery


class ListWebhookDeliveries:
    """An endpoint's deliveries with their attempts, newest first; another tenant's endpoint
    is WebhookEndpointNotFound, exactly like a missing one."""

    def __init__(
        self, endpoints: WebhookEndpointRepository, deliveries: WebhookDeliveryRepository
    ) -> None:
        self._get_endpoint = GetWebhookEndpoint(endpoints)
        self._deliveries = deliveries

    async def __call__(
        self, tenant_id: str, endpoint_id: str, page: PageRequest
    ) -> Page[WebhookDelivery]:
        await self._get_endpoint(tenant_id, endpoint_id)
        return await self._deliveries.page_for_endpoint(tenant_id, endpoint_id, page)


class RetryWebhookDelivery:
    """Send an event to the endpoint once more, now, whatever became of it (delivered or
    failed): it is pending again, due immediately, its attempts kept and its `webhook-id`
    unchanged so the receiver can tell a replay."""

    def __init__(
        self,
        endpoints: WebhookEndpointRepository,
        deliveries: WebhookDeliveryRepository,
        clock: Clock,
    ) -> None:
        self._get_endpoint = GetWebhookEndpoint(endpoints)
        self._deliveries = deliveries
        self._clock = clock

    async def __call__(self, tenant_id: str, endpoint_id: str, event_id: str) -> WebhookDelivery:
        await self._get_endpoint(tenant_id, endpoint_id)
        delivery = await self._deliveries.get_for_tenant(tenant_id, endpoint_id, event_id)
        if delivery is None or not await self._deliveries.schedule(delivery.id, self._clock.now()):
            raise WebhookDeliveryNotFound(event_id)
        found = await self._deliveries.get_for_tenant(tenant_id, endpoint_id, event_id)
        if found is None:
            raise WebhookDeliveryNotFound(event_id)
        return found
