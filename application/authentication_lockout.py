from datetime import datetime, timedelta

from domain.errors import RateLimited
from domain.ports import Clock, RateLimiter

_MAX_TRACKED_CLIENTS = 10_000


class AuthenticationLockout:
    """Bounds failed authentications per client (an address, or whatever the caller uses to
    tell clients apart).

    Rules: each failure counts one hit on the client's failure limit; once the limit is
    used up, every attempt from that client until the window resets is RateLimited before
    it reaches the key store (a failure already past the limit, counted by another replica,
    is RateLimited itself). Successes are not counted, so a
    client that only presents good keys is never locked out. Locks are per process (the
    count itself is shared when the limiter is).
    """

    def __init__(self, limiter: RateLimiter, clock: Clock) -> None:
        self._limiter = limiter
        self._clock = clock
        self._locked_until: dict[str, datetime] = {}

    def check(self, client: str) -> None:
        until = self._locked_until.get(client)
        if until is None:
            return
        wait = (until - self._clock.now()).total_seconds()
        if wait <= 0:
            del self._locked_until[client]
            return
        raise RateLimited(max(1, round(wait)))

    async def failed(self, client: str) -> None:
        decision = await self._limiter.hit(f"failed-auth:{client}")
        if decision is None or decision.remaining > 0:
            return
        now = self._clock.now()
        if len(self._locked_until) >= _MAX_TRACKED_CLIENTS:
            self._locked_until = {c: u for c, u in self._locked_until.items() if u > now}
        self._locked_until[client] = now + timedelta(seconds=decision.reset_seconds)
        if not decision.allowed:
            raise RateLimited(decision.reset_seconds)
