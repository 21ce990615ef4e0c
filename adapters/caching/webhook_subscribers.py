from domain.ports import WebhookEndpointRepository
from domain.webhook_endpoint import WebhookEndpoint


class KnownWebhookSubscribers:
    """The tenants with an enabled webhook endpoint, in memory, refreshed in the background
    (the webhook dispatcher's every round). Until the first refresh every tenant counts as a
    subscriber, so nothing is left unannounced; an endpoint stored or enabled in this process
    counts at once, one from another replica within a round. A tenant that never registers an
    endpoint costs the relay nothing: its calls carry no announcement to relay."""

    def __init__(self, endpoints: WebhookEndpointRepository) -> None:
        self._endpoints = endpoints
        self._tenants: frozenset[str] | None = None
        self._noted: set[str] = set()  # during a refresh, whose read may have missed them

    def want_announcements(self, tenant_id: str) -> bool:
        return self._tenants is None or tenant_id in self._tenants

    def note(self, endpoint: WebhookEndpoint) -> None:
        if endpoint.disabled:
            return
        self._noted.add(endpoint.tenant_id)
        if self._tenants is not None:
            self._tenants = self._tenants | {endpoint.tenant_id}

    async def refresh(self) -> None:
        self._noted = set()
        found = await self._endpoints.subscribing_tenants()
        self._tenants = frozenset(found | self._noted)
