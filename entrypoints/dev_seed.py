"""`serve --dev`: a demo tenant, its secret key, an agent and a publishable key for the demo
page's own origins, kept across runs in a local, private file."""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from domain.errors import AuthenticationFailed, DispatchNameTaken, UnreadableRecord
from domain.publishable_key import canonical_origin
from entrypoints.container import Container
from entrypoints.runtime import home_dir

DEMO_TENANT = "Demo tenant"
DEMO_AGENT = "Demo voice agent"
DEMO_DISPATCH_NAME = "demo-agent"


def demo_state_file() -> Path:
    return home_dir() / "demo.json"


@dataclass(frozen=True, slots=True)
class DemoCredentials:
    tenant_id: str
    api_key: str
    agent_id: str
    publishable_key: str = ""  # for the demo page's origins; older state files have none


def demo_origins(host: str, port: int) -> list[str]:
    """Where a browser may load /demo from: loopback names only (`serve --dev` binds there)."""
    hosts = {host if ":" not in host else f"[{host}]", "127.0.0.1", "localhost", "[::1]"}
    origins = (canonical_origin(f"http://{name}:{port}") for name in sorted(hosts))
    return [origin for origin in origins if origin is not None]


async def ensure_demo(
    container: Container, state_file: Path, origins: list[str]
) -> DemoCredentials:
    existing = load_demo(state_file)
    if existing is None or not await _still_valid(container, existing):
        existing = await _new_demo_tenant(container)
    elif await _page_key_serves(container, existing, origins):
        return existing
    minted = await container.create_publishable_key()(existing.tenant_id, origins)
    demo = DemoCredentials(
        existing.tenant_id, existing.api_key, existing.agent_id, minted.plaintext
    )
    state_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(state_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(asdict(demo), out)
    return demo


async def _new_demo_tenant(container: Container) -> DemoCredentials:
    tenant = await container.create_tenant()(DEMO_TENANT)
    minted = await container.create_api_key()(tenant.id)
    try:
        agent = await container.create_agent()(tenant.id, DEMO_AGENT, DEMO_DISPATCH_NAME)
    except DispatchNameTaken:  # an earlier demo tenant in this database owns the name
        suffixed = f"{DEMO_DISPATCH_NAME}-{tenant.id[:8]}"
        agent = await container.create_agent()(tenant.id, DEMO_AGENT, suffixed)
    return DemoCredentials(tenant_id=tenant.id, api_key=minted.plaintext, agent_id=agent.id)


async def _page_key_serves(container: Container, demo: DemoCredentials, origins: list[str]) -> bool:
    """The stored publishable key still works, for every origin the page may be served from
    (another --port needs a key of its own)."""
    try:
        key = await container.authenticate_publishable_key()(demo.publishable_key)
    except (AuthenticationFailed, UnreadableRecord):  # an unreadable one is reported, replaced
        return False
    return all(key.allows_origin(origin) for origin in origins)


def demo_curl(base_url: str, demo: DemoCredentials) -> str:
    body = json.dumps({"agent_id": demo.agent_id, "metadata": {"source": "curl"}})
    return (
        f"curl -sS -X POST {base_url}/v1/realtime/token "
        f"-H 'Authorization: Bearer {demo.api_key}' "
        f"-H 'Content-Type: application/json' -d '{body}'"
    )


def load_demo(state_file: Path) -> DemoCredentials | None:
    try:
        return DemoCredentials(**json.loads(state_file.read_text()))
    except (OSError, ValueError, TypeError):
        return None


async def _still_valid(container: Container, demo: DemoCredentials) -> bool:
    """The stored demo's key and agent still work; one that cannot be read is replaced."""
    try:
        principal = await container.authenticate_api_key()(demo.api_key)
        agent = await container.agents().get_for_tenant(principal.tenant_id, demo.agent_id)
    except (AuthenticationFailed, UnreadableRecord):
        return False
    return agent is not None
