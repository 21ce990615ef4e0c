from collections.abc import Sequence
from datetime import datetime
from typing import Any

from pymongo import UpdateOne
from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.client import Document
from adapters.mongo.counting import count_matching
from adapters.mongo.dates import optional_datetime, stored_datetime
from adapters.mongo.errors import storage_errors
from adapters.mongo.insert_batcher import InsertBatcher
from adapters.mongo.paging import newest_first_page, sort_key
from adapters.mongo.unreadable import UnreadableDocuments, reader_of
from domain.call import Call, CallQuery, CallStatus, CallType, CreatedBy
from domain.call_announcement import Announcement, created, numbered
from domain.call_events import EXPIRY, Transition
from domain.epoch import epoch_millis
from domain.errors import CallAlreadyStored
from domain.pagination import Page, PageRequest
from domain.participant import Participant
from domain.tenant import KeyKind


class MongoCallRepository:
    def __init__(
        self, db: AsyncDatabase[Document], unreadable: UnreadableDocuments | None = None
    ) -> None:
        self._calls = db["calls"]
        self._read = reader_of(unreadable, "calls", _to_call)
        self._read_outbox = reader_of(unreadable, "calls", _with_pending)
        self._inserts = InsertBatcher(
            self._calls, "storing a call", duplicate=lambda: CallAlreadyStored("call id taken")
        )

    async def add(self, call: Call) -> None:
        await self._inserts.insert(
            {
                "_id": call.id,
                "tenant_id": call.tenant_id,
                "agent_id": call.agent_id,
                "type": call.type.value,
                "status": call.status.value,
                "room_name": call.room_name,
                "participant_identity": call.participant_identity,
                "metadata": dict(call.metadata),
                "created_at": call.created_at,
                "sort_key": sort_key(call.created_at, call.id),
                "expires_at": call.expires_at,
                "joined_at": None,
                "ended_at": None,
                "end_reason": None,
                "agent_joined_at": None,
                "created_by": _created_by_document(call.created_by),
                "sequence": 1,  # call.created's, announced or not
                **_participant_fields(call.participant),
                **_outbox_fields(call),
            }
        )

    async def unannounced(self, limit: int) -> list[tuple[Call, list[Announcement]]]:
        if limit <= 0:
            return []
        with storage_errors("reading calls to announce"):
            found = self._calls.find({"outbox_n": {"$gt": 0}}).limit(limit)
            docs = [doc async for doc in found]
            readable = []
            for doc in docs:
                if (item := self._read_outbox.readable(doc)) is not None:
                    readable.append(item)
                else:  # set aside, or every relay pass would read it again, in its batch
                    await self._calls.update_one(
                        {"_id": doc["_id"], "outbox_n": {"$gt": 0}}, {"$set": {"outbox_n": 0}}
                    )
        return readable

    async def announced(self, marks: Sequence[tuple[str, Announcement]]) -> None:
        # One command for a relay's whole batch, one update per call removing all of its marks
        # relayed at once, conditional on the oldest still being there: a racing relay cannot
        # count them off twice, and the marks left are always the newest (see `numbered`).
        if not marks:
            return
        by_call: dict[str, list[str]] = {}
        for call_id, announcement in marks:
            by_call.setdefault(call_id, []).append(announcement.mark)
        updates = [
            UpdateOne(
                {"_id": call_id, "outbox": relayed[0]},
                {"$pull": {"outbox": {"$in": relayed}}, "$inc": {"outbox_n": -len(relayed)}},
            )
            for call_id, relayed in by_call.items()
        ]
        with storage_errors("recording announcements"):
            await self._calls.bulk_write(updates, ordered=False)

    async def count_queued(self, tenant_id: str, now: datetime, key_id: str | None = None) -> int:
        by_key = {} if key_id is None else {"created_by.key_id": key_id}
        with storage_errors("counting queued calls"):
            return await count_matching(
                self._calls,
                {"tenant_id": tenant_id, **by_key, **_status_is(CallStatus.QUEUED, now)},
            )

    async def get_for_tenant(self, tenant_id: str, call_id: str) -> Call | None:
        return await self._find({"_id": call_id, "tenant_id": tenant_id})

    async def get_by_room(self, room_name: str) -> Call | None:
        return await self._find({"room_name": room_name})

    async def apply(self, call_id: str, transition: Transition) -> bool:
        changes: dict[str, Any] = {} if transition.to is None else {"status": transition.to.value}
        for name in (
            "joined_at",
            "ended_at",
            "end_reason",
            "agent_joined_at",
            "ended_by",
            "caller_sid",
        ):
            if (value := getattr(transition, name)) is not None:
                changes[name] = value
        if transition.clears_end_reason:
            changes["end_reason"] = None
        if transition.ended_at is not None:
            # a number, for range conditions: nx-27017 keeps a date written by `$set` as a
            # string, which no date range matches (adapters/mongo/dates.py)
            changes["ended_ms"] = epoch_millis(transition.ended_at)
        if transition.clears_ended_at:
            changes.update(ended_at=None, ended_ms=None)
        allowed = [status.value for status in transition.allowed_from]
        condition: Document = {"_id": call_id, "status": {"$in": allowed}}
        if transition.ended_before is not None:
            condition["ended_ms"] = {"$lt": epoch_millis(transition.ended_before)}
        if transition.ended_not_after is not None:
            condition["ended_ms"] = {"$lte": epoch_millis(transition.ended_not_after)}
        if transition.new_session:  # a call stored without one holds no field: $ne takes it
            condition["caller_sid"] = {"$ne": transition.caller_sid}
        if transition.without_agent:
            condition["agent_joined_at"] = None
        update: Document = {"$set": changes}
        if transition.announced_at is not None:
            update |= _marking(transition.announcement(transition.announced_at))
        with storage_errors("moving a call"):
            result = await self._calls.update_one(condition, update)
        return result.modified_count == 1

    async def expire_due(self, now: datetime, limit: int) -> int:
        """Bounded and safe beside other replicas: every write re-checks the status."""
        with storage_errors("expiring calls"):
            due = self._calls.find(
                {"status": CallStatus.QUEUED.value, "expires_at": {"$lte": now}}, {"_id": 1}
            ).limit(limit)
            ids = [doc["_id"] async for doc in due]
            if not ids:
                return 0
            result = await self._calls.update_many(
                {"_id": {"$in": ids}, "status": CallStatus.QUEUED.value},
                {
                    "$set": {"status": CallStatus.EXPIRED.value, "end_reason": EXPIRY.end_reason},
                    **_marking(EXPIRY.announcement(now)),
                },
            )
        return result.modified_count

    async def page_for_tenant(self, query: CallQuery, page: PageRequest) -> Page[Call]:
        conditions: list[Document] = [{"tenant_id": query.tenant_id}]
        if query.agent_id is not None:
            conditions.append({"agent_id": query.agent_id})
        if query.status is not None:
            conditions.append(_status_is(query.status, query.now))
        with storage_errors("listing calls"):
            docs, following = await newest_first_page(self._calls, conditions, page)
        return Page(self._read.each(docs), following)

    async def _find(self, query: Document) -> Call | None:
        with storage_errors("reading a call"):
            doc = await self._calls.find_one(query)
        return self._read.one(doc)


