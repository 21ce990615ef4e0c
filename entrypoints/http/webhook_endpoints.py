import uuid
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath

from application.webhook_deliveries import ListWebhookDeliveries, RetryWebhookDelivery
from application.webhook_endpoints import (
    CreateWebhookEndpoint,
    DeleteWebhookEndpoint,
    EndpointChanges,
    GetWebhookEndpoint,
    ListWebhookEndpoints,
    RotateWebhookSecret,
    UpdateWebhookEndpoint,
)
from domain.errors import (
    InvalidCursor,
    InvalidWebhookEvent,
    InvalidWebhookUrl,
    TooManyWebhookEndpoints,
    WebhookDeliveryNotFound,
    WebhookEndpointNotFound,
)
from domain.pagination import DEFAULT_LIMIT
from domain.tenant import Principal
from entrypoints.http.dependencies import Injected
from entrypoints.http.errors import AUTHENTICATED, JSON_BODY, QUERY, responses
from entrypoints.http.openapi_docs import BEARER, WEBHOOK_ENDPOINT_BODY, WEBHOOK_ENDPOINT_CHANGES
from entrypoints.http.paging import Limit, PageCursor, next_cursor, page_request
from entrypoints.http.schemas import (
    WebhookDeliveryPage,
    WebhookEndpointCreate,
    WebhookEndpointPage,
    WebhookEndpointPatch,
    WebhookSecret,
)
from entrypoints.views import (
    WebhookDeliveryView,
    WebhookEndpointCreated,
    WebhookEndpointView,
    created_webhook_endpoint_view,
    webhook_delivery_view,
    webhook_endpoint_view,
)

TenantRequest = Request[Principal, Any, Any]
_WRITE = (*JSON_BODY, InvalidWebhookUrl, InvalidWebhookEvent)
_NO_STORE = [ResponseHeader(name="Cache-Control", value="no-store")]


