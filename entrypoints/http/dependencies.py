from litestar.datastructures import State
from litestar.di import NamedDependency, Provide
from litestar.params import SkipValidation

from entrypoints.container import Container


def container_of(state: State) -> Container:
    """Handlers ask the container for use cases; tests override its adapters."""
    container: Container = state.container
    return container


DEPENDENCIES = {"container": Provide(container_of, sync_to_thread=False)}

# dependency-injector hands out a DynamicContainer, which Litestar cannot validate as Container.
ContainerDep = NamedDependency[SkipValidation[Container]]
