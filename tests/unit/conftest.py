from collections.abc import AsyncIterator

import httpx
import pytest
from litestar.testing import AsyncTestClient

from entrypoints.http.app import create_app
from tests.support.world import Seeded, World, fake_world


@pytest.fixture
def world() -> World:
    return fake_world()


@pytest.fixture
async def seeded(world: World) -> Seeded:
    return await world.seed_tenant()


@pytest.fixture
async def client(world: World) -> AsyncIterator[httpx.AsyncClient]:
    """The HTTP API over fakes, without the dev demo."""
    async with AsyncTestClient(create_app(world.container)) as test_client:
        yield test_client