class WebhookEndpointsController(Controller):
    """Webhook endpoints of the secret key's tenant; another tenant's endpoint is always 404,
    never 403. The signing secret is shown on creation and rotation only."""

    path = "/v1/webhook-endpoints"
    tags = ("webhooks",)
    security = BEARER

    @post(
        status_code=201,
        summary="Register a webhook endpoint (its signing secret is shown in this answer only)",
        response_headers=_NO_STORE,
        responses=responses(AUTHENTICATED, _WRITE, TooManyWebhookEndpoints),
    )
    async def create(
        self,
        request: TenantRequest,
        data: Annotated[WebhookEndpointCreate, WEBHOOK_ENDPOINT_BODY],
        create_webhook_endpoint: Injected[CreateWebhookEndpoint],
    ) -> WebhookEndpointCreated:
        endpoint = await create_webhook_endpoint(
            request.user.tenant_id, data.url, data.events, data.description
        )
        return created_webhook_endpoint_view(endpoint)

    @get(
        summary="List webhook endpoints, newest first (never their secrets)",
        responses=responses(AUTHENTICATED, QUERY, InvalidCursor),
    )
    async def list_endpoints(
        self,
        request: TenantRequest,
        list_webhook_endpoints: Injected[ListWebhookEndpoints],
        limit: Limit = DEFAULT_LIMIT,
        cursor: PageCursor = None,
    ) -> WebhookEndpointPage:
        found = await list_webhook_endpoints(request.user.tenant_id, page_request(limit, cursor))
        return WebhookEndpointPage(
            data=[webhook_endpoint_view(e) for e in found.items], next_cursor=next_cursor(found)
        )

    @get(
        "/{endpoint_id:uuid}",
        summary="Get a webhook endpoint",
        responses=responses(AUTHENTICATED, QUERY, WebhookEndpointNotFound),
    )
    async def get_endpoint(
        self,
        request: TenantRequest,
        get_webhook_endpoint: Injected[GetWebhookEndpoint],
        endpoint_id: FromPath[uuid.UUID],
    ) -> WebhookEndpointView:
        found = await get_webhook_endpoint(request.user.tenant_id, str(endpoint_id))
        return webhook_endpoint_view(found)

    @patch(
        "/{endpoint_id:uuid}",
        summary="Change a webhook endpoint's URL, events, description, or disable/enable it",
        responses=responses(AUTHENTICATED, _WRITE, WebhookEndpointNotFound),
    )
    async def update_endpoint(
        self,
        request: TenantRequest,
        update_webhook_endpoint: Injected[UpdateWebhookEndpoint],
        endpoint_id: FromPath[uuid.UUID],
        data: Annotated[WebhookEndpointPatch, WEBHOOK_ENDPOINT_CHANGES],
    ) -> WebhookEndpointView:
        changes = EndpointChanges(
            url=data.url,
            events=None if data.events is None else tuple(data.events),
            description=data.description,
            disabled=data.disabled,
        )
        updated = await update_webhook_endpoint(request.user.tenant_id, str(endpoint_id), changes)
        return webhook_endpoint_view(updated)

    @delete(
        "/{endpoint_id:uuid}",
        summary="Delete a webhook endpoint (each pending delivery fails as endpoint deleted)",
        responses=responses(AUTHENTICATED, QUERY, WebhookEndpointNotFound),
    )
    async def delete_endpoint(
        self,
        request: TenantRequest,
        delete_webhook_endpoint: Injected[DeleteWebhookEndpoint],
        endpoint_id: FromPath[uuid.UUID],
    ) -> None:
        await delete_webhook_endpoint(str(endpoint_id), tenant_id=request.user.tenant_id)

    @post(
        "/{endpoint_id:uuid}/rotate-secret",
        status_code=201,
        summary="Mint a new signing secret; the old one keeps signing beside it for 24 h",
        response_headers=_NO_STORE,
        responses=responses(AUTHENTICATED, QUERY, WebhookEndpointNotFound),
    )
    async def rotate_secret(
        self,
        request: TenantRequest,
        rotate_webhook_secret: Injected[RotateWebhookSecret],
        endpoint_id: FromPath[uuid.UUID],
    ) -> WebhookSecret:
        rotated = await rotate_webhook_secret(request.user.tenant_id, str(endpoint_id))
        return WebhookSecret(
            secret=rotated.secret, previous_secret_expires_at=rotated.previous_secret_until
        )

    @get(
        "/{endpoint_id:uuid}/deliveries",
        summary="List an endpoint's events, newest first, with every attempt",
        responses=responses(AUTHENTICATED, QUERY, InvalidCursor, WebhookEndpointNotFound),
    )
    async def list_deliveries(
        self,
        request: TenantRequest,
        list_webhook_deliveries: Injected[ListWebhookDeliveries],
        endpoint_id: FromPath[uuid.UUID],
        limit: Limit = DEFAULT_LIMIT,
        cursor: PageCursor = None,
    ) -> WebhookDeliveryPage:
        found = await list_webhook_deliveries(
            request.user.tenant_id, str(endpoint_id), page_request(limit, cursor)
        )
        return WebhookDeliveryPage(
            data=[webhook_delivery_view(d) for d in found.items], next_cursor=next_cursor(found)
        )

    @post(
        "/{endpoint_id:uuid}/deliveries/{event_id:str}/retry",
        status_code=202,
        summary="Send an event to this endpoint again, now (same webhook-id)",
        responses=responses(AUTHENTICATED, QUERY, WebhookEndpointNotFound, WebhookDeliveryNotFound),
    )
    async def retry_delivery(
        self,
        request: TenantRequest,
        retry_webhook_delivery: Injected[RetryWebhookDelivery],
        endpoint_id: FromPath[uuid.UUID],
        event_id: FromPath[str],
    ) -> WebhookDeliveryView:
        retried = await retry_webhook_delivery(request.user.tenant_id, str(endpoint_id), event_id)
        return webhook_delivery_view(retried)
