"""MongoDB command latency reaches the metrics, through the container's real client."""

import uuid

import pytest
from pymongo.errors import OperationFailure

from adapters.mongo.store import MongoStore
from entrypoints.runtime import running_container
from entrypoints.settings import Settings
from tests.support.prometheus import sample

pytestmark = pytest.mark.integration
TIMED = "realtime_tokens_mongodb_command_duration_seconds_count"


async def test_each_command_is_timed_by_name_and_outcome(mongo_uri: str) -> None:
    settings = Settings(mongodb_uri=mongo_uri, mongodb_database=f"m_{uuid.uuid4().hex[:12]}")
    async with running_container(settings) as container:
        started = container.metrics().exposition().decode()  # start-up's own commands
        tenant = await container.create_tenant()("Acme")
        await container.list_agents()(tenant.id)
        store: MongoStore = container.store()
        with pytest.raises(OperationFailure):
            await store.db.command({"find": 5})  # not a collection name: the server says ok: 0
        await store.client.drop_database(settings.mongodb_database)
        exposition = container.metrics().exposition().decode()

    def added(command: str, outcome: str) -> float:
        after = sample(exposition, TIMED, command=command, outcome=outcome) or 0
        return after - (sample(started, TIMED, command=command, outcome=outcome) or 0)

    assert added("insert", "ok") == 1
    assert added("find", "ok") == 1
    assert added("find", "error") == 1
