from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from domain.agent import DISPATCH_NAME_REUSE_DELAY
from tests.fakes.repositories import InMemoryAgentRepository


@dataclass(frozen=True, slots=True)
class _Holder:
    tenant_id: str
    released_at: datetime | None = None


class InMemoryDispatchNames:
    def __init__(self, agents: InMemoryAgentRepository) -> None:
        self._agents = agents
        self._holders: dict[str, _Holder] = {}

    async def claim(self, name: str, tenant_id: str, now: datetime) -> bool:
        if name in self._used_by(lambda tenant: tenant != tenant_id):
            return False
        holder = self._holders.get(name)
        if holder is None or holder.tenant_id == tenant_id or _reusable(holder, now):
            self._holders[name] = _Holder(tenant_id)
            return True
        return False

    async def release_unused(self, tenant_id: str, now: datetime) -> None:
        used = self._used_by(lambda tenant: tenant == tenant_id)
        for name, holder in self._holders.items():
            if holder == _Holder(tenant_id) and name not in used:
                self._holders[name] = _Holder(tenant_id, released_at=now)

    def forget(self, name: str) -> None:
        """As if the name's registry entry were lost (agents from before it, a restore)."""
        self._holders.pop(name, None)

    def _used_by(self, tenant_matches: Callable[[str], bool]) -> set[str]:
        return {
            a.dispatch_name
            for a in self._agents.items.values()
            if a.deleted_at is None and tenant_matches(a.tenant_id)
        }


def _reusable(holder: _Holder, now: datetime) -> bool:
    return holder.released_at is not None and holder.released_at + DISPATCH_NAME_REUSE_DELAY <= now
