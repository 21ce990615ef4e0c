"""The data every target reads: one tenant with several keys and agents, and a neighbour
tenant, written through our own use cases so every target sees the production shape."""

from dataclasses import dataclass
from pathlib import Path

from entrypoints.container import Container
from entrypoints.runtime import running_container
from entrypoints.settings import Settings


@dataclass(frozen=True, slots=True)
class Credential:
    api_key: str
    agent_id: str


async def seed(uri: str, database: str, keys: int = 4, agents: int = 8) -> list[Credential]:
    async with running_container(Settings(mongodb_uri=uri, mongodb_database=database)) as c:
        tenant = await c.create_tenant()("Bench tenant")
        plaintexts = [(await c.create_api_key()(tenant.id)).plaintext for _ in range(keys)]
        agent_ids = [
            (await c.create_agent()(tenant.id, f"Bench agent {n}", f"bench-agent-{n}")).id
            for n in range(agents)
        ]
        await _seed_neighbour(c)
    return [Credential(key, agent) for key in plaintexts for agent in agent_ids]


async def _seed_neighbour(container: Container) -> None:
    neighbour = await container.create_tenant()("Neighbour tenant")
    await container.create_api_key()(neighbour.id)
    await container.create_agent()(neighbour.id, "Neighbour agent", None)


def write_credentials(credentials: list[Credential], path: Path) -> Path:
    """One "<api key> <agent id>" line each, as token.lua reads them."""
    path.write_text("".join(f"{c.api_key} {c.agent_id}\n" for c in credentials))
    path.chmod(0o600)
    return path
