"""Which MongoDB the suite talks to: MONGODB_URI, else testcontainers, else nx-27017."""

import contextlib
import os
from collections.abc import Iterator
from pathlib import Path

from adapters.embedded_mongo import EmbeddedMongo


def _docker_reachable() -> bool:
    try:
        import docker  # type: ignore[import-untyped]

        docker.from_env(timeout=2).ping()
    except Exception:  # any failure means "no engine here"
        return False
    return True


@contextlib.contextmanager
def mongo_server(scratch: Path) -> Iterator[tuple[str, str]]:
    """Yields (uri, kind)."""
    if uri := os.environ.get("MONGODB_URI"):
        yield uri, "external"
        return
    if _docker_reachable():
        from testcontainers.mongodb import MongoDbContainer

        with MongoDbContainer("mongo:7") as container:
            yield container.get_connection_url(), "testcontainers"
        return
    with EmbeddedMongo(scratch) as embedded:
        yield embedded.uri, "embedded"
