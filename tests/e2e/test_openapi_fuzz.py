"""Schemathesis over our own OpenAPI document, against the live server with a real key."""

import json
from typing import Any

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from litestar.serialization import encode_json
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
)

from entrypoints.http.app import create_app
from tests.e2e.conftest import Tenant
from tests.support.live import LiveServer
from tests.support.world import fake_world

pytestmark = pytest.mark.e2e

# Metadata rules (depth, bytes, key characters) are stricter than JSON Schema says, so a
# schema-valid body may get a 400: positive-data acceptance is not among the checks. Every
# status a route answers must be in its documented responses (status_code_conformance).
CHECKS = [
    not_a_server_error,
    negative_data_rejection,
    response_schema_conformance,
    status_code_conformance,
]
_document = create_app(fake_world().container).openapi_schema.to_schema()
schema = schemathesis.openapi.from_dict(json.loads(encode_json(_document)))


@schema.include(method="POST").parametrize()
@settings(
    max_examples=60,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
def test_the_token_routes_hold_their_contract(
    case: schemathesis.Case[Any], server: LiveServer, acme: Tenant
) -> None:
    positive = case.meta is None or not case.meta.generation.mode.is_negative
    metadata = case.body.get("metadata") if isinstance(case.body, dict) else None
    if (
        positive
        and isinstance(case.body, dict)
        and isinstance(metadata, dict)
        and len(metadata) % 2
    ):
        case.body["agent_id"] = acme.agent_id  # about half the valid cases reach a real agent
    case.call_and_validate(
        base_url=server.base_url,
        headers={"Authorization": f"Bearer {acme.api_key}"},
        checks=CHECKS,
    )


@schema.include(method="GET").parametrize()
@settings(
    max_examples=10, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
def test_the_operational_routes_hold_their_contract(
    case: schemathesis.Case[Any], server: LiveServer
) -> None:
    case.call_and_validate(base_url=server.base_url, checks=CHECKS)
