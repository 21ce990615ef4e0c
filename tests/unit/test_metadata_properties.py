import collections
import enum
import types
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.call import tagged_metadata
from domain.errors import InvalidMetadata
from domain.metadata import _small_and_flat, check_metadata, check_metadata_in_full
from tests.support.json_strategies import any_metadata, safe_metadata

# Objects at and around the shortcut's bounds: flat, short, ASCII or not, ints past 64 bits.
_edgy_text = (
    st.text(st.sampled_from('a$.\x00\x1f"\\é\ud800'), max_size=3)
    | st.text(st.sampled_from("ab\x01"), min_size=60, max_size=70)
    | st.text(st.sampled_from("a\x01"), min_size=1000, max_size=1100)  # 16 of them: > 16 KiB
)
flat_metadata = st.dictionaries(
    _edgy_text,
    st.none()
    | st.booleans()
    | st.integers(-(2**64), 2**64)
    | _edgy_text
    | st.floats()
    | st.lists(st.integers(), max_size=1),
    max_size=18,
)


@given(safe_metadata)
def test_safe_json_objects_are_accepted(metadata: dict[str, Any]) -> None:
    check_metadata(metadata)


def _rejection(metadata: dict[str, Any]) -> InvalidMetadata | None:
    try:
        check_metadata(metadata)
    except InvalidMetadata as error:
        return error
    return None


@given(any_metadata)
def test_validation_either_accepts_or_names_a_field(metadata: dict[str, Any]) -> None:
    rejection = _rejection(metadata)
    if rejection is not None:
        assert rejection.field.startswith("metadata")
        assert rejection.reason


@given(any_metadata)
def test_the_webrtc_tag_always_wins_and_the_rest_is_kept(metadata: dict[str, Any]) -> None:
    tagged = tagged_metadata(metadata)
    assert tagged["type"] == "webrtc"
    assert {k: v for k, v in tagged.items() if k != "type"} == {
        k: v for k, v in metadata.items() if k != "type"
    }


def _verdict(check: Any, metadata: dict[str, Any]) -> object:
    try:
        check(metadata)
    except Exception as error:  # whatever it raises, both raise alike
        return (type(error), error.args)
    return None


@given(any_metadata | flat_metadata | safe_metadata)
def test_the_shortcut_gives_the_full_checks_verdict(metadata: dict[str, Any]) -> None:
    assert _verdict(check_metadata, metadata) == _verdict(check_metadata_in_full, metadata)


@given(flat_metadata | safe_metadata)
def test_what_the_shortcut_accepts_the_full_check_accepts(metadata: dict[str, Any]) -> None:
    if _small_and_flat(metadata):
        check_metadata_in_full(metadata)


class _Text(str):
    pass


EDGES: list[Any] = [
    {"a.b": None},
    {"$a": 1},
    {"": 1},
    {"a\x00": 1},
    {"é": 1},
    {"a": "é"},
    {"a": "\ud800"},
    {"a": 2**63},
    {"a": 2**63 - 1},
    {"a": -(2**63)},
    {"a": -(2**63) - 1},
    {"k" * 64: 1},
    {"k" * 65: 1},
    {"k" * 257: 1},
    {"a": "x" * 64},
    {"a": "x" * 65},
    {f"k{n}": "\x01" * 1100 for n in range(16)},
    {f"k{n}": n for n in range(16)},
    {f"k{n}": n for n in range(17)},
    {f"k{n}": "\x01" * 64 for n in range(60)},
    {"\ud800": 1},
    {"a": 1.5},
    {"a": float("nan")},
    {"a": [1]},
    {"a": {}},
    {1: "x"},
    {"a": True, "b": None},
    {"a": _Text("x")},
    {_Text("a"): 1},
    collections.OrderedDict(a=1),
    types.MappingProxyType({"a": 1}),
    {"a": object()},
]


@pytest.mark.parametrize("metadata", EDGES)
def test_the_shortcut_gives_the_full_checks_verdict_at_its_edges(metadata: Any) -> None:
    assert _verdict(check_metadata, metadata) == _verdict(check_metadata_in_full, metadata)


def test_the_shortcut_takes_the_seed_routes_usual_metadata() -> None:
    assert _small_and_flat({"user_id": "usr_456", "plan": "pro", "seats": 3, "trial": False})
    assert not _small_and_flat({"a": {"nested": 1}})
    assert not _small_and_flat({"a": 1.5})


class Level(enum.IntEnum):
    LOW = 1
    HUGE = 2**63


def test_an_int_subclass_is_checked_by_value_at_once() -> None:
    """An embedder may pass an IntEnum member: `in range(...)` would walk the whole range."""
    check_metadata({"level": Level.LOW})
    check_metadata_in_full({"level": Level.LOW, "nested": {"n": Level.LOW}})
    with pytest.raises(InvalidMetadata, match="64-bit"):
        check_metadata({"level": Level.HUGE})
