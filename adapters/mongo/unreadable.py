"""Stored documents this version cannot read: a field missing or of another type (an earlier
version's document, a hand-made fix, an old backup restored). Each is one bad record, never a
crash: logged once with its collection and `_id` (never its content, which may hold key
hashes or secrets), counted, then left out of listings and passes, or refused as
UnreadableRecord where it is the one record asked for (docs/operations.md)."""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Generic, TypeVar

from adapters.mongo.client import Document
from domain.errors import UnreadableRecord

logger = logging.getLogger("realtime_tokens.mongo")
T = TypeVar("T")
# What decoding a document can raise: a missing field, a value of another type, a value the
# domain refuses (Invalid and enum lookups are ValueErrors), an object where a scalar was.
DECODING_ERRORS = (KeyError, TypeError, ValueError, AttributeError)
_REMEMBERED = 10_000


def _uncounted(_collection: str) -> None:
    return None


class UnreadableDocuments:
    """One per process: `counted(collection)` is the metric, told once per document."""

    def __init__(self, counted: Callable[[str], None] = _uncounted) -> None:
        self._counted = counted
        self._seen: set[tuple[str, str]] = set()

    def reader(self, collection: str, decode: Callable[[Document], T]) -> "Reader[T]":
        return Reader(self, collection, decode)

    def report(self, collection: str, document_id: object, error: BaseException) -> None:
        key = (collection, str(document_id))
        if key in self._seen:
            return
        if len(self._seen) >= _REMEMBERED:
            self._seen.clear()
        self._seen.add(key)
        self._counted(collection)
        logger.error(
            "%s document %s is unreadable (%s): left out of listings and start-up passes, "
            "a 500 unreadable_record where it is asked for (see docs/operations.md)",
            collection,
            document_id,
            _why(error),
        )


def _why(error: BaseException) -> str:
    """The field at fault, or the kind of error: never a stored value."""
    if isinstance(error, KeyError) and error.args:
        return f"no field {str(error.args[0])[:64]!r}"
    return f"a field of another type or value, {type(error).__name__}"


@dataclass(frozen=True, slots=True)
class Reader(Generic[T]):
    """Decodes one collection's documents through `decode`."""

    documents: UnreadableDocuments
    collection: str
    decode: Callable[[Document], T]

    def one(self, doc: Document | None) -> T | None:
        """The one record asked for: None when there is none, UnreadableRecord when it is
        stored but cannot be read."""
        if doc is None:
            return None
        try:
            return self.decode(doc)
        except DECODING_ERRORS as error:
            self.documents.report(self.collection, doc.get("_id"), error)
            raise UnreadableRecord(self.collection, str(doc.get("_id"))) from error

    def readable(self, doc: Document) -> T | None:
        """For a listing or a pass: None (reported) when the document cannot be read."""
        try:
            return self.decode(doc)
        except DECODING_ERRORS as error:
            self.documents.report(self.collection, doc.get("_id"), error)
            return None

    def each(self, docs: Iterable[Document]) -> list[T]:
        return [item for doc in docs if (item := self.readable(doc)) is not None]


def reader_of(
    unreadable: UnreadableDocuments | None, collection: str, decode: Callable[[Document], T]
) -> Reader[T]:
    """A repository built alone (a test, a tool) reports to a tracker of its own."""
    return (unreadable or UnreadableDocuments()).reader(collection, decode)
