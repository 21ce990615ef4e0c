from litestar.types import Message, Scope

from domain.rate_limit import RateLimitDecision
from entrypoints.http.raw_headers import replace, response_start_headers
from entrypoints.http.scope_state import scope_state

_STATE_KEY = "rate_limit"


def remember(scope: Scope, decision: RateLimitDecision) -> None:
    scope_state(scope)[_STATE_KEY] = decision


def headers_for(decision: RateLimitDecision, window_seconds: int = 60) -> dict[bytes, bytes]:
    """IETF httpapi-ratelimit-headers fields, plus Retry-After when refused."""
    headers = {
        b"ratelimit-limit": b"%d" % decision.limit,
        b"ratelimit-remaining": b"%d" % decision.remaining,
        b"ratelimit-reset": b"%d" % decision.reset_seconds,
        b"ratelimit-policy": b"%d;w=%d" % (decision.limit, window_seconds),
    }
    if not decision.allowed:
        headers[b"retry-after"] = b"%d" % decision.reset_seconds
    return headers


async def add_rate_limit_headers(message: Message, scope: Scope) -> None:
    headers = response_start_headers(message)
    decision = scope_state(scope).get(_STATE_KEY)
    if headers is not None and isinstance(decision, RateLimitDecision):
        replace(headers, headers_for(decision))
