"""Response headers edited as the raw ASGI list. The before_send hooks run on every response,
and Litestar's MutableScopeHeaders decodes and rescans the whole list for each single change."""

from collections.abc import Iterable
from typing import Any

from litestar.types import Message

RawHeaders = list[tuple[bytes, bytes]]


def response_start_headers(message: Message) -> RawHeaders | None:
    """The mutable header list of an `http.response.start` message; None for other messages."""
    if message["type"] != "http.response.start":
        return None
    start: dict[str, Any] = message  # type: ignore[assignment]
    headers = start.get("headers")
    if not isinstance(headers, list):
        headers = list(headers or ())
        start["headers"] = headers
    return headers


def value_of(headers: Iterable[tuple[bytes, bytes]], name: bytes) -> bytes:
    return next((value for key, value in headers if key.lower() == name), b"")
