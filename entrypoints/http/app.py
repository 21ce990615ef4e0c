from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

from litestar import Litestar, Router
from litestar.datastructures import State
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import ControllerRouterHandler

from entrypoints.container import Container
from entrypoints.dev_seed import DemoCredentials
from entrypoints.http.auth import ApiKeyAuthentication
from entrypoints.http.demo import demo_routes
from entrypoints.http.errors import EXCEPTION_HANDLERS
from entrypoints.http.health import healthz, readyz
from entrypoints.http.observability import metrics_endpoint, observe_requests
from entrypoints.http.request_id import echo_request_id
from entrypoints.http.tokens import create_realtime_token

VERSION = "0.1.0"


def create_app(container: Container, demo: DemoCredentials | None = None) -> Litestar:
    """Nothing is built at import time: the container decides every adapter. With `demo`
    (`serve --dev` only) the browser demo and its token route exist; without it they do not."""
    store = container.store()
    metrics = container.metrics()

    @asynccontextmanager
    async def storage_lifespan(_: Litestar) -> AsyncIterator[None]:
        await store.start()
        try:
            yield
        finally:
            await store.close()

    api = Router(
        path="/",
        route_handlers=[create_realtime_token],
        middleware=[DefineMiddleware(ApiKeyAuthentication)],
    )
    routes: list[ControllerRouterHandler] = [api, healthz, readyz, metrics_endpoint]
    state: dict[str, Any] = {
        "store": store,
        "metrics": metrics,
        "token_issuer": container.token_issuer(),
        "authenticate_api_key": container.authenticate_api_key(),
        "issue_realtime_token": container.issue_realtime_token(),
    }
    if demo is not None:
        routes += demo_routes()
        state.update(demo=demo, list_agents=container.list_agents())
    app = Litestar(
        route_handlers=routes,
        state=State(state),
        lifespan=[storage_lifespan],
        before_send=[echo_request_id],
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
        logging_config=None,  # entrypoints/logs.py configures logging once per process
        debug=False,
    )
    return observe_requests(app, metrics)
