import ast
import sys
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.agent import Agent
from domain.api_key import hash_api_key, looks_like_api_key, mint_api_key
from domain.call import Call, CallStatus
from domain.errors import InvalidMetadata, InvalidName
from domain.metadata import MAX_METADATA_BYTES, check_metadata

NOW = datetime(2026, 1, 1, tzinfo=UTC)


def test_a_new_call_is_queued_in_its_own_room() -> None:
    call = Call.queue_webrtc(
        tenant_id="t", agent_id="a", metadata={"k": 1}, now=NOW, join_window=timedelta(minutes=10)
    )
    assert call.status is CallStatus.QUEUED
    assert call.room_name == f"webrtc_{call.id}"
    assert call.participant_identity == f"caller_{call.id}"
    assert call.expires_at == NOW + timedelta(minutes=10)
    assert call.metadata == {"k": 1, "type": "webrtc"}


def test_minted_keys_are_high_entropy_prefixed_and_stored_hashed() -> None:
    minted = mint_api_key("tenant", NOW)
    assert minted.plaintext.startswith("rtk_")
    assert looks_like_api_key(minted.plaintext)
    assert minted.key.key_hash == hash_api_key(minted.plaintext)
    assert minted.plaintext not in repr(minted.key)
    assert minted.plaintext[4:] not in minted.key.hint
    assert mint_api_key("tenant", NOW).plaintext != minted.plaintext


def test_agent_dispatch_name_defaults_to_a_slug_of_its_name_and_id() -> None:
    derived = Agent.create("t", "  Sales Bot!  ", None, NOW)
    assert derived.dispatch_name == f"sales-bot-{derived.id[:8]}"
    assert Agent.create("t", "x", "my_agent.v2", NOW).dispatch_name == "my_agent.v2"


@pytest.mark.parametrize("dispatch_name", ["has space", "-lead", "x" * 129, "ümlaut"])
def test_agent_dispatch_name_must_be_a_livekit_agent_name(dispatch_name: str) -> None:
    with pytest.raises(InvalidName):
        Agent.create("t", "Agent", dispatch_name, NOW)


@pytest.mark.parametrize("name", ["", "   ", "x" * 201])
def test_names_are_bounded(name: str) -> None:
    with pytest.raises(InvalidName):
        Agent.create("t", name, "ok", NOW)


def test_reasonable_metadata_passes() -> None:
    check_metadata({"source": "web-app", "user_id": "usr_456", "n": [1, 2.5, None, True]})


@pytest.mark.parametrize(
    ("metadata", "field"),
    [
        ({"$set": 1}, "metadata"),
        ({"a.b": 1}, "metadata"),
        ({"nested": {"": 1}}, "metadata.nested"),
        ({"k" * 257: 1}, "metadata"),
        ({"big": 2**63}, "metadata.big"),
        ({"l": [{"$x": 1}]}, "metadata.l[0]"),
    ],
)
def test_unsafe_metadata_names_the_offending_field(metadata: dict[str, object], field: str) -> None:
    with pytest.raises(InvalidMetadata) as raised:
        check_metadata(metadata)
    assert raised.value.field == field


def test_metadata_depth_and_size_are_bounded() -> None:
    deep: dict[str, object] = {"leaf": 1}
    for _ in range(8):
        deep = {"d": deep}
    with pytest.raises(InvalidMetadata, match="deeper"):
        check_metadata(deep)
    with pytest.raises(InvalidMetadata, match="bytes"):
        check_metadata({"blob": "x" * MAX_METADATA_BYTES})


def test_domain_imports_only_the_standard_library() -> None:
    domain = Path(__file__).parents[2] / "domain"
    for source in domain.glob("*.py"):
        for node in ast.walk(ast.parse(source.read_text())):
            names = []
            if isinstance(node, ast.Import):
                names = [alias.name for alias in node.names]
            elif isinstance(node, ast.ImportFrom) and node.module:
                names = [node.module]
            for name in names:
                top = name.split(".")[0]
                assert top == "domain" or top in sys.stdlib_module_names, (source.name, name)


def test_minted_ids_are_random_version_4_uuids_as_uuid_writes_them() -> None:
    import uuid

    from domain.ids import new_hex_id, new_id

    minted = [new_id() for _ in range(200)]
    assert len(set(minted)) == 200
    for text in minted:
        parsed = uuid.UUID(text)
        assert (parsed.version, parsed.variant, str(parsed)) == (4, uuid.RFC_4122, text)
    hex_id = new_hex_id()
    assert uuid.UUID(hex=hex_id).hex == hex_id
    assert uuid.UUID(hex=hex_id).version == 4


@given(st.binary(min_size=16, max_size=16))
def test_an_id_is_the_version_4_uuid_of_its_random_bytes(raw: bytes) -> None:
    import uuid
    from unittest import mock

    from domain.ids import new_hex_id, new_id

    with mock.patch("os.urandom", return_value=raw):
        minted, hex_id = new_id(), new_hex_id()

    assert minted == str(uuid.UUID(bytes=raw, version=4))
    assert hex_id == uuid.UUID(bytes=raw, version=4).hex
