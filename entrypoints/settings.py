from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.livekit.settings import LiveKitSettings
from adapters.mongo.client import DEFAULT_TIMEOUT_MS
from application.join_window import DEFAULT_TTL_SECONDS, JoinWindow
from domain.webhook_delivery import DEFAULT_RETRY_SECONDS, RetrySchedule
from entrypoints.configuration import (
    ConfigurationError,
    Declared,
    accepted_by,
    at_least,
    flag,
    help_text,
    markdown_table,
    number,
    text,
    whole_number,
    within,
)
from entrypoints.logs import LOG_FORMAT_ENV, LOG_LEVEL_ENV
from entrypoints.metrics import MULTIPROC_ENV

__all__ = ["DECLARED", "HOME", "ConfigurationError", "Settings", "read_flag"]

EMBEDDED_MONGODB_ENV = "REALTIME_TOKENS_EMBEDDED_MONGODB"
HOME_ENV = "REALTIME_TOKENS_HOME"
DEV_ENV = "REALTIME_TOKENS_DEV"  # set by `serve --dev` for its workers, not by operators
DEV_LIVEKIT = LiveKitSettings(
    url="ws://localhost:7880",
    api_key="devkey",
    api_secret="secret",  # noqa: S106 - livekit-server --dev's published credentials
    weak_secret_allowed=True,
)
_NONE: str | None = None

MONGODB_URI = Declared(
    "MONGODB_URI",
    _NONE,
    "a MongoDB (replica set in production). Unset: `serve` refuses to start, except with "
    "`--dev` or the variable below (then the embedded server)",
    text,
    "mongodb_uri",
)
EMBEDDED_MONGODB = Declared(
    EMBEDDED_MONGODB_ENV,
    False,
    "`true` (or `1`): without `MONGODB_URI`, run on the throwaway embedded nx-27017 (same as "
    "`serve --embedded-mongodb`; dev and tests only)",
    flag,
    "mongodb_embedded",
    shown="*(unset)*",
)
_DECLARED: list[Declared[Any]] = [
    MONGODB_URI,
    EMBEDDED_MONGODB,
    Declared("MONGODB_DATABASE", "realtime_tokens", "database name", text, "mongodb_database"),
    Declared(
        "MONGODB_TIMEOUT_MS",
        DEFAULT_TIMEOUT_MS,
        "bound on every MongoDB operation (`timeoutMS`)",
        whole_number,
        "mongodb_timeout_ms",
        at_least(1),
    ),
    LIVEKIT_URL := Declared(
        "LIVEKIT_URL",
        "",
        "LiveKit server URL returned to browsers (`wss://…`; `ws`/`http`/`https` accepted)",
        text,
    ),
    LIVEKIT_API_KEY := Declared("LIVEKIT_API_KEY", "", "LiveKit API key (the token's `iss`)", text),
    LIVEKIT_API_SECRET := Declared(
        "LIVEKIT_API_SECRET",
        "",
        "LiveKit API secret (HS256 signing key; never logged or returned). At least 32 bytes: "
        "a shorter one counts as not configured (500 `livekit_not_configured`, `/readyz` 503 "
        "naming it), except under `--dev`",
        text,
    ),
    Declared(
        "TOKEN_TTL_SECONDS",
        DEFAULT_TTL_SECONDS,
        "join window: token `exp` and the call's `expires_at`; 60–86400",  # noqa: RUF001
        whole_number,
        "token_ttl_seconds",
        accepted_by(JoinWindow),
    ),
    Declared(
        "CACHE_TTL_SECONDS",
        5.0,
        "in-process cache of API keys and agents (0 = off, max 60): a key revoked by another "
        "process stops working within this bound",
        number,
        "cache_ttl_seconds",
        within(0.0, 60.0),
    ),
    Declared(
        "RATE_LIMIT_PER_MINUTE",
        600,
        "requests per API key per minute (0 = off); 429 past it",
        whole_number,
        "rate_limit_per_minute",
        at_least(0, " (off)"),
    ),
    Declared(
        "AUTH_FAILURES_PER_MINUTE",
        20,
        "failed authentications per client address per minute (0 = off); then 429 until the "
        "minute ends, without a database read",
        whole_number,
        "auth_failures_per_minute",
        at_least(0, " (off)"),
    ),
    Declared(
        "PUBLISHABLE_KEY_RATE_LIMIT_PER_IP",
        30,
        "requests per publishable key and client address per minute on LiveKit's token "
        "endpoint (0 = off)",
        whole_number,
        "publishable_key_rate_limit_per_ip",
        at_least(0, " (off)"),
    ),
    Declared(
        "MAX_QUEUED_CALLS_PER_PUBLISHABLE_KEY",
        0,
        "cap on the calls one publishable key may keep waiting for their caller; 429 past it "
        "(one count per request)",
        whole_number,
        "max_queued_calls_per_publishable_key",
        at_least(0, " (off)"),
        shown="`0` (off)",
    ),
    Declared(
        "FORWARDED_ALLOW_IPS",
        "127.0.0.1",
        "uvicorn's: the proxies whose `X-Forwarded-For` names the client address (rate "
        "limits, failure limits)",
        text,
    ),
    Declared(
        "REDIS_URL",
        _NONE,
        "share rate limits across replicas (`redis://…`); unset: per process. Redis down: "
        "requests are not limited (fail open)",
        text,
        "redis_url",
    ),
    Declared(
        "SWEEP_INTERVAL_SECONDS",
        30.0,
        "how often each replica marks unjoined calls `expired` (0 = never; reads report it anyway)",
        number,
        "sweep_interval_seconds",
        at_least(0.0, " (off)"),
    ),
    Declared(
        "MAX_QUEUED_CALLS_PER_TENANT",
        0,
        "cap on a tenant's calls still waiting for their caller; 429 past it. Costs one count "
        "per request, and is approximate under concurrency (count, then insert)",
        whole_number,
        "max_queued_calls_per_tenant",
        at_least(0, " (off)"),
        shown="`0` (off)",
    ),
    Declared(
        "WEBHOOK_ALLOW_PRIVATE_TARGETS",
        False,
        "`true` (development and tests only): webhook endpoints may be `http` and "
        "loopback/private addresses",
        flag,
        "webhook_allow_private_targets",
    ),
    Declared(
        "WEBHOOK_RETRY_SECONDS",
        ",".join(str(s) for s in DEFAULT_RETRY_SECONDS),
        "delays before each retry of a failed webhook delivery (about three days in all), "
        "each stretched by up to 10 % jitter",
        str.strip,
        "webhook_retry_seconds",
        accepted_by(RetrySchedule.parse),
    ),
    Declared(
        "WEBHOOK_TIMEOUT_SECONDS",
        10.0,
        "bound on one delivery attempt, connecting to reading the answer (at most 30)",
        number,
        "webhook_timeout_seconds",
        within(0.0, 30.0, above_low=True),
    ),
    Declared(
        "WEBHOOK_CONCURRENCY_PER_ENDPOINT",
        4,
        "attempts in flight at once to one endpoint, per replica",
        whole_number,
        "webhook_concurrency_per_endpoint",
        at_least(1),
    ),
    Declared(
        "WEBHOOK_POLL_SECONDS",
        1.0,
        "how often each replica relays new call events and sends what is due (0 = this "
        "replica sends none)",
        number,
        "webhook_poll_seconds",
        at_least(0.0, " (off)"),
    ),
    HOME := Declared(HOME_ENV, "./.realtime-tokens", "embedded database and dev demo state", text),
    Declared(
        LOG_FORMAT_ENV,
        "json",
        "same as `serve --log-format console\\|json`",
        text,
        shown="`json` (`console` with `--dev`)",
    ),
    Declared(
        LOG_LEVEL_ENV,
        "info",
        "`debug`, `info`, `warning` or `error`; at `warning` only failed (5xx) requests are logged",
        text,
    ),
    Declared(
        MULTIPROC_ENV,
        "",
        "where workers share metrics; set it yourself only when you run uvicorn/gunicorn directly",
        text,
        shown="*(set by `serve --workers N>1`)*",
    ),
]
DECLARED: tuple[Declared[Any], ...] = tuple(_DECLARED)
_FILLED = tuple(d for d in DECLARED if d.field is not None)
_BY_FIELD = {d.field: d for d in _FILLED}


