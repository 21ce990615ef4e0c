import logging

from redis.asyncio import Redis
from redis.exceptions import RedisError

from domain.ports import Clock
from domain.rate_limit import RateLimitDecision, RateLimitPolicy

logger = logging.getLogger("realtime_tokens.rate_limit")


class RedisRateLimiter:
    """Shared by every replica: one INCR per request on a key per subject and window.

    Fails open: if Redis is unreachable, requests are not limited (and a warning is logged),
    so a cache outage never stops token issuance.
    """

    def __init__(self, redis: "Redis", policy: RateLimitPolicy, clock: Clock) -> None:
        self._redis = redis
        self._policy = policy
        self._clock = clock

    async def hit(self, subject: str) -> RateLimitDecision | None:
        if not self._policy.enabled:
            return None
        now = self._clock.now().timestamp()
        key = f"realtime-tokens:rate:{subject}:{self._policy.window_at(now)}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.incr(key)
                pipe.expire(key, self._policy.window_seconds + 1)
                count, _ = await pipe.execute()
        except (RedisError, OSError) as error:
            logger.warning("rate limiter unavailable, not limiting: %r", error)
            return None
        return RateLimitDecision.after(self._policy, int(count), now)

    async def close(self) -> None:
        await self._redis.aclose()
