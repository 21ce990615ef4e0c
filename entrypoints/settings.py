from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import TypeVar

from adapters.livekit.settings import LiveKitSettings
from adapters.mongo.client import DEFAULT_TIMEOUT_MS
from application.join_window import DEFAULT_TTL_SECONDS, JoinWindow
from domain.webhook_delivery import DEFAULT_RETRY_SECONDS, RetrySchedule

EMBEDDED_MONGODB_ENV = "REALTIME_TOKENS_EMBEDDED_MONGODB"
DEV_LIVEKIT = LiveKitSettings(
    url="ws://localhost:7880",
    api_key="devkey",
    api_secret="secret",  # noqa: S106 - livekit-server --dev's published credentials
    weak_secret_allowed=True,
)


DEFAULT_CACHE_TTL_SECONDS = 5.0
MAX_CACHE_TTL_SECONDS = 60.0
DEFAULT_RATE_LIMIT_PER_MINUTE = 600
DEFAULT_AUTH_FAILURES_PER_MINUTE = 20
DEFAULT_PUBLISHABLE_KEY_RATE_LIMIT_PER_IP = 30
DEFAULT_SWEEP_INTERVAL_SECONDS = 30.0
DEFAULT_WEBHOOK_RETRY_SECONDS = ",".join(str(s) for s in DEFAULT_RETRY_SECONDS)
DEFAULT_WEBHOOK_TIMEOUT_SECONDS = 10.0
MAX_WEBHOOK_TIMEOUT_SECONDS = 30.0
DEFAULT_WEBHOOK_POLL_SECONDS = 1.0
DEFAULT_WEBHOOK_CONCURRENCY_PER_ENDPOINT = 4


class ConfigurationError(ValueError):
    pass


