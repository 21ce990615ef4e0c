"""The one way a handler reaches a use case or an adapter: a named dependency, resolved from
the container's provider of that name on every request, so `container.X.override(...)`
reaches each route even after `create_app`. A handler names what it needs
(`create_agent: Injected[CreateAgent]`)."""

from collections.abc import Callable
from typing import Any, TypeAlias, TypeVar

from dependency_injector import providers
from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

from entrypoints.container import Container
from entrypoints.dev_seed import DemoCredentials

T = TypeVar("T")
# The container built the value: checking it again per request would only cost time, and
# ports are Protocols, which the signature model cannot check.
Injected: TypeAlias = NamedDependency[SkipValidation[T]]


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
    """Every provider of the container, by its name (a handler resolves only what it names;
    the storage group is reached through the container's own names for its members)."""
    provided = {
        name: _resolved(provider)
        for name, provider in container.providers.items()
        if not isinstance(provider, providers.Container)
    }
    if demo is not None:
        provided["demo"] = _resolved(lambda: demo)
    return provided
