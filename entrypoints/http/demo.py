"""`serve --dev` only: a browser page that starts a call with the seeded demo tenant's agents.
The demo API key stays in this process; the browser only ever sees what a caller would."""

from functools import cache
from pathlib import Path
from typing import Any

import msgspec
from litestar import MediaType, Request, Router, get, post
from litestar.datastructures import CacheControlHeader
from litestar.params import JSONBody
from litestar.static_files import create_static_files_router
from litestar.types import ControllerRouterHandler

from application.agents import ListAgents
from application.issue_token import IssueTokenCommand
from application.issue_token_with_api_key import IssueTokenWithApiKey
from entrypoints.dev_seed import DemoCredentials
from entrypoints.http.dependencies import Injected
from entrypoints.http.json_body import check_json_body
from entrypoints.http.loopback_host import loopback_host_only
from entrypoints.http.observability import record_issued
from entrypoints.http.schemas import TokenRequest, TokenResponse

STATIC_DIR = Path(__file__).with_name("static")


class DemoAgent(msgspec.Struct, kw_only=True):
    id: str
    name: str
    dispatch_name: str


@cache
def _page() -> str:
    return (STATIC_DIR / "demo.html").read_text(encoding="utf-8")


@get("/demo", media_type=MediaType.HTML, include_in_schema=False, sync_to_thread=False)
def demo_page() -> str:
    return _page()


@get("/demo/agents", include_in_schema=False)
async def demo_agents(
    demo: Injected[DemoCredentials], list_agents: Injected[ListAgents]
) -> list[DemoAgent]:
    return [
        DemoAgent(id=agent.id, name=agent.name, dispatch_name=agent.dispatch_name)
        for agent in await list_agents(demo.tenant_id)
    ]


@post(
    "/demo/token",
    status_code=200,
    include_in_schema=False,
    cache_control=CacheControlHeader(no_store=True),
    before_request=check_json_body,  # a cross-site form post cannot send application/json
)
async def demo_token(
    request: Request[Any, Any, Any],
    data: JSONBody[TokenRequest],
    demo: Injected[DemoCredentials],
    issue_token_with_api_key: Injected[IssueTokenWithApiKey],
) -> TokenResponse:
    command = IssueTokenCommand(agent_id=data.agent_id, metadata={"source": "demo"})
    issued = await issue_token_with_api_key(demo.api_key, command)
    record_issued(request, issued, demo.tenant_id)
    return TokenResponse.of(issued)


def demo_routes() -> list[ControllerRouterHandler]:
    assets = create_static_files_router(
        "/demo/static", directories=[STATIC_DIR], include_in_schema=False
    )
    routes: list[ControllerRouterHandler] = [demo_page, demo_agents, demo_token, assets]
    return [Router(path="/", route_handlers=routes, guards=[loopback_host_only])]
