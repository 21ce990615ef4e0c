from litestar.types import Message, Scope

from entrypoints.http.raw_headers import add_missing, response_start_headers, value_of
from entrypoints.http.schema_page import SCHEMA_PAGE_CSP

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
_FOR_SCHEMA_PAGE = {
    **_ALWAYS,
    b"content-security-policy": SCHEMA_PAGE_CSP.encode(),
}


async def add_security_headers(message: Message, scope: Scope) -> None:
    """A before_send hook; JSON answers also get a CSP that forbids everything, and the
    Swagger UI page one that allows its pinned assets only."""
    headers = response_start_headers(message)
    if headers is None:
        return
    content_type = value_of(headers, b"content-type")
    if b"json" in content_type:
        add_missing(headers, _FOR_JSON)
    elif content_type.startswith(b"text/html") and scope["path"].startswith("/schema"):
        add_missing(headers, _FOR_SCHEMA_PAGE)
    else:
        add_missing(headers, _ALWAYS)