@dataclass(frozen=True, slots=True)
class Settings:
    mongodb_uri: str | None = None
    mongodb_database: str = "realtime_tokens"
    mongodb_timeout_ms: int = DEFAULT_TIMEOUT_MS
    mongodb_embedded: bool = False
    livekit: LiveKitSettings = field(default_factory=LiveKitSettings)
    token_ttl_seconds: int = DEFAULT_TTL_SECONDS
    cache_ttl_seconds: float = DEFAULT_CACHE_TTL_SECONDS
    rate_limit_per_minute: int = DEFAULT_RATE_LIMIT_PER_MINUTE
    auth_failures_per_minute: int = DEFAULT_AUTH_FAILURES_PER_MINUTE
    publishable_key_rate_limit_per_ip: int = DEFAULT_PUBLISHABLE_KEY_RATE_LIMIT_PER_IP
    redis_url: str | None = None
    max_queued_calls_per_tenant: int = 0
    max_queued_calls_per_publishable_key: int = 0
    sweep_interval_seconds: float = DEFAULT_SWEEP_INTERVAL_SECONDS
    webhook_allow_private_targets: bool = False
    webhook_retry_seconds: str = DEFAULT_WEBHOOK_RETRY_SECONDS
    webhook_timeout_seconds: float = DEFAULT_WEBHOOK_TIMEOUT_SECONDS
    webhook_poll_seconds: float = DEFAULT_WEBHOOK_POLL_SECONDS
    webhook_concurrency_per_endpoint: int = DEFAULT_WEBHOOK_CONCURRENCY_PER_ENDPOINT

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, dev: bool = False) -> "Settings":
        livekit = LiveKitSettings(
            url=env.get("LIVEKIT_URL", ""),
            api_key=env.get("LIVEKIT_API_KEY", ""),
            api_secret=env.get("LIVEKIT_API_SECRET", ""),
        )
        if dev:
            livekit = LiveKitSettings(
                url=livekit.url or DEV_LIVEKIT.url,
                api_key=livekit.api_key or DEV_LIVEKIT.api_key,
                api_secret=livekit.api_secret or DEV_LIVEKIT.api_secret,
                weak_secret_allowed=True,
            )
        settings = cls(
            mongodb_uri=env.get("MONGODB_URI") or None,
            mongodb_database=env.get("MONGODB_DATABASE") or "realtime_tokens",
            mongodb_timeout_ms=_parsed(env, "MONGODB_TIMEOUT_MS", DEFAULT_TIMEOUT_MS),
            mongodb_embedded=_flag(env, EMBEDDED_MONGODB_ENV),
            livekit=livekit,
            token_ttl_seconds=_parsed(env, "TOKEN_TTL_SECONDS", DEFAULT_TTL_SECONDS),
            cache_ttl_seconds=_parsed(env, "CACHE_TTL_SECONDS", DEFAULT_CACHE_TTL_SECONDS),
            rate_limit_per_minute=_parsed(
                env, "RATE_LIMIT_PER_MINUTE", DEFAULT_RATE_LIMIT_PER_MINUTE
            ),
            auth_failures_per_minute=_parsed(
                env, "AUTH_FAILURES_PER_MINUTE", DEFAULT_AUTH_FAILURES_PER_MINUTE
            ),
            publishable_key_rate_limit_per_ip=_parsed(
                env, "PUBLISHABLE_KEY_RATE_LIMIT_PER_IP", DEFAULT_PUBLISHABLE_KEY_RATE_LIMIT_PER_IP
            ),
            redis_url=env.get("REDIS_URL") or None,
            max_queued_calls_per_tenant=_parsed(env, "MAX_QUEUED_CALLS_PER_TENANT", 0),
            max_queued_calls_per_publishable_key=_parsed(
                env, "MAX_QUEUED_CALLS_PER_PUBLISHABLE_KEY", 0
            ),
            sweep_interval_seconds=_parsed(
                env, "SWEEP_INTERVAL_SECONDS", DEFAULT_SWEEP_INTERVAL_SECONDS
            ),
            webhook_allow_private_targets=_flag(env, "WEBHOOK_ALLOW_PRIVATE_TARGETS"),
            webhook_retry_seconds=env.get("WEBHOOK_RETRY_SECONDS", "").strip()
            or DEFAULT_WEBHOOK_RETRY_SECONDS,
            webhook_timeout_seconds=_parsed(
                env, "WEBHOOK_TIMEOUT_SECONDS", DEFAULT_WEBHOOK_TIMEOUT_SECONDS
            ),
            webhook_poll_seconds=_parsed(env, "WEBHOOK_POLL_SECONDS", DEFAULT_WEBHOOK_POLL_SECONDS),
            webhook_concurrency_per_endpoint=_parsed(
                env, "WEBHOOK_CONCURRENCY_PER_ENDPOINT", DEFAULT_WEBHOOK_CONCURRENCY_PER_ENDPOINT
            ),
        )
        settings.validate()
        return settings

    def require_a_database(self, *, dev: bool) -> None:
        """Outside --dev, the throwaway embedded database only when asked for by name."""
        if self.mongodb_uri and self.mongodb_embedded:
            raise ConfigurationError(
                f"MONGODB_URI is set and so is --embedded-mongodb or {EMBEDDED_MONGODB_ENV}=1: "
                "ask for one database"
            )
        if not (dev or self.mongodb_uri or self.mongodb_embedded):
            raise ConfigurationError(
                "MONGODB_URI is not set. Set it, or ask for the throwaway embedded database "
                f"(dev and tests only) with --embedded-mongodb or {EMBEDDED_MONGODB_ENV}=1"
            )

    @property
    def mongodb_kind(self) -> str:
        return "embedded nx-27017" if self.mongodb_embedded else "external"

    def mongodb_uri_for_display(self) -> str:
        """The URI without its password, fit for logs."""
        scheme, separator, rest = (self.mongodb_uri or "").partition("://")
        authority, slash, path = rest.partition("/")
        userinfo, at, hosts = authority.rpartition("@")
        if not at:
            return self.mongodb_uri or ""
        user = userinfo.partition(":")[0]
        return f"{scheme}{separator}{user}:***@{hosts}{slash}{path}"

    def validate(self) -> None:
        try:
            JoinWindow(self.token_ttl_seconds)
        except ValueError as error:
            raise ConfigurationError(f"TOKEN_TTL_SECONDS: {error}") from error
        if self.mongodb_timeout_ms <= 0:
            raise ConfigurationError("MONGODB_TIMEOUT_MS must be positive")
        if self.sweep_interval_seconds < 0:
            raise ConfigurationError("SWEEP_INTERVAL_SECONDS must be 0 (off) or more")
        if self.max_queued_calls_per_tenant < 0:
            raise ConfigurationError("MAX_QUEUED_CALLS_PER_TENANT must be 0 (off) or more")
        if self.rate_limit_per_minute < 0:
            raise ConfigurationError("RATE_LIMIT_PER_MINUTE must be 0 (off) or more")
        for name in (
            "auth_failures_per_minute",
            "publishable_key_rate_limit_per_ip",
            "max_queued_calls_per_publishable_key",
        ):
            if getattr(self, name) < 0:
                raise ConfigurationError(f"{name.upper()} must be 0 (off) or more")
        try:
            RetrySchedule.parse(self.webhook_retry_seconds)
        except ValueError as error:
            raise ConfigurationError(f"WEBHOOK_RETRY_SECONDS: {error}") from None
        if not 0 < self.webhook_timeout_seconds <= MAX_WEBHOOK_TIMEOUT_SECONDS:
            raise ConfigurationError(
                f"WEBHOOK_TIMEOUT_SECONDS must be over 0, at most {MAX_WEBHOOK_TIMEOUT_SECONDS}"
            )
        if self.webhook_poll_seconds < 0:
            raise ConfigurationError("WEBHOOK_POLL_SECONDS must be 0 (off) or more")
        if self.webhook_concurrency_per_endpoint < 1:
            raise ConfigurationError("WEBHOOK_CONCURRENCY_PER_ENDPOINT must be 1 or more")
        if not 0 <= self.cache_ttl_seconds <= MAX_CACHE_TTL_SECONDS:
            raise ConfigurationError(f"CACHE_TTL_SECONDS must be 0 to {MAX_CACHE_TTL_SECONDS}")


N = TypeVar("N", int, float)
_TRUE, _FALSE = ("1", "true", "yes", "on"), ("", "0", "false", "no", "off")


def _flag(env: Mapping[str, str], name: str) -> bool:
    raw = env.get(name, "").strip().lower()
    if raw not in _TRUE + _FALSE:
        raise ConfigurationError(f"{name} must be true or false, not {raw!r}")
    return raw in _TRUE


def _parsed(env: Mapping[str, str], name: str, default: N) -> N:
    """`default`'s type decides the parse: an int setting refuses "1.5"."""
    raw = env.get(name, "").strip()
    if not raw:
        return default
    kind = type(default)
    try:
        return kind(raw)
    except ValueError:
        wanted = "a whole number" if kind is int else "a number"
        raise ConfigurationError(f"{name} must be {wanted}, not {raw!r}") from None
