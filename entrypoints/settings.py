"""The service's settings: each field is a variable declared in entrypoints/environment.py."""

from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

from adapters.livekit.settings import LiveKitSettings
from entrypoints.configuration import ConfigurationError, Declared, flag, help_text, markdown_table
from entrypoints.environment import (
    DECLARED,
    EMBEDDED_MONGODB_ENV,
    LIVEKIT_API_KEY,
    LIVEKIT_API_SECRET,
    LIVEKIT_URL,
)

__all__ = ["ConfigurationError", "Settings", "read_flag"]

DEV_LIVEKIT = LiveKitSettings(
    url="ws://localhost:7880",
    api_key="devkey",
    api_secret="secret",  # noqa: S106 - livekit-server --dev's published credentials
    weak_secret_allowed=True,
)
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
    webhook_disable_after_seconds: float = _default("webhook_disable_after_seconds")
    webhook_max_endpoints_per_tenant: int = _default("webhook_max_endpoints_per_tenant")
    webhook_max_pending_per_endpoint: int = _default("webhook_max_pending_per_endpoint")
    webhook_dns_servers: tuple[str, ...] = _default("webhook_dns_servers")

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
