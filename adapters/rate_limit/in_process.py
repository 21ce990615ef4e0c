from domain.ports import Clock
from domain.rate_limit import RateLimitDecision, RateLimitPolicy

_MAX_SUBJECTS = 100_000


class InProcessRateLimiter:
    """Per process: with N replicas each allows the limit, so use Redis there."""

    def __init__(self, policy: RateLimitPolicy, clock: Clock) -> None:
        self._policy = policy
        self._enabled = policy.enabled  # the policy is frozen
        self._window_at = policy.window_at
        self._clock = clock
        self._counts: dict[str, tuple[int, int]] = {}

    async def hit(self, subject: str) -> RateLimitDecision | None:
        if not self._enabled:
            return None
        now = self._clock.now().timestamp()
        window = self._window_at(now)
        seen_window, count = self._counts.get(subject, (window, 0))
        count = count + 1 if seen_window == window else 1
        if len(self._counts) >= _MAX_SUBJECTS and subject not in self._counts:
            self._counts = {s: c for s, c in self._counts.items() if c[0] == window}
        self._counts[subject] = (window, count)
        return RateLimitDecision.after(self._policy, count, now)

    async def close(self) -> None:
        self._counts.clear()
