"""`plainly`'s duplicate-key rule counts colons; the count must be the walk it replaced."""

from typing import Any

import msgspec
import pytest

from entrypoints.http.json_body import _colons, plainly
from entrypoints.http.schemas import TokenRequest

AGENT = "6f1c1f0e-8d5e-4a5e-9a7e-1b2c3d4e5f60"


def _walked(value: Any) -> int:
    """Each object key's structural colon, plus every colon inside a key or string."""
    if isinstance(value, str):
        return value.count(":")
    if isinstance(value, dict):
        return sum(1 + key.count(":") + _walked(item) for key, item in value.items())
    if isinstance(value, list):
        return sum(_walked(item) for item in value)
    return 0


@pytest.mark.parametrize(
    "body",
    [
        b"{}",
        b'{"a":1}',
        b'{"a:b":"c:d","e":[":",{"f":"::"},[1.5e300,-0,true,null]]}',
        b'{"n\xc3\xa9:":"\xe2\x80\xa8:\xf0\x9f\x98\x80","q":"\\":\\\\:"}',
        b'{"a":{"b":{"c":{"d":[{"e":"http://x:1"}]}}}}',
        b'[":",{"k":""}]',
        b'"a:b"',
        b"12",
    ],
)
def test_the_colon_count_is_the_walk(body: bytes) -> None:
    value = msgspec.json.decode(body)
    assert _colons(value) == _walked(value)


def test_a_key_named_twice_is_not_plain_and_a_colon_in_a_string_is() -> None:
    decoder = msgspec.json.Decoder(TokenRequest, strict=True)
    twice = b'{"agent_id":"%s","metadata":{"a":1,"a":2}}' % AGENT.encode()
    in_string = b'{"agent_id":"%s","metadata":{"url":"http://x:1"}}' % AGENT.encode()
    assert plainly(twice, decoder) is None
    plain = plainly(in_string, decoder)
    assert plain is not None
    assert plain.metadata == {"url": "http://x:1"}
