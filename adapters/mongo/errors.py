from collections.abc import Iterator
from contextlib import contextmanager

from pymongo.errors import PyMongoError

from domain.errors import StorageError


@contextmanager
def storage_errors(operation: str) -> Iterator[None]:
    """Driver failures become StorageError; the driver's message stays in the cause chain."""
    try:
        yield
    except PyMongoError as error:
        raise StorageError(f"{operation} failed") from error
