from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme

from entrypoints.container import Container
from entrypoints.http.agents import AgentsController
from entrypoints.http.auth import ApiKeyAuthentication
from entrypoints.http.calls import CallsController
from entrypoints.http.content_type import require_json
from entrypoints.http.dependencies import DEPENDENCIES
from entrypoints.http.errors import EXCEPTION_HANDLERS
from entrypoints.http.health import healthz, readyz
from entrypoints.http.rate_limit import add_rate_limit_headers
from entrypoints.http.request_id import echo_request_id
from entrypoints.http.security_headers import add_security_headers
from entrypoints.http.tokens import create_realtime_token
from entrypoints.http.webhooks import livekit_webhook
from entrypoints.sweeper import sweeping

VERSION = "0.1.0"
MAX_BODY_BYTES = 64 * 1024


def create_app(container: Container) -> Litestar:
    """Nothing is built at import time: the container decides every adapter."""
    store = container.store()
    rate_limiter = container.rate_limiter()

    sweep_interval = container.settings().sweep_interval_seconds

    @asynccontextmanager
    async def storage_lifespan(_: Litestar) -> AsyncIterator[None]:
        await store.start()
        try:
            async with sweeping(container.expire_unjoined_calls(), sweep_interval):
                yield
        finally:
            await rate_limiter.close()
            await store.close()

    api = Router(
        path="/",
        route_handlers=[create_realtime_token, AgentsController, CallsController],
        middleware=[DefineMiddleware(ApiKeyAuthentication)],
        before_request=require_json,
    )
    return Litestar(
        route_handlers=[api, livekit_webhook, healthz, readyz],
        dependencies=DEPENDENCIES,
        state=State(
            {
                "container": container,
                "store": store,
                "token_issuer": container.token_issuer(),
                "authenticate_api_key": container.authenticate_api_key(),
                "issue_realtime_token_once": container.issue_realtime_token_once(),
                "rate_limiter": rate_limiter,
            }
        ),
        lifespan=[storage_lifespan],
        before_send=[echo_request_id, add_security_headers, add_rate_limit_headers],
        request_max_body_size=MAX_BODY_BYTES,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(
            title="Realtime Tokens",
            version=VERSION,
            path="/schema",
            render_plugins=[SwaggerRenderPlugin()],
            components=Components(
                security_schemes={
                    "bearerAuth": SecurityScheme(
                        type="http", scheme="bearer", description="Your API key (rtk_…)"
                    )
                }
            ),
        ),
        debug=False,
    )
