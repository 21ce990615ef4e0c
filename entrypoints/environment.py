"""Every environment variable the service reads, declared once (entrypoints/configuration.py
says how): Settings reads and checks them, README's configuration table and `serve --help`
show them."""

from typing import Any

from adapters.mongo.client import DEFAULT_TIMEOUT_MS
from application.join_window import DEFAULT_TTL_SECONDS, JoinWindow
from domain.webhook_delivery import DEFAULT_RETRY_SECONDS, RetrySchedule
from entrypoints.configuration import (
    Declared,
    accepted_by,
    at_least,
    flag,
    number,
    text,
    whole_number,
    within,
)
from entrypoints.logs import LOG_FORMAT_ENV, LOG_LEVEL_ENV
from entrypoints.metrics import MULTIPROC_ENV

EMBEDDED_MONGODB_ENV = "REALTIME_TOKENS_EMBEDDED_MONGODB"
HOME_ENV = "REALTIME_TOKENS_HOME"
DEV_ENV = "REALTIME_TOKENS_DEV"  # set by `serve --dev` for its workers, not by operators
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
