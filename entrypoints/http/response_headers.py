"""The one before_send hook: every response's headers edited in one pass over the raw list
(request id, security defaults, rate-limit fields, CORS), rather than one rescan per concern."""

from collections.abc import Collection

from litestar.types import Message, Scope

from entrypoints.http.cors import CrossOriginHeaders
from entrypoints.http.rate_limit import rate_limit_headers
from entrypoints.http.raw_headers import RawHeaders, response_start_headers
from entrypoints.http.request_id import request_id_header
from entrypoints.http.security_headers import JSON_DEFAULTS, security_defaults


class ResponseHeaders:
    """Sets the request id, the rate-limit fields and CORS (dropping any earlier value of
    those names), and adds the security defaults the response does not set itself."""

    def __init__(self, cross_origin_paths: Collection[str]) -> None:
        self._cross_origin = CrossOriginHeaders(cross_origin_paths)

    async def __call__(self, message: Message, scope: Scope) -> None:
        if message["type"] != "http.response.start":  # the body: nothing to edit, and most
            return
        headers = response_start_headers(message)
        if headers is not None:
            self.edit(headers, scope)

    def edit(self, headers: RawHeaders, scope: Scope) -> None:
        """`headers`, a response's own, as every response sends them."""
        replacing = self._replacing(scope)
        kept, present, content_type = [], set(), b""
        for name, value in headers:
            lower = name.lower()
            if lower in replacing:
                continue
            if lower == b"content-type":
                content_type = value
            present.add(lower)
            kept.append((name, value))
        defaults = security_defaults(content_type, scope)
        if present.isdisjoint(defaults):
            kept += defaults.items()
        else:
            kept += [(name, value) for name, value in defaults.items() if name not in present]
        kept += replacing.items()
        headers[:] = kept

    def extend_json_answer(self, headers: RawHeaders, scope: Scope) -> None:
        """`edit` for a JSON answer whose own headers are lower-case and none of those this
        sets (the lean token path's: cache-control, content-type, content-length): nothing of
        theirs to drop, every default to add."""
        headers += JSON_DEFAULTS
        headers += self._replacing(scope).items()

    def _replacing(self, scope: Scope) -> dict[bytes, bytes]:
        replacing = request_id_header(scope)
        replacing.update(rate_limit_headers(scope))
        replacing.update(self._cross_origin(scope))
        return replacing
