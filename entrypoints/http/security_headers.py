from collections.abc import Mapping

from litestar.types import Scope

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
JSON_DEFAULTS = list(_FOR_JSON.items())  # what every JSON answer gets, as raw headers
_FOR_SCHEMA_PAGE = {
    **_ALWAYS,
    b"content-security-policy": SCHEMA_PAGE_CSP.encode(),
}


def security_defaults(content_type: bytes, scope: Scope) -> Mapping[bytes, bytes]:
    """Set on every response that does not set them itself; JSON answers also get a CSP that
    forbids everything, and the Swagger UI page one that allows its pinned assets only."""
    if b"json" in content_type:
        return _FOR_JSON
    if content_type.startswith(b"text/html") and scope["path"].startswith("/schema"):
        return _FOR_SCHEMA_PAGE
    return _ALWAYS
