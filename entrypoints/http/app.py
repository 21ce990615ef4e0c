from collections.abc import AsyncIterator
from contextlib import asynccontextmanager

from litestar import Litestar, Router
from litestar.middleware import DefineMiddleware
from litestar.openapi import OpenAPIConfig
from litestar.openapi.spec import Components, SecurityScheme
from litestar.types import (
    ControllerRouterHandler,
    LifeSpanReceive,
    LifeSpanScope,
    LifeSpanSend,
    Receive,
    Scope,
    Send,
)

from entrypoints.access_log import write_access_line
from entrypoints.container import Container
from entrypoints.dev_seed import DemoCredentials
from entrypoints.http.agents import AgentsController
from entrypoints.http.auth import ApiKeyAuthentication, TokenEndpointAuthentication
from entrypoints.http.calls import CallsController
from entrypoints.http.demo import demo_routes
from entrypoints.http.dependencies import dependencies, resolver
from entrypoints.http.error_handler import EXCEPTION_HANDLERS
from entrypoints.http.health import healthz, readyz
from entrypoints.http.json_body import check_json_body
from entrypoints.http.livekit_token import (
    SANDBOX_PATH,
    STANDARD_PATH,
    livekit_token,
    sandbox_connection_details,
)
from entrypoints.http.observability import metrics_endpoint, observe_requests
from entrypoints.http.publishable_keys import PublishableKeysController
from entrypoints.http.rate_limit import RateLimit, per_client_of_a_publishable_key
from entrypoints.http.response_headers import ResponseHeaders
from entrypoints.http.schema_page import PinnedSwaggerUI
from entrypoints.http.token_path import TokenCollaborators, TokenPath
from entrypoints.http.tokens import create_realtime_token
from entrypoints.http.webhook_endpoints import WebhookEndpointsController
from entrypoints.http.webhooks import livekit_webhook
from entrypoints.sweeper import sweeping
from entrypoints.webhook_dispatcher import dispatch_steps, dispatching

VERSION = "0.1.0"
MAX_BODY_BYTES = 64 * 1024


def create_app(container: Container, demo: DemoCredentials | None = None) -> Litestar:
    """Nothing is built at import time: the container decides every adapter. With `demo`
    (`serve --dev` only) the browser demo and its token route exist; without it they do not."""
    settings = container.settings()
    sweep_interval = settings.sweep_interval_seconds

    @asynccontextmanager
    async def storage_lifespan(_: Litestar) -> AsyncIterator[None]:
        store = container.store()
        await store.start()
        token_path.start()
        try:
            async with (
                sweeping(container.expire_unjoined_calls(), sweep_interval),
                dispatching(
                    dispatch_steps(container),
                    container.metrics(),
                    settings.webhook_poll_seconds,
                    settings.webhook_concurrency_per_endpoint,
                ),
            ):
                yield
        finally:
            token_path.stop()
            write_access_line.flush()
            await container.webhook_sender().close()
            await container.rate_limiter().close()
            await container.auth_failure_limiter().close()
            await container.publishable_client_limiter().close()
            await store.close()

    api = Router(
        path="/",
        route_handlers=[
            create_realtime_token,
            AgentsController,
            CallsController,
            PublishableKeysController,
            WebhookEndpointsController,
        ],
        middleware=[
            DefineMiddleware(
                ApiKeyAuthentication,
                authenticate=resolver(container.authenticate_api_key),
                lockout=resolver(container.authentication_lockout),
            ),
            DefineMiddleware(RateLimit, limiter=resolver(container.rate_limiter)),
        ],
        before_request=check_json_body,
    )
    livekit = Router(
        path="/",
        route_handlers=[
            livekit_token,
            sandbox_connection_details,
        ],
        middleware=[
            DefineMiddleware(
                TokenEndpointAuthentication,
                secret=resolver(container.authenticate_api_key),
                publishable=resolver(container.authenticate_publishable_key),
                lockout=resolver(container.authentication_lockout),
                sandbox_path=SANDBOX_PATH,
            ),
            # Narrowest first: a request refused its address's share spends no key budget.
            DefineMiddleware(
                RateLimit,
                limiter=resolver(container.publishable_client_limiter),
                subject=per_client_of_a_publishable_key,
            ),
            DefineMiddleware(RateLimit, limiter=resolver(container.rate_limiter)),
        ],
        before_request=check_json_body,
    )
    routes: list[ControllerRouterHandler] = [
        api,
        livekit,
        livekit_webhook,
        healthz,
        readyz,
        metrics_endpoint,
    ]
    if demo is not None:
        routes += demo_routes()
    response_headers = ResponseHeaders([STANDARD_PATH, SANDBOX_PATH])
    app = TokenServiceApp(
        route_handlers=routes,
        dependencies=dependencies(container, demo),
        lifespan=[storage_lifespan],
        before_send=[response_headers],
        request_max_body_size=MAX_BODY_BYTES,
        exception_handlers=EXCEPTION_HANDLERS,  # type: ignore[arg-type]
        openapi_config=OpenAPIConfig(
            title="Realtime Tokens",
            version=VERSION,
            path="/schema",
            render_plugins=[PinnedSwaggerUI()],
            components=Components(
                security_schemes={
                    "bearerAuth": SecurityScheme(
                        type="http",
                        scheme="bearer",
                        description="Your API key (rtk_…); on LiveKit's token endpoint, "
                        "a publishable key (rtpk_…) too",
                    ),
                    "sandboxId": SecurityScheme(
                        type="apiKey",
                        name="X-Sandbox-ID",
                        security_scheme_in="header",
                        description="A publishable key (rtpk_…), as LiveKit's sandbox sends it",
                    ),
                }
            ),
        ),
        logging_config=None,  # entrypoints/logs.py configures logging once per process
        debug=False,
    )
    token_path = app.token_path = TokenPath(
        app,
        lambda: TokenCollaborators.of(container),
        MAX_BODY_BYTES,
        observe_requests(app, container.metrics()),
        response_headers,
    )
    return app


class TokenServiceApp(Litestar):
    """Litestar, entered through the token routes' lean path (`token_path.py`), which hands
    every request it does not answer itself to Litestar's own entry point."""

    token_path: TokenPath

    async def __call__(
        self,
        scope: Scope | LifeSpanScope,
        receive: Receive | LifeSpanReceive,
        send: Send | LifeSpanSend,
    ) -> None:
        await self.token_path(scope, receive, send)  # type: ignore[arg-type]
