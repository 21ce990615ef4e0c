"""Requests to an app in this process from a client address of the test's choosing."""

from typing import Any, cast

import httpx
from litestar import Litestar


def from_address(app: Litestar, address: str) -> httpx.AsyncClient:
    """No lifespan is run: start it elsewhere (AsyncTestClient) when the app needs it."""
    transport = httpx.ASGITransport(app=cast(Any, app), client=(address, 40_000))
    return httpx.AsyncClient(transport=transport, base_url="http://testserver")
