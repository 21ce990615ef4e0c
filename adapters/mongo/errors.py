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
        failure = unavailable if outcome_unknown(error) else refused
        raise failure(operation) from error


def unavailable(operation: str) -> StorageError:
    return StorageUnavailable(f"{operation}: MongoDB unavailable")


def refused(operation: str) -> StorageError:
    return StorageError(f"{operation} failed")


def outcome_unknown(error: PyMongoError) -> bool:
    """The server could not be reached or did not answer in time: a write may have happened."""
    return isinstance(error, ConnectionFailure) or error.timeout
