from collections.abc import Iterable

from domain.api_key import hash_api_key
from domain.errors import (
    AgentNotFound,
    AuthenticationFailed,
    InvalidOrigin,
    PublishableKeyNotFound,
    TenantNotFound,
)
from domain.pagination import Page, PageRequest
from domain.ports import (
    AgentRepository,
    Clock,
    PublicSuffixes,
    PublishableKeyRepository,
    TenantRepository,
)
from domain.publishable_key import (
    NewPublishableKey,
    PublishableKey,
    checked_origin_pattern,
    looks_like_publishable_key,
    mint_publishable_key,
    wildcard_base,
)

PUBLIC_SUFFIX_WILDCARD = (
    "a wildcard over a public suffix would admit every site anyone registers under it: "
    "use your own domain (https://*.yours.github.io, https://*.shop.co.uk)"
)


class CreatePublishableKey:
    """Mint a publishable key for an existing tenant. Rules, in order: the tenant exists;
    every origin is an exact origin or an https subdomain wildcard (InvalidOrigin names the
    first bad one), and there is at least one unless native apps are allowed; no wildcard's
    domain is a public suffix (`https://*.co.uk`, `https://*.github.io`); every listed
    agent is a live agent of this tenant by dispatch name (AgentNotFound otherwise, whether
    it is missing, deleted or another tenant's). Only the hash is stored; the plaintext is
    returned once."""

    def __init__(
        self,
        tenants: TenantRepository,
        agents: AgentRepository,
        publishable_keys: PublishableKeyRepository,
        clock: Clock,
        public_suffixes: PublicSuffixes,
    ) -> None:
        self._tenants = tenants
        self._agents = agents
        self._publishable_keys = publishable_keys
        self._clock = clock
        self._public_suffixes = public_suffixes

    async def __call__(
        self,
        tenant_id: str,
        origins: Iterable[str],
        *,
        agents: Iterable[str] = (),
        allow_native: bool = False,
        description: str | None = None,
    ) -> NewPublishableKey:
        if await self._tenants.get(tenant_id) is None:
            raise TenantNotFound(tenant_id)
        origins = list(origins)
        minted = mint_publishable_key(
            tenant_id,
            origins,
            agents=agents,
            allow_native=allow_native,
            description=description,
            now=self._clock.now(),
        )
        self._refuse_public_suffix_wildcards(origins)
        if minted.key.agents:
            live = {agent.dispatch_name for agent in await self._agents.list_for_tenant(tenant_id)}
            if unknown := [name for name in minted.key.agents if name not in live]:
                raise AgentNotFound(unknown[0])
        await self._publishable_keys.add(minted.key)
        return minted

    def _refuse_public_suffix_wildcards(self, origins: list[str]) -> None:
        for index, origin in enumerate(origins):
            base = wildcard_base(checked_origin_pattern(origin))
            if base is not None and self._public_suffixes.is_public_suffix(base):
                raise InvalidOrigin(origin, PUBLIC_SUFFIX_WILDCARD, f"origins[{index}]")


class ListPublishableKeys:
    """A tenant's publishable keys, newest first by keyset cursor, revoked ones included:
    ids, hints, origins and agents, never the key."""

    def __init__(self, publishable_keys: PublishableKeyRepository) -> None:
        self._publishable_keys = publishable_keys

    async def __call__(self, tenant_id: str, page: PageRequest) -> Page[PublishableKey]:
        return await self._publishable_keys.page_for_tenant(tenant_id, page)


class RevokePublishableKey:
    """Immediate in this process, within the cache TTL everywhere, and final; revoking twice
    keeps the first time. With a tenant (the HTTP API), another tenant's key is
    PublishableKeyNotFound exactly like a missing one; without (the operator's CLI), any key."""

    def __init__(self, publishable_keys: PublishableKeyRepository, clock: Clock) -> None:
        self._publishable_keys = publishable_keys
        self._clock = clock

    async def __call__(self, key_id: str, *, tenant_id: str | None) -> PublishableKey:
        outside_tenant = tenant_id is not None and (
            await self._publishable_keys.get_for_tenant(tenant_id, key_id) is None
        )
        if outside_tenant:
            raise PublishableKeyNotFound(key_id)
        revoked = await self._publishable_keys.revoke(key_id, self._clock.now())
        if revoked is None:
            raise PublishableKeyNotFound(key_id)
        return revoked


class AuthenticatePublishableKey:
    """A presented publishable key → its usable record. A value not shaped like one is
    refused without touching the store; a well-shaped one is looked up by its SHA-256 hash
    only; malformed, unknown and revoked keys all fail with the same AuthenticationFailed.
    Storage failures propagate as StorageError, never as a 401."""

    def __init__(self, publishable_keys: PublishableKeyRepository) -> None:
        self._publishable_keys = publishable_keys

    async def __call__(self, presented: str | None) -> PublishableKey:
        if not presented or not looks_like_publishable_key(presented):
            raise AuthenticationFailed
        key = await self._publishable_keys.find_by_hash(hash_api_key(presented))
        if key is None or not key.usable:
            raise AuthenticationFailed
        return key
