"""Cross-origin access to LiveKit's token endpoint, and to nothing else.

A preflight carries no credentials, so it cannot know the key: Litestar's own OPTIONS answer
for the endpoint's paths gets the CORS headers for any origin, and the key's origins are
enforced on the request itself, whose answer names the origin only when the key allows it.
Every other route sends no CORS headers at all."""

from collections.abc import Collection

from litestar.types import Scope

from domain.publishable_key import canonical_origin
from entrypoints.http.raw_headers import value_of
from entrypoints.http.scope_state import scope_state

_ALLOWED_ORIGIN = "cors_origin"
ALLOWED_HEADERS = b"authorization, content-type, x-sandbox-id"
MAX_AGE_SECONDS = 600
EXPOSED_HEADERS = (
    b"retry-after, x-request-id, ratelimit-limit, ratelimit-remaining, ratelimit-reset"
)


def allow_origin(scope: Scope, origin: str) -> None:
    """This request's answer, whatever it is, may be read by a page from `origin`."""
    scope_state(scope)[_ALLOWED_ORIGIN] = origin


class CrossOriginHeaders:
    """For preflights of `paths`, and the answers of requests whose key allowed their origin
    (response_headers.py sets them)."""

    def __init__(self, paths: Collection[str]) -> None:
        self._paths = frozenset(paths)

    def __call__(self, scope: Scope) -> dict[bytes, bytes]:
        if scope.get("method") == "OPTIONS" and scope["path"] in self._paths:
            return _preflight(value_of(scope["headers"], b"origin").decode("latin-1"))
        if (allowed := scope.get("state", {}).get(_ALLOWED_ORIGIN)) is not None:
            return {
                b"access-control-allow-origin": allowed.encode("latin-1"),
                b"access-control-expose-headers": EXPOSED_HEADERS,
                b"vary": b"Origin",
            }
        return {}


def _preflight(origin: str) -> dict[bytes, bytes]:
    headers = {
        b"vary": b"Origin",
        b"access-control-allow-methods": b"POST",
        b"access-control-allow-headers": ALLOWED_HEADERS,
        b"access-control-max-age": b"%d" % MAX_AGE_SECONDS,
    }
    if canonical_origin(origin) is not None:  # none, or not an origin: no allow-origin
        headers[b"access-control-allow-origin"] = origin.encode("latin-1")
    return headers
