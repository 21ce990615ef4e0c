"""The cursor's wire format: what the API hands out round-trips, anything else is refused."""

import base64
import json
from datetime import UTC, datetime

import pytest

from domain.errors import InvalidCursor
from domain.pagination import Cursor
from entrypoints.http.paging import decode_cursor, encode_cursor


def _cursor_token(value: object) -> str:
    return base64.urlsafe_b64encode(json.dumps(value).encode()).decode().rstrip("=")


def test_a_cursor_round_trips() -> None:
    cursor = Cursor(datetime(2026, 5, 1, 10, 0, 0, 123000, tzinfo=UTC), "an-id")
    assert decode_cursor(encode_cursor(cursor)) == cursor


@pytest.mark.parametrize(
    "token",
    [
        "not base64!",
        _cursor_token([1, 2]),
        _cursor_token(["1", "id"]),
        _cursor_token([10**20, "id"]),
        _cursor_token([1795663318890, "\ud800"]),  # no store can hold a lone surrogate
        _cursor_token([1795663318890, "x" * 129]),
    ],
)
def test_a_cursor_this_api_did_not_write_is_refused(token: str) -> None:
    with pytest.raises(InvalidCursor):
        decode_cursor(token)
