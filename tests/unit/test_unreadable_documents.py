"""The decoder every Mongo repository reads through: one bad document is reported once (its
collection, `_id` and the field at fault, never a stored value), then skipped or refused."""

import logging
from typing import Any

import pytest

from adapters.mongo.unreadable import UnreadableDocuments
from domain.errors import StorageError, UnreadableRecord


def _name(doc: dict[str, Any]) -> str:
    return str(doc["name"]).upper()


def _count(doc: dict[str, Any]) -> int:
    return int(doc["count"])


def test_a_listing_skips_what_it_cannot_read_and_reports_each_document_once(
    caplog: pytest.LogCaptureFixture,
) -> None:
    counted: list[str] = []
    reader = UnreadableDocuments(counted.append).reader("agents", _name)
    docs = [{"_id": "a", "name": "ada"}, {"_id": "b", "secret": "whsec_hush"}, {"_id": "c"}]

    with caplog.at_level(logging.ERROR):
        first = reader.each(docs)
        again = reader.each(docs)

    assert first == again == ["ADA"]
    assert counted == ["agents", "agents"], "b and c, once each"
    assert [r.getMessage().split(" is ")[0] for r in caplog.records] == [
        "agents document b",
        "agents document c",
    ]
    assert "no field 'name'" in caplog.records[0].getMessage()
    assert "whsec_hush" not in caplog.text


def test_the_one_record_asked_for_is_refused_as_unreadable_not_as_missing() -> None:
    reader = UnreadableDocuments().reader("calls", _count)

    with pytest.raises(UnreadableRecord) as refused:
        reader.one({"_id": "call-1", "count": "a password, not a number"})

    assert isinstance(refused.value, StorageError), "the CLI and the dispatcher handle it"
    assert (refused.value.what, refused.value.record_id) == ("calls", "call-1")
    assert "password" not in str(refused.value)
    assert reader.one(None) is None
    assert reader.one({"_id": "call-2", "count": "7"}) == 7


def test_a_value_of_another_type_is_named_by_its_kind_only(
    caplog: pytest.LogCaptureFixture,
) -> None:
    reader = UnreadableDocuments().reader("calls", _count)

    with caplog.at_level(logging.ERROR):
        assert reader.readable({"_id": "x", "count": "sk_live_123"}) is None

    assert "(a field of another type or value, ValueError)" in caplog.text
    assert "sk_live_123" not in caplog.text
