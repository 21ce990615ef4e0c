"""LiveKit's `room_config.agents[0].metadata` is parsed once when `plainly` can tell no key is
named twice; the verdict and the value must be those of the two-parser reading it replaced."""

import json
from typing import Any

import msgspec
import pytest
from hypothesis import given
from hypothesis import strategies as st

from domain.errors import InvalidRequestField
from entrypoints.http.json_body import DuplicateKey, refuse_duplicates
from entrypoints.http.token_source import _caller_metadata


def _reference(text: str) -> Any:
    """The reading before: msgspec must take it, then json.loads with duplicates refused."""
    try:
        msgspec.json.decode(text)
        metadata = json.loads(text, object_pairs_hook=refuse_duplicates)
    except (ValueError, msgspec.DecodeError):
        return InvalidRequestField
    except DuplicateKey as duplicate:
        return ("duplicate", duplicate.key)
    return metadata if isinstance(metadata, dict) else InvalidRequestField


def _verdict(text: str) -> Any:
    try:
        return _caller_metadata(text)
    except InvalidRequestField:
        return InvalidRequestField
    except DuplicateKey as duplicate:
        return ("duplicate", duplicate.key)


@pytest.mark.parametrize(
    "text",
    [
        '{"a":1}',
        '{"a":1,"a":2}',
        '{"a":{"b":1,"b":2}}',
        '{"a\\u003a":1,"a:":2}',
        '{"a:b":"c:d","e":[":",{"f":"::"}]}',
        '{"k":"\\ud800"}',
        '{"k":"\ud800"}',
        '{"n":NaN}',
        '{"n":1e400}',
        "[1]",
        '"text"',
        "{",
        '{"x":1} ',
    ],
)
def test_each_text_reads_as_before(text: str) -> None:
    assert _verdict(text) == _reference(text)


_KEYS = st.sampled_from(["a", "b", "a:", ":", "é", "\\u0061"])
_SCALARS = st.one_of(st.none(), st.booleans(), st.integers(), st.text(max_size=5))


def _json_text(keys: list[str], values: list[Any]) -> str:
    """An object written by hand, so that keys may repeat."""
    return (
        "{" + ",".join(f'"{k}":{json.dumps(v)}' for k, v in zip(keys, values, strict=False)) + "}"
    )


@given(st.lists(_KEYS, max_size=5), st.lists(_SCALARS, min_size=5, max_size=5))
def test_generated_objects_read_as_before(keys: list[str], values: list[Any]) -> None:
    text = _json_text(keys, values)
    assert _verdict(text) == _reference(text)
