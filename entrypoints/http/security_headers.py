from litestar.types import Message, Scope

from entrypoints.http.raw_headers import add_missing, response_start_headers, value_of

_ALWAYS = {
    b"x-content-type-options": b"nosniff",
    b"x-frame-options": b"DENY",
    b"referrer-policy": b"no-referrer",
    b"strict-transport-security": b"max-age=63072000; includeSubDomains",
}
_FOR_JSON = {
    **_ALWAYS,
    b"content-security-policy": b"default-src 'none'; frame-ancestors 'none'",
}


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A before_send hook; JSON answers also get a CSP that forbids everything."""
    headers = response_start_headers(message)
    if headers is None:
        return
    if b"json" in value_of(headers, b"content-type"):
        add_missing(headers, _FOR_JSON)
    else:
        add_missing(headers, _ALWAYS)
