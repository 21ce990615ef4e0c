class InMemoryStore:
    """Stands in for MongoStore when every repository is a fake; `down` simulates an outage."""

    def __init__(self) -> None:
        self.started = False
        self.closed = False
        self.down = False

    async def start(self) -> None:
        self.started = True

    async def close(self) -> None:
        self.closed = True

    async def check(self) -> str | None:
        return "in-memory store marked down" if self.down else None
