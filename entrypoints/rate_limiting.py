from redis.asyncio import Redis

from adapters.rate_limit.memory import InMemoryRateLimiter
from adapters.rate_limit.redis import RedisRateLimiter
from domain.ports import Clock, RateLimiter
from domain.rate_limit import RateLimitPolicy

_REDIS_TIMEOUT_SECONDS = 0.25


def choose_rate_limiter(redis_url: str | None, per_minute: int, clock: Clock) -> RateLimiter:
    """Redis when REDIS_URL is set (shared by replicas); otherwise per process."""
    policy = RateLimitPolicy(limit=per_minute)
    if not redis_url:
        return InMemoryRateLimiter(policy, clock)
    redis = Redis.from_url(
        redis_url,
        socket_timeout=_REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=_REDIS_TIMEOUT_SECONDS,
    )
    return RedisRateLimiter(redis, policy, clock)