def _default(name: str) -> Any:
    return _BY_FIELD[name].default


@dataclass(frozen=True, slots=True)
class Settings:
    """Each field's default, bounds and variable are its declaration in DECLARED."""

    mongodb_uri: str | None = _default("mongodb_uri")
    mongodb_database: str = _default("mongodb_database")
    mongodb_timeout_ms: int = _default("mongodb_timeout_ms")
    mongodb_embedded: bool = _default("mongodb_embedded")
    livekit: LiveKitSettings = field(default_factory=LiveKitSettings)
    token_ttl_seconds: int = _default("token_ttl_seconds")
    cache_ttl_seconds: float = _default("cache_ttl_seconds")
    rate_limit_per_minute: int = _default("rate_limit_per_minute")
    auth_failures_per_minute: int = _default("auth_failures_per_minute")
    publishable_key_rate_limit_per_ip: int = _default("publishable_key_rate_limit_per_ip")
    redis_url: str | None = _default("redis_url")
    max_queued_calls_per_tenant: int = _default("max_queued_calls_per_tenant")
    max_queued_calls_per_publishable_key: int = _default("max_queued_calls_per_publishable_key")
    sweep_interval_seconds: float = _default("sweep_interval_seconds")
    webhook_allow_private_targets: bool = _default("webhook_allow_private_targets")
    webhook_retry_seconds: str = _default("webhook_retry_seconds")
    webhook_timeout_seconds: float = _default("webhook_timeout_seconds")
    webhook_poll_seconds: float = _default("webhook_poll_seconds")
    webhook_concurrency_per_endpoint: int = _default("webhook_concurrency_per_endpoint")

    @classmethod
    def from_env(cls, env: Mapping[str, str], *, dev: bool = False) -> "Settings":
        livekit = LiveKitSettings(
            url=LIVEKIT_URL.read(env),
            api_key=LIVEKIT_API_KEY.read(env),
            api_secret=LIVEKIT_API_SECRET.read(env),
        )
        if dev:
            livekit = LiveKitSettings(
                url=livekit.url or DEV_LIVEKIT.url,
                api_key=livekit.api_key or DEV_LIVEKIT.api_key,
                api_secret=livekit.api_secret or DEV_LIVEKIT.api_secret,
                weak_secret_allowed=True,
            )
        settings = cls(livekit=livekit, **{str(d.field): d.read(env) for d in _FILLED})
        settings.validate()
        return settings

    def validate(self) -> None:
        for declared in _FILLED:
            declared.validate(getattr(self, str(declared.field)))

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


def read_flag(env: Mapping[str, str], name: str, default: bool = False) -> bool:
    """A boolean variable that is no setting of its own (set by `serve` for its workers)."""
    return Declared(name, default, "", flag).read(env)


def configuration_table() -> str:
    """README's "Configuration (environment)" table (a test holds the two equal)."""
    return markdown_table(DECLARED)


def environment_help() -> str:
    return "Environment variables:\n\n" + help_text(DECLARED)
