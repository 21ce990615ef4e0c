from datetime import datetime


class InMemoryProcessedEvents:
    def __init__(self) -> None:
        self.seen: dict[str, datetime] = {}

    async def record(self, event_id: str, at: datetime) -> bool:
        if event_id in self.seen:
            return False
        self.seen[event_id] = at
        return True
