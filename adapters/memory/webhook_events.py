from datetime import datetime


class InMemoryProcessedEvents:
    def __init__(self) -> None:
        self.seen: dict[str, datetime] = {}

    async def claim(self, event_id: str, at: datetime) -> bool:
        return self.seen.setdefault(event_id, at) is at

    async def release(self, event_id: str) -> None:
        self.seen.pop(event_id, None)
