"""Where the service's MongoDB comes from: MONGODB_URI, else the embedded server."""

import os
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager, contextmanager
from dataclasses import replace
from pathlib import Path

from adapters.embedded_mongo import EmbeddedMongo
from entrypoints.container import Container, build_container
from entrypoints.environment import HOME
from entrypoints.settings import Settings


def home_dir() -> Path:
    return Path(HOME.read(os.environ)).resolve()


@contextmanager
def resolved_database(settings: Settings) -> Iterator[Settings]:
    """Settings with a reachable MONGODB_URI: the configured one, or an embedded nx-27017
    under ./.realtime-tokens/mongo (reused if another of our processes already runs it)."""
    if settings.mongodb_uri:
        yield settings
        return
    embedded = EmbeddedMongo(home_dir() / "mongo").start()
    try:
        yield replace(settings, mongodb_uri=embedded.uri, mongodb_embedded=True)
    finally:
        embedded.stop()


@asynccontextmanager
async def running_container(settings: Settings) -> AsyncIterator[Container]:
    """A container whose store is started (indexes ensured) and closed again on exit."""
    container = build_container(settings)
    store = container.store()
    await store.start()
    try:
        yield container
    finally:
        await store.close()
