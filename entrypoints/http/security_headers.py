from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

_ALWAYS = {
    "x-content-type-options": "nosniff",
    "x-frame-options": "DENY",
    "referrer-policy": "no-referrer",
    "strict-transport-security": "max-age=63072000; includeSubDomains",
}
_API_ONLY = {"content-security-policy": "default-src 'none'; frame-ancestors 'none'"}


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A before_send hook; JSON answers also get a CSP that forbids everything."""
    if message["type"] != "http.response.start":
        return
    headers = MutableScopeHeaders.from_message(message)
    for name, value in _ALWAYS.items():
        headers.setdefault(name, value)
    if "json" in (headers.get("content-type") or ""):
        for name, value in _API_ONLY.items():
            headers.setdefault(name, value)
