import asyncio
from collections.abc import Mapping
from urllib.parse import urlsplit, urlunsplit

import httpx

from domain.webhook_delivery import SendOutcome

MAX_RESPONSE_BYTES = 4096
USER_AGENT = "realtime-tokens-webhooks/1"


class HttpxWebhookSender:
    """Connects to the address the caller checked, not to whatever the host resolves to by
    then (Host header and TLS SNI still name the host, so certificates are verified for it):
    a DNS answer changed between the check and the connection cannot reach a private
    address. Redirects are answers like any other, never followed; proxies from the
    environment are ignored. Whatever the client raises (a URL it cannot send, stored by an
    older version or by hand, among them) is answered as an error, never raised."""

    def __init__(self, timeout_seconds: float, max_response_bytes: int = MAX_RESPONSE_BYTES):
        self._timeout = timeout_seconds
        self._max_bytes = max_response_bytes
        self._client = httpx.AsyncClient(
            follow_redirects=False,
            trust_env=False,
            timeout=httpx.Timeout(timeout_seconds),
        )

    async def post(
        self, url: str, address: str, body: str, headers: Mapping[str, str]
    ) -> SendOutcome:
        parts = urlsplit(url)
        pinned = f"[{address}]" if ":" in address else address
        netloc = pinned if parts.port is None else f"{pinned}:{parts.port}"
        target = urlunsplit((parts.scheme, netloc, parts.path or "/", parts.query, ""))
        sent = {
            **headers,
            "host": parts.netloc,
            "content-type": "application/json",
            "user-agent": USER_AGENT,
        }
        try:
            async with asyncio.timeout(self._timeout):  # bounds a slow trickle too
                async with self._client.stream(
                    "POST",
                    target,
                    content=body.encode(),
                    headers=sent,
                    extensions={"sni_hostname": parts.hostname or ""},
                ) as response:
                    await _read_at_most(response, self._max_bytes)
                    return SendOutcome(status_code=response.status_code)
        except TimeoutError:
            return SendOutcome(error="timeout")
        except Exception as error:  # InvalidURL and kin are not HTTPError
            return SendOutcome(error=type(error).__name__)

    async def close(self) -> None:
        await self._client.aclose()


async def _read_at_most(response: httpx.Response, limit: int) -> None:
    read = 0
    async for chunk in response.aiter_raw():
        read += len(chunk)
        if read >= limit:
            return
