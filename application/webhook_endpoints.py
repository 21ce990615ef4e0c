import dataclasses
from collections.abc import Iterable
from dataclasses import dataclass

from application.webhook_targets import WebhookTargets
from domain.errors import TenantNotFound, WebhookEndpointNotFound
from domain.pagination import Page, PageRequest
from domain.ports import Clock, TenantRepository, WebhookEndpointRepository, WebhookSubscribers
from domain.webhook_endpoint import WebhookEndpoint, event_types


class CreateWebhookEndpoint:
    """Register an endpoint for an existing tenant. Rules, in order: the tenant exists; the
    event types are known (none: all of them); the URL is a safe target now (WebhookTargets).
    The signing secret is returned with it; no listing shows it again."""

    def __init__(
        self,
        tenants: TenantRepository,
        endpoints: WebhookEndpointRepository,
        targets: WebhookTargets,
        subscribers: WebhookSubscribers,
        clock: Clock,
    ) -> None:
        self._tenants = tenants
        self._endpoints = endpoints
        self._targets = targets
        self._subscribers = subscribers
        self._clock = clock

    async def __call__(
        self,
        tenant_id: str,
        url: str,
        events: Iterable[str] = (),
        description: str | None = None,
    ) -> WebhookEndpoint:
        if await self._tenants.get(tenant_id) is None:
            raise TenantNotFound(tenant_id)
        endpoint = WebhookEndpoint.register(
            tenant_id,
            url,
            events,
            self._clock.now(),
            allow_private=self._targets.allow_private,
            description=description,
        )
        await self._targets.addresses(endpoint.url)
        await self._endpoints.add(endpoint)
        self._subscribers.note(endpoint)
        return endpoint


class ListWebhookEndpoints:
    """A tenant's endpoints, newest first by keyset cursor, disabled ones included."""

    def __init__(self, endpoints: WebhookEndpointRepository) -> None:
        self._endpoints = endpoints

    async def __call__(self, tenant_id: str, page: PageRequest) -> Page[WebhookEndpoint]:
        return await self._endpoints.page_for_tenant(tenant_id, page)


class GetWebhookEndpoint:
    """Another tenant's endpoint is WebhookEndpointNotFound, exactly like a missing one."""

    def __init__(self, endpoints: WebhookEndpointRepository) -> None:
        self._endpoints = endpoints

    async def __call__(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint:
        endpoint = await self._endpoints.get_for_tenant(tenant_id, endpoint_id)
        if endpoint is None:
            raise WebhookEndpointNotFound(endpoint_id)
        return endpoint


@dataclass(frozen=True, slots=True)
class EndpointChanges:
    """Only the fields given change; `disabled: False` re-enables an endpoint that a 410
    disabled, and clears why."""

    url: str | None = None
    events: tuple[str, ...] | None = None
    description: str | None = None
    disabled: bool | None = None


class UpdateWebhookEndpoint:
    """Rules, in order: the endpoint is the tenant's; the event types are known; a new URL is
    a safe target now. Nothing is written unless all pass."""

    def __init__(
        self,
        endpoints: WebhookEndpointRepository,
        targets: WebhookTargets,
        subscribers: WebhookSubscribers,
    ) -> None:
        self._get = GetWebhookEndpoint(endpoints)
        self._endpoints = endpoints
        self._targets = targets
        self._subscribers = subscribers

    async def __call__(
        self, tenant_id: str, endpoint_id: str, changes: EndpointChanges
    ) -> WebhookEndpoint:
        endpoint = await self._get(tenant_id, endpoint_id)
        events = endpoint.events if changes.events is None else event_types(changes.events)
        if changes.url is not None:
            await self._targets.addresses(changes.url)
        disabled = endpoint.disabled if changes.disabled is None else changes.disabled
        reason = endpoint.disabled_reason if changes.disabled is None else None
        updated = dataclasses.replace(
            endpoint,
            url=changes.url or endpoint.url,
            events=events,
            description=changes.description or endpoint.description,
            disabled=disabled,
            disabled_reason="disabled by the tenant" if disabled and not reason else reason,
        )
        if not await self._endpoints.replace(updated):
            raise WebhookEndpointNotFound(endpoint_id)
        self._subscribers.note(updated)
        return updated


class DeleteWebhookEndpoint:
    """With a tenant (the HTTP API), another tenant's endpoint is WebhookEndpointNotFound;
    without (the operator's CLI), any endpoint. Its pending deliveries are not sent."""

    def __init__(self, endpoints: WebhookEndpointRepository) -> None:
        self._endpoints = endpoints

    async def __call__(self, endpoint_id: str, *, tenant_id: str | None) -> None:
        owner = tenant_id
        if owner is None:
            found = await self._endpoints.get(endpoint_id)
            owner = None if found is None else found.tenant_id
        if owner is None or not await self._endpoints.delete(owner, endpoint_id):
            raise WebhookEndpointNotFound(endpoint_id)


class RotateWebhookSecret:
    """A new secret signs from now on; the previous one keeps signing beside it for
    ROTATION_OVERLAP, so receivers can switch without losing a delivery."""

    def __init__(self, endpoints: WebhookEndpointRepository, clock: Clock) -> None:
        self._get = GetWebhookEndpoint(endpoints)
        self._endpoints = endpoints
        self._clock = clock

    async def __call__(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint:
        rotated = (await self._get(tenant_id, endpoint_id)).rotated(self._clock.now())
        if not await self._endpoints.replace(rotated):
            raise WebhookEndpointNotFound(endpoint_id)
        return rotated
