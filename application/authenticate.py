from domain.errors import AuthenticationFailed
from domain.ports import ApiKeyRepository
from domain.tenant import Principal, hash_api_key, looks_like_api_key


class AuthenticateApiKey:
    """Turn a presented API key into the tenant it acts for.

    Rules: a value that is not shaped like one of our keys is rejected without touching the
    store; a well-shaped key is looked up by its SHA-256 hash only (the plaintext is never
    stored); unknown and revoked keys fail with the same error, so a caller learns nothing
    about which keys exist. Storage failures propagate as StorageError, never as a 401.
    """

    def __init__(self, api_keys: ApiKeyRepository) -> None:
        self._api_keys = api_keys

    async def __call__(self, presented: str | None) -> Principal:
        if not presented or not looks_like_api_key(presented):
            raise AuthenticationFailed
        key = await self._api_keys.find_by_hash(hash_api_key(presented))
        if key is None or not key.is_active:
            raise AuthenticationFailed
        return Principal(tenant_id=key.tenant_id, api_key_id=key.id)
