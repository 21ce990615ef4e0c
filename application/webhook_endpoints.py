from collections.abc import Iterable
from dataclasses import dataclass

from application.webhook_targets import WebhookTargets
from domain.errors import (
    StorageError,
    TenantNotFound,
    TooManyWebhookEndpoints,
    WebhookEndpointNotFound,
)
from domain.pagination import Page, PageRequest
from domain.ports import Clock, TenantRepository, WebhookEndpointRepository, WebhookSubscribers
from domain.webhook_endpoint import EndpointUpdate, WebhookEndpoint, event_types

DEFAULT_MAX_PER_TENANT = 20
ROTATION_ATTEMPTS = 3


class CreateWebhookEndpoint:
    """Register an endpoint for an existing tenant. Rules, in order: the tenant exists; it
    has fewer than `max_per_tenant` endpoints (disabled ones count; two registrations at once
    may both pass the count); the event types are known (none: all of them); the URL is a
    safe target now (WebhookTargets). The signing secret is returned with it; no listing
    shows it again."""

    def __init__(
        self,
        tenants: TenantRepository,
        endpoints: WebhookEndpointRepository,
        targets: WebhookTargets,
        subscribers: WebhookSubscribers,
        clock: Clock,
        max_per_tenant: int = DEFAULT_MAX_PER_TENANT,
    ) -> None:
        self._tenants = tenants
        self._endpoints = endpoints
        self._targets = targets
        self._subscribers = subscribers
        self._clock = clock
        self._max_per_tenant = max_per_tenant

    async def __call__(
        self,
        tenant_id: str,
        url: str,
        events: Iterable[str] = (),
        description: str | None = None,
    ) -> WebhookEndpoint:
        if await self._tenants.get(tenant_id) is None:
            raise TenantNotFound(tenant_id)
        limit = self._max_per_tenant
        if await self._endpoints.count_for_tenant(tenant_id, up_to=limit) >= limit:
            raise TooManyWebhookEndpoints(limit)
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
    a safe target now. Nothing is written unless all pass; then only the fields given are
    written, by one field-level update, so a rotation or a disable landing meanwhile stays."""

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
        await self._get(tenant_id, endpoint_id)
        events = None if changes.events is None else event_types(changes.events)
        if changes.url is not None:
            await self._targets.addresses(changes.url)
        update = EndpointUpdate(
            url=changes.url or None,
            events=events,
            description=changes.description or None,
            disabled=changes.disabled,
            disabled_reason="disabled by the tenant" if changes.disabled else None,
        )
        updated = await self._endpoints.update(tenant_id, endpoint_id, update)
        if updated is None:
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
    ROTATION_OVERLAP, so receivers can switch without losing a delivery. Only the secret
    fields are written, and only while the secret is still the one rotated from: a rotation
    landing meanwhile makes this one start again from it (both secrets shown keep signing)."""

    def __init__(self, endpoints: WebhookEndpointRepository, clock: Clock) -> None:
        self._get = GetWebhookEndpoint(endpoints)
        self._endpoints = endpoints
        self._clock = clock

    async def __call__(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint:
        for _ in range(ROTATION_ATTEMPTS):
            current = await self._get(tenant_id, endpoint_id)
            rotated = current.rotated(self._clock.now())
            stored = await self._endpoints.rotate(tenant_id, endpoint_id, current.secret, rotated)
            if stored is not None:
                return stored
        raise StorageError("the endpoint's secret kept changing while it was rotated")
