from domain.ports import Clock, TenantRepository
from domain.tenant import Tenant


class CreateTenant:
    """A tenant owns API keys and agents; its name is 1 to 200 characters after trimming."""

    def __init__(self, tenants: TenantRepository, clock: Clock) -> None:
        self._tenants = tenants
        self._clock = clock

    async def __call__(self, name: str) -> Tenant:
        tenant = Tenant.create(name, self._clock.now())
        await self._tenants.add(tenant)
        return tenant
