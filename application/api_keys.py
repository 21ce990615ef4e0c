from datetime import timedelta

from domain.api_key import ApiKey, NewApiKey, mint_api_key
from domain.errors import ApiKeyNotFound, TenantNotFound
from domain.ports import ApiKeyRepository, Clock, TenantRepository


class CreateApiKey:
    """Mint a key for an existing tenant; only its SHA-256 hash is stored, the plaintext is
    returned once and cannot be recovered. A tenant may hold several keys (rotation); a key
    may expire (`valid_for`), after which it authenticates nothing."""

    def __init__(self, tenants: TenantRepository, api_keys: ApiKeyRepository, clock: Clock) -> None:
        self._tenants = tenants
        self._api_keys = api_keys
        self._clock = clock

    async def __call__(self, tenant_id: str, valid_for: timedelta | None = None) -> NewApiKey:
        if valid_for is not None and valid_for <= timedelta(0):
            raise ValueError("a key's validity must be positive")
        if await self._tenants.get(tenant_id) is None:
            raise TenantNotFound(tenant_id)
        now = self._clock.now()
        minted = mint_api_key(tenant_id, now, None if valid_for is None else now + valid_for)
        await self._api_keys.add(minted.key)
        return minted


class RevokeApiKey:
    """Revocation is final; revoking twice keeps the first revocation time. It takes effect at
    once in this process (its cache drops the key) and within CACHE_TTL_SECONDS in every other
    process, whose read-through cache may still hold the key until then."""

    def __init__(self, api_keys: ApiKeyRepository, clock: Clock) -> None:
        self._api_keys = api_keys
        self._clock = clock

    async def __call__(self, key_id: str) -> ApiKey:
        revoked = await self._api_keys.revoke(key_id, self._clock.now())
        if revoked is None:
            raise ApiKeyNotFound(key_id)
        return revoked


class ListApiKeys:
    """A tenant's keys, newest first: ids, hints and lifecycle times, never hashes' sources."""

    def __init__(self, api_keys: ApiKeyRepository) -> None:
        self._api_keys = api_keys

    async def __call__(self, tenant_id: str) -> list[ApiKey]:
        return await self._api_keys.list_for_tenant(tenant_id)
