class InMemoryDispatchNames:
    def __init__(self) -> None:
        self.owners: dict[str, str] = {}

    async def claim(self, name: str, tenant_id: str) -> bool:
        return self.owners.setdefault(name, tenant_id) == tenant_id
