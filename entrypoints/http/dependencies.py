"""The one way a handler reaches a use case or an adapter: a named dependency, resolved from
the container's provider on every request, so `container.X.override(...)` reaches each route
even after `create_app`. A handler names what it needs (`create_agent: Injected[CreateAgent]`)."""

from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

from entrypoints.container import Container
from entrypoints.dev_seed import DemoCredentials

T = TypeVar("T")
# The container built the value: checking it again per request would only cost time, and
# ports are Protocols, which the signature model cannot check.
Injected: TypeAlias = NamedDependency[SkipValidation[T]]

PROVIDED = (
    "issue_realtime_token",
    "issue_token_idempotently",
    "create_agent",
    "list_agents",
    "get_agent",
    "update_agent",
    "delete_agent",
    "get_call",
    "list_calls",
    "create_publishable_key",
    "list_publishable_keys",
    "revoke_publishable_key",
    "create_webhook_endpoint",
    "list_webhook_endpoints",
    "get_webhook_endpoint",
    "update_webhook_endpoint",
    "delete_webhook_endpoint",
    "rotate_webhook_secret",
    "list_webhook_deliveries",
    "retry_webhook_delivery",
    "webhook_verifier",
    "apply_room_event",
    "store",
    "token_issuer",
    "metrics",
    "settings",
)


def resolver(provider: Callable[[], T]) -> Callable[[], T]:
    """A plain function in front of a provider. Litestar deep-copies routers with their
    middleware arguments, and a deep-copied provider is a new provider graph (new singletons,
    overrides lost); a function is copied by reference."""

    def resolve() -> T:
        return provider()

    return resolve


def _resolved(provider: Callable[[], Any]) -> Provide:
    return Provide(resolver(provider), sync_to_thread=False)


def dependencies(container: Container, demo: DemoCredentials | None) -> dict[str, Provide]:
    provided = {name: _resolved(getattr(container, name)) for name in PROVIDED}
    if demo is not None:
        provided["demo"] = _resolved(lambda: demo)
    return provided
