import dataclasses

from domain.idempotency import IdempotencyRecord


class InMemoryIdempotencyStore:
    def __init__(self) -> None:
        self.items: dict[tuple[str, str], IdempotencyRecord] = {}

    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        held = self.items.setdefault((record.tenant_id, record.key), record)
        return None if held is record else held

    async def complete(self, record: IdempotencyRecord) -> None:
        if self._holds(record):
            self.items[(record.tenant_id, record.key)] = dataclasses.replace(record, completed=True)

    async def release(self, record: IdempotencyRecord) -> None:
        if self._holds(record):
            del self.items[(record.tenant_id, record.key)]

    def _holds(self, record: IdempotencyRecord) -> bool:
        held = self.items.get((record.tenant_id, record.key))
        return held is not None and held.claim_id == record.claim_id
