import uuid
from typing import Annotated, Any

from litestar import Controller, Request, delete, get, post
from litestar.datastructures import ResponseHeader
from litestar.params import FromPath

from application.publishable_keys import (
    CreatePublishableKey,
    ListPublishableKeys,
    RevokePublishableKey,
)
from domain.errors import AgentNotFound, InvalidCursor, InvalidOrigin, PublishableKeyNotFound
from domain.pagination import DEFAULT_LIMIT
from domain.tenant import Principal
from entrypoints.http.dependencies import Injected
from entrypoints.http.errors import AUTHENTICATED, JSON_BODY, QUERY, responses
from entrypoints.http.openapi_docs import BEARER, PUBLISHABLE_KEY_BODY
from entrypoints.http.paging import Limit, PageCursor, next_cursor, page_request
from entrypoints.http.schemas import PublishableKeyCreate, PublishableKeyPage
from entrypoints.views import (
    PublishableKeyCreated,
    created_publishable_key_view,
    publishable_key_view,
)

TenantRequest = Request[Principal, Any, Any]


class PublishableKeysController(Controller):
    """Publishable keys of the secret key's tenant (a publishable key cannot manage any);
    another tenant's key is always 404, never 403."""

    path = "/v1/publishable-keys"
    tags = ("publishable keys",)
    security = BEARER

    @post(
        status_code=201,
        summary="Create a publishable key (the key is shown in this answer only)",
        response_headers=[ResponseHeader(name="Cache-Control", value="no-store")],
        responses=responses(AUTHENTICATED, JSON_BODY, InvalidOrigin, AgentNotFound),
    )
    async def create(
        self,
        request: TenantRequest,
        data: Annotated[PublishableKeyCreate, PUBLISHABLE_KEY_BODY],
        create_publishable_key: Injected[CreatePublishableKey],
    ) -> PublishableKeyCreated:
        minted = await create_publishable_key(
            request.user.tenant_id,
            data.origins,
            agents=data.agents,
            allow_native=data.allow_native,
            description=data.description,
        )
        return created_publishable_key_view(minted)

    @get(
        summary="List publishable keys, newest first (never the keys themselves)",
        responses=responses(AUTHENTICATED, QUERY, InvalidCursor),
    )
    async def list_keys(
        self,
        request: TenantRequest,
        list_publishable_keys: Injected[ListPublishableKeys],
        limit: Limit = DEFAULT_LIMIT,
        cursor: PageCursor = None,
    ) -> PublishableKeyPage:
        found = await list_publishable_keys(request.user.tenant_id, page_request(limit, cursor))
        return PublishableKeyPage(
            data=[publishable_key_view(k) for k in found.items], next_cursor=next_cursor(found)
        )

    @delete(
        "/{key_id:uuid}",
        summary="Revoke a publishable key (final; within CACHE_TTL_SECONDS everywhere)",
        responses=responses(AUTHENTICATED, QUERY, PublishableKeyNotFound),
    )
    async def revoke(
        self,
        request: TenantRequest,
        revoke_publishable_key: Injected[RevokePublishableKey],
        key_id: FromPath[uuid.UUID],
    ) -> None:
        await revoke_publishable_key(str(key_id), tenant_id=request.user.tenant_id)
