"""`serve --dev` only: a browser page that starts a call with the seeded demo tenant's agents
the way a customer's page would: LiveKit's `TokenSource.endpoint` on /v1/livekit/token with
a publishable key bound to the page's own origins. No secret ever reaches the browser."""

from functools import cache
from pathlib import Path

import msgspec
from litestar import MediaType, Router, get
from litestar.datastructures import CacheControlHeader
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from application.agents import ListAgents
from entrypoints.dev_seed import DemoCredentials
from entrypoints.http.dependencies import Injected
from entrypoints.http.livekit_token import STANDARD_PATH
from entrypoints.http.loopback_host import loopback_host_only

STATIC_DIR = Path(__file__).with_name("static")


class DemoAgent(msgspec.Struct, kw_only=True):
    id: str
    name: str
    dispatch_name: str


class DemoConfig(msgspec.Struct, kw_only=True):
    """What the page needs; a publishable key is made to be shipped in a page."""

    token_endpoint: str
    publishable_key: str
    agents: list[DemoAgent]


@cache
def _page() -> str:
    return (STATIC_DIR / "demo.html").read_text(encoding="utf-8")


@get("/demo", media_type=MediaType.HTML, include_in_schema=False, sync_to_thread=False)
def demo_page() -> str:
    return _page()


@get(
    "/demo/config",
    include_in_schema=False,
    cache_control=CacheControlHeader(no_store=True),
)
async def demo_config(
    demo: Injected[DemoCredentials], list_agents: Injected[ListAgents]
) -> DemoConfig:
    return DemoConfig(
        token_endpoint=STANDARD_PATH,
        publishable_key=demo.publishable_key,
        agents=[
            DemoAgent(id=agent.id, name=agent.name, dispatch_name=agent.dispatch_name)
            for agent in await list_agents(demo.tenant_id)
        ],
    )


def demo_routes() -> list[ControllerRouterHandler]:
    assets = create_static_files_router(
        "/demo/static", directories=[STATIC_DIR], include_in_schema=False
    )
    routes: list[ControllerRouterHandler] = [demo_page, demo_config, assets]
    return [Router(path="/", route_handlers=routes, guards=[loopback_host_only])]
