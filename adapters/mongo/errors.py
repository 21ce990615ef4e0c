from collections.abc import Iterator
from contextlib import contextmanager

from pymongo.errors import ConnectionFailure, PyMongoError

from domain.errors import StorageError, StorageUnavailable


@contextmanager
def storage_errors(operation: str) -> Iterator[None]:
    """Driver failures become StorageError (StorageUnavailable when the server could not be
    reached or timed out); the driver's message stays in the cause chain, out of answers."""
    try:
        yield
    except PyMongoError as error:
        if isinstance(error, ConnectionFailure) or error.timeout:
            raise StorageUnavailable(f"{operation}: MongoDB unavailable") from error
        raise StorageError(f"{operation} failed") from error
