import math
from dataclasses import dataclass

from domain.frozen import positional


@dataclass(frozen=True, slots=True)
class RateLimitPolicy:
    """At most `limit` requests per fixed window of `window_seconds`; limit 0 disables."""

    limit: int
    window_seconds: int = 60

    def __post_init__(self) -> None:
        if self.limit < 0 or self.window_seconds < 1:
            raise ValueError("a rate limit is >= 0 requests per window of >= 1 s")

    @property
    def enabled(self) -> bool:
        return self.limit > 0

    def window_at(self, epoch_seconds: float) -> int:
        return int(epoch_seconds // self.window_seconds)

    def seconds_left(self, epoch_seconds: float) -> int:
        end = (self.window_at(epoch_seconds) + 1) * self.window_seconds
        return max(1, math.ceil(end - epoch_seconds))


@dataclass(frozen=True, slots=True)
class RateLimitDecision:
    allowed: bool
    limit: int
    remaining: int
    reset_seconds: int

    @classmethod
    def after(
        cls, policy: RateLimitPolicy, count: int, epoch_seconds: float
    ) -> "RateLimitDecision":
        limit = policy.limit
        return _decision(
            count <= limit, limit, max(0, limit - count), policy.seconds_left(epoch_seconds)
        )


_decision = positional(RateLimitDecision)  # one per rate-limited request
