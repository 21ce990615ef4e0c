"""`serve --dev`: a demo tenant, key and agent, kept across runs in a local, private file."""

import json
import os
from dataclasses import asdict, dataclass
from pathlib import Path

from domain.errors import AuthenticationFailed, DispatchNameTaken
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


async def ensure_demo(container: Container, state_file: Path) -> DemoCredentials:
    existing = load_demo(state_file)
    if existing is not None and await _still_valid(container, existing):
        return existing
    tenant = await container.create_tenant()(DEMO_TENANT)
    minted = await container.create_api_key()(tenant.id)
    try:
        agent = await container.create_agent()(tenant.id, DEMO_AGENT, DEMO_DISPATCH_NAME)
    except DispatchNameTaken:  # an earlier demo tenant in this database owns the name
        suffixed = f"{DEMO_DISPATCH_NAME}-{tenant.id[:8]}"
        agent = await container.create_agent()(tenant.id, DEMO_AGENT, suffixed)
    demo = DemoCredentials(tenant_id=tenant.id, api_key=minted.plaintext, agent_id=agent.id)
    state_file.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(state_file, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "w") as out:
        json.dump(asdict(demo), out)
    return demo


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
    try:
        principal = await container.authenticate_api_key()(demo.api_key)
    except AuthenticationFailed:
        return False
    agent = await container.agents().get_for_tenant(principal.tenant_id, demo.agent_id)
    return agent is not None
