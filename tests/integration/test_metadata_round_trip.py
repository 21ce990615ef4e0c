"""Whatever metadata validation accepts, MongoDB gives back unchanged."""

import uuid
from datetime import timedelta
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from pymongo import AsyncMongoClient

from adapters.clock import SystemClock
from adapters.mongo.calls import MongoCallRepository
from domain.call import Call
from domain.errors import InvalidMetadata
from domain.metadata import check_metadata
from tests.support.json_strategies import any_metadata

pytestmark = pytest.mark.integration


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(metadata=any_metadata)
async def test_accepted_metadata_round_trips_through_mongodb(
    mongo_client: AsyncMongoClient[dict[str, Any]], metadata: dict[str, Any]
) -> None:
    try:
        check_metadata(metadata)
    except InvalidMetadata:
        return
    calls = MongoCallRepository(mongo_client["metadata_round_trip"])
    call = Call.queue_webrtc(
        tenant_id=f"t-{uuid.uuid4()}",
        agent_id="a",
        metadata=metadata,
        now=SystemClock().now(),
        join_window=timedelta(minutes=1),
    )
    await calls.add(call)
    stored = await calls.get_for_tenant(call.tenant_id, call.id)
    assert stored is not None
    assert stored.metadata == call.metadata