def _marking(announcement: Announcement | None) -> Document:
    """Marks in an array of strings, counted in a number: nx-27017 stores documents pushed
    into an array as JSON strings and cannot tell an emptied array from a filled one."""
    if announcement is None:
        return {}
    return {"$push": {"outbox": announcement.mark}, "$inc": {"outbox_n": 1, "sequence": 1}}


def _with_pending(doc: Document) -> tuple[Call, list[Announcement]]:
    return _to_call(doc), _pending(doc)


def _pending(doc: Document) -> list[Announcement]:
    marks: list[str] = doc.get("outbox", [])
    return numbered(marks, doc.get("sequence", len(marks)))


def _status_is(status: CallStatus, now: datetime) -> Document:
    """The status as the caller sees it: a queued call past its window counts as expired."""
    if status is CallStatus.QUEUED:
        return {"status": status.value, "expires_at": {"$gt": now}}
    if status is CallStatus.EXPIRED:
        return {
            "$or": [
                {"status": status.value},
                {"status": CallStatus.QUEUED.value, "expires_at": {"$lte": now}},
            ]
        }
    return {"status": status.value}


def _to_call(doc: Document) -> Call:
    return Call(
        id=doc["_id"],
        tenant_id=doc["tenant_id"],
        agent_id=doc["agent_id"],
        type=CallType(doc["type"]),
        status=CallStatus(doc["status"]),
        room_name=doc["room_name"],
        participant_identity=doc["participant_identity"],
        metadata=doc["metadata"],
        created_at=stored_datetime(doc["created_at"]),
        expires_at=stored_datetime(doc["expires_at"]),
        joined_at=optional_datetime(doc.get("joined_at")),
        ended_at=optional_datetime(doc.get("ended_at")),
        end_reason=doc.get("end_reason"),
        agent_joined_at=optional_datetime(doc.get("agent_joined_at")),
        ended_by=doc.get("ended_by"),
        caller_sid=doc.get("caller_sid"),
        created_by=_created_by(doc.get("created_by")),
        participant=_participant(doc.get("participant")),
    )


def _created_by_document(created_by: CreatedBy | None) -> Document | None:
    if created_by is None:
        return None
    return {"key_id": created_by.key_id, "key_kind": created_by.key_kind.value}


def _created_by(stored: Document | None) -> CreatedBy | None:
    """Calls stored before keys were recorded have none."""
    return None if stored is None else CreatedBy(stored["key_id"], KeyKind(stored["key_kind"]))


def _participant_fields(participant: Participant) -> Document:
    """Only what the caller said about itself: most calls say nothing, and store nothing."""
    if participant == Participant():
        return {}
    return {
        "participant": {
            "identity": participant.identity,
            "name": participant.name,
            "metadata": participant.metadata,
            "attributes": dict(participant.attributes),
        }
    }


def _outbox_fields(call: Call) -> Document:
    """Marked in the insert itself, so announcing the call costs the token route no second
    command. A call not to announce gets no outbox fields at all: the sparse `outbox` index
    then skips it (a move that announces adds them)."""
    if not call.announce_creation:
        return {}
    return {"outbox": [created(call.created_at).mark], "outbox_n": 1}


def _participant(stored: Document | None) -> Participant:
    if stored is None:
        return Participant()
    return Participant(
        identity=stored.get("identity"),
        name=stored.get("name"),
        metadata=stored.get("metadata"),
        attributes=stored.get("attributes") or {},
    )
