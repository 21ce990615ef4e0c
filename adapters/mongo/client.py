from collections.abc import Sequence
from typing import Any

from pymongo import AsyncMongoClient
from pymongo.monitoring import CommandListener

Document = dict[str, Any]
DEFAULT_TIMEOUT_MS = 5_000


def create_client(
    uri: str,
    timeout_ms: int = DEFAULT_TIMEOUT_MS,
    listeners: Sequence[CommandListener] = (),
) -> AsyncMongoClient[Document]:
    """Production posture: majority writes, retryable writes, every operation time-bounded."""
    return AsyncMongoClient(
        uri,
        event_listeners=list(listeners),
        tz_aware=True,
        w="majority",
        retryWrites=True,
        timeoutMS=timeout_ms,
        appname="realtime-tokens",
    )
