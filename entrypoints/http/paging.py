"""Page cursors on the wire: opaque base64url of `[created_at millis, id]`."""

import base64
import binascii
import json
from typing import Annotated, Any

from litestar.params import QueryParameter

from domain.epoch import epoch_millis, from_epoch_millis
from domain.errors import InvalidCursor
from domain.pagination import MAX_LIMIT, Cursor, Page, PageRequest

MAX_ID_LENGTH = 128

Limit = Annotated[int, QueryParameter(ge=1, le=MAX_LIMIT, description="Page size")]
PageCursor = Annotated[
    str | None, QueryParameter(description="`next_cursor` of the previous page", max_length=200)
]


def encode_cursor(cursor: Cursor) -> str:
    raw = json.dumps([epoch_millis(cursor.created_at), cursor.id])
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(token: str) -> Cursor:
    try:
        padded = token + "=" * (-len(token) % 4)
        millis, item_id = json.loads(base64.urlsafe_b64decode(padded.encode()))
        if not isinstance(millis, int) or not isinstance(item_id, str):
            raise TypeError
        if len(item_id) > MAX_ID_LENGTH:
            raise ValueError
        item_id.encode()  # a lone surrogate is no id, and no store can hold it
        return Cursor(from_epoch_millis(millis), item_id)
    except (ValueError, TypeError, binascii.Error, OverflowError, OSError):
        raise InvalidCursor("the cursor is not one this API returned") from None


def page_request(limit: int, cursor: str | None) -> PageRequest:
    return PageRequest(limit=limit, after=None if cursor is None else decode_cursor(cursor))


def next_cursor(page: Page[Any]) -> str | None:
    return encode_cursor(page.next) if page.next else None
