"""One MongoDB (MONGODB_URI, else an embedded nx-27017) with a fresh seeded database, and the
environment every target is started with; the database is dropped afterwards."""

import asyncio
import contextlib
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from pymongo import MongoClient

from adapters.embedded_mongo import EmbeddedMongo
from benchmarks.seed import seed, write_credentials
from benchmarks.signing import SETTINGS as LIVEKIT


@dataclass(frozen=True, slots=True)
class SeededMongoDB:
    uri: str
    kind: str
    credentials: Path
    publishable_credentials: Path
    env: dict[str, str]


@contextlib.contextmanager
def _mongodb(scratch: Path) -> Iterator[tuple[str, str]]:
    if uri := os.environ.get("MONGODB_URI"):
        yield uri, "MONGODB_URI (external)"
        return
    with EmbeddedMongo(scratch / "mongo") as embedded:
        yield embedded.uri, "embedded nx-27017 0.8.1 (wire protocol over SQLite)"


@contextlib.contextmanager
def seeded_mongodb(scratch: Path, database: str) -> Iterator[SeededMongoDB]:
    with _mongodb(scratch) as (uri, kind):
        seeded = asyncio.run(seed(uri, database))
        try:
            yield SeededMongoDB(
                uri=uri,
                kind=kind,
                credentials=write_credentials(seeded.secret, scratch / "credentials.txt"),
                publishable_credentials=write_credentials(
                    seeded.publishable, scratch / "publishable_credentials.txt"
                ),
                env=_target_env(uri, database, scratch),
            )
        finally:
            client: MongoClient[dict[str, Any]]
            with MongoClient(uri) as client:
                client.drop_database(database)


def forget_calls(uri: str, database: str) -> None:
    """The seeded keys and agents, and no call: each target starts where the first did.
    Otherwise every run inherits the calls of those before it (tens of thousands by the
    paced runs), and on nx-27017, which answers the expiry sweep by scanning every stored
    call (about 2 ms a thousand), a sweep in a later run stalls its requests longer."""
    client: MongoClient[dict[str, Any]]
    with MongoClient(uri) as client:
        client[database]["calls"].delete_many({})


def _target_env(uri: str, database: str, home: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("LIVEKIT_", "MONGODB_"))}
    return {
        **env,
        "MONGODB_URI": uri,
        "MONGODB_DATABASE": database,
        "LIVEKIT_URL": LIVEKIT.url,
        "LIVEKIT_API_KEY": LIVEKIT.api_key,
        "LIVEKIT_API_SECRET": LIVEKIT.api_secret,
        "REALTIME_TOKENS_HOME": str(home),
        # The limiter runs as deployed but never answers 429: a load test exceeds any real quota.
        "RATE_LIMIT_PER_MINUTE": str(10**9),
        "PUBLISHABLE_KEY_RATE_LIMIT_PER_IP": str(10**9),
        "MAX_QUEUED_CALLS_PER_PUBLISHABLE_KEY": str(10**9),  # counted, never 429
    }
