from collections.abc import Callable

from litestar.types import ASGIApp, Receive, Scope, Send

from domain.errors import RateLimited
from domain.ports import RateLimiter
from domain.rate_limit import RateLimitDecision
from domain.tenant import KeyKind, Principal
from entrypoints.http.scope_state import scope_state

_STATE_KEY = "rate_limit"


Subject = Callable[[Principal, Scope], str | None]


def per_key(principal: Principal, _: Scope) -> str:
    return principal.api_key_id


def per_client_of_a_publishable_key(principal: Principal, scope: Scope) -> str | None:
    """Anyone can read a publishable key: each client address gets a share of its own."""
    if principal.key_kind is not KeyKind.PUBLISHABLE:
        return None
    client = scope.get("client")
    return f"{principal.api_key_id}:{client[0] if client else 'unknown'}"


class RateLimit:
    """After authentication: one hit on the subject's limit per request; past it, 429 with
    Retry-After, before the body is read. Stack the narrowest limit first: a request it
    refuses never reaches (and never spends) a wider one. The response's headers are those
    of the limit closest to refusing the caller."""

    def __init__(
        self, app: ASGIApp, limiter: Callable[[], RateLimiter], subject: Subject = per_key
    ) -> None:
        self._app = app
        self._limiter = limiter
        self._subject = subject

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        principal = scope.get("user")
        if isinstance(principal, Principal):
            await spend(self._limiter(), self._subject(principal, scope), scope)
        await self._app(scope, receive, send)


async def spend(limiter: RateLimiter, subject: str | None, scope: Scope) -> None:
    """One hit on `subject`'s limit (none: this limit does not apply); RateLimited past it.
    The middleware and the lean token path both spend through here."""
    if subject is None:
        return
    decision = await limiter.hit(subject)
    if decision is not None:
        state = scope_state(scope)
        if _closer_to_refusing(decision, state.get(_STATE_KEY)):
            state[_STATE_KEY] = decision
        if not decision.allowed:
            raise RateLimited(decision.reset_seconds)


def _closer_to_refusing(decision: RateLimitDecision, shown: object) -> bool:
    if not isinstance(shown, RateLimitDecision):
        return True
    return not decision.allowed or decision.remaining < shown.remaining


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


def rate_limit_headers(scope: Scope) -> dict[bytes, bytes]:
    """The limit closest to refusing this caller, on the response (response_headers.py)."""
    decision = scope.get("state", {}).get(_STATE_KEY)
    return headers_for(decision) if isinstance(decision, RateLimitDecision) else {}
