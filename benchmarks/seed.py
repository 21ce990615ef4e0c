"""The data every target reads: one tenant with several keys and agents, and a neighbour
tenant, written through our own use cases so every target sees the production shape."""

from dataclasses import dataclass
from pathlib import Path

from entrypoints.container import Container
from entrypoints.runtime import running_container
from entrypoints.settings import Settings

BENCH_ORIGIN = "http://bench.localhost"


@dataclass(frozen=True, slots=True)
class Credential:
    """A key and the agent it calls: (secret key, agent id) for the seed route, (publishable
    key, dispatch name) for LiveKit's token endpoint."""

    api_key: str
    agent_id: str


@dataclass(frozen=True, slots=True)
class Seeded:
    secret: list[Credential]
    publishable: list[Credential]


async def seed(uri: str, database: str, keys: int = 4, agents: int = 8) -> Seeded:
    async with running_container(Settings(mongodb_uri=uri, mongodb_database=database)) as c:
        tenant = await c.create_tenant()("Bench tenant")
        plaintexts = [(await c.create_api_key()(tenant.id)).plaintext for _ in range(keys)]
        created = [
            await c.create_agent()(tenant.id, f"Bench agent {n}", f"bench-agent-{n}")
            for n in range(agents)
        ]
        publishable = [
            (await c.create_publishable_key()(tenant.id, [BENCH_ORIGIN])).plaintext
            for _ in range(keys)
        ]
        await _seed_neighbour(c)
    return Seeded(
        secret=[Credential(key, agent.id) for key in plaintexts for agent in created],
        publishable=[
            Credential(key, agent.dispatch_name) for key in publishable for agent in created
        ],
    )


async def _seed_neighbour(container: Container) -> None:
    neighbour = await container.create_tenant()("Neighbour tenant")
    await container.create_api_key()(neighbour.id)
    await container.create_agent()(neighbour.id, "Neighbour agent", None)


def write_credentials(credentials: list[Credential], path: Path) -> Path:
    """One "<key> <agent>" line each, as token.lua and livekit_token.lua read them."""
    path.write_text("".join(f"{c.api_key} {c.agent_id}\n" for c in credentials))
    path.chmod(0o600)
    return path
