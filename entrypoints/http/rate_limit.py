from litestar.datastructures import MutableScopeHeaders
from litestar.types import Message, Scope

from domain.rate_limit import RateLimitDecision
from entrypoints.http.scope_state import scope_state

_STATE_KEY = "rate_limit"


def remember(scope: Scope, decision: RateLimitDecision) -> None:
    scope_state(scope)[_STATE_KEY] = decision


def headers_for(decision: RateLimitDecision, window_seconds: int = 60) -> dict[str, str]:
    """IETF httpapi-ratelimit-headers fields, plus Retry-After when refused."""
    headers = {
        "ratelimit-limit": str(decision.limit),
        "ratelimit-remaining": str(decision.remaining),
        "ratelimit-reset": str(decision.reset_seconds),
        "ratelimit-policy": f"{decision.limit};w={window_seconds}",
    }
    if not decision.allowed:
        headers["retry-after"] = str(decision.reset_seconds)
    return headers


async def add_rate_limit_headers(message: Message, scope: Scope) -> None:
    if message["type"] != "http.response.start":
        return
    decision = scope_state(scope).get(_STATE_KEY)
    if isinstance(decision, RateLimitDecision):
        response_headers = MutableScopeHeaders.from_message(message)
        for name, value in headers_for(decision).items():
            response_headers[name] = value
