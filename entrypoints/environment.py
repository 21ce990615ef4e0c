"""Every environment variable the service reads, declared once (entrypoints/configuration.py
says how): Settings reads and checks them, README's configuration table and `serve --help`
show them."""

import ipaddress
from typing import Any

from adapters.mongo.client import DEFAULT_TIMEOUT_MS
from application.join_window import DEFAULT_TTL_SECONDS, JoinWindow
from domain.webhook_delivery import DEFAULT_RETRY_SECONDS, RetrySchedule
from entrypoints.access_log import ACCESS_LOG_FLUSH_ENV, DEFAULT_ACCESS_LOG_FLUSH_MS
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
DEFAULT_MAX_QUEUED_CALLS_PER_PUBLISHABLE_KEY = 1000


def name_servers(raw: str) -> tuple[str, ...]:
    """Comma-separated `ip`, `IPv4:port` or `[IPv6]:port`."""
    servers = tuple(part.strip() for part in raw.split(",") if part.strip())
    for server in servers:
        if not _is_name_server(server):
            raise ValueError(f"{server!r} is not an IP address, IP:port or [IPv6]:port")
    return servers


def _is_name_server(text: str) -> bool:
    host, port = text, ""
    if text.startswith("["):
        host, _, rest = text[1:].partition("]")
        port = rest.removeprefix(":") if rest.startswith(":") else ("x" if rest else "")
    elif text.count(":") == 1:
        host, _, port = text.partition(":")
    try:
        ipaddress.ip_address(host)
    except ValueError:
        return False
    return not port or (port.isdigit() and 0 < int(port) <= 65535)


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
        "in-process cache of API keys and agents, and of keys and dispatch names that do not "
        "exist (0 = off, max 60): a key revoked, or an agent created under a name asked for "
        "before, by another process takes effect within this bound",
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
        "endpoint (0 = off); checked before the key's own `RATE_LIMIT_PER_MINUTE`, which a "
        "request refused here does not spend",
        whole_number,
        "publishable_key_rate_limit_per_ip",
        at_least(0, " (off)"),
    ),
    Declared(
        "MAX_QUEUED_CALLS_PER_PUBLISHABLE_KEY",
        DEFAULT_MAX_QUEUED_CALLS_PER_PUBLISHABLE_KEY,
        "cap on the calls one publishable key may keep waiting for their caller (0 = off); 429 "
        "`too_many_queued_calls` past it. Each replica counts once per key and "
        "`CACHE_TTL_SECONDS` and adds the calls it stored since, so a warm request still sends "
        "one command; it may let through what other replicas stored within that interval, and "
        "counts a call joined meanwhile until its next count",
        whole_number,
        "max_queued_calls_per_publishable_key",
        at_least(0, " (off)"),
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
    Declared(
        "WEBHOOK_DISABLE_AFTER_SECONDS",
        5 * 24 * 3600.0,
        "an endpoint whose every attempt has failed for this long (5 days, as Svix) is "
        "disabled; one success ends the streak",
        number,
        "webhook_disable_after_seconds",
        lambda value: None if value > 0 else "must be over 0",
    ),
    Declared(
        "WEBHOOK_MAX_ENDPOINTS_PER_TENANT",
        20,
        "webhook endpoints a tenant may have (disabled ones count); one more is "
        "`409 webhook_endpoint_limit_reached`",
        whole_number,
        "webhook_max_endpoints_per_tenant",
        at_least(1),
    ),
    Declared(
        "WEBHOOK_MAX_PENDING_PER_ENDPOINT",
        10_000,
        "pending deliveries one endpoint may have; past it new events for that endpoint are "
        "dropped (the oldest pending are kept), counted in "
        "`realtime_tokens_webhook_deliveries_dropped_total` and logged once per relay pass",
        whole_number,
        "webhook_max_pending_per_endpoint",
        at_least(1),
    ),
    Declared(
        "WEBHOOK_DNS_SERVERS",
        (),
        "comma-separated name servers (`ip`, `ip:port`, `[ipv6]:port`) for webhook hosts; "
        "lookups run on c-ares (no thread per lookup), each bounded by 5 s, answers cached for "
        "their TTL (at most 5 min, 4,096 names), no answer for 5 s",
        name_servers,
        "webhook_dns_servers",
        shown="(from `/etc/resolv.conf`)",
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
        ACCESS_LOG_FLUSH_ENV,
        str(DEFAULT_ACCESS_LOG_FLUSH_MS),
        "how long a request's log line may wait to be written with the next ones (0 to 10000; "
        '`0`: one write per request); see docs/operations.md "Logs"',
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
