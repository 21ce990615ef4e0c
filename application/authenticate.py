from datetime import datetime, timedelta

from domain.api_key import ApiKey, hash_api_key, looks_like_api_key
from domain.errors import AuthenticationFailed, StorageError
from domain.frozen import positional
from domain.ports import ApiKeyRepository, Clock
from domain.tenant import KeyKind, Principal

USAGE_RECORD_INTERVAL = timedelta(minutes=1)
_principal = positional(Principal)  # one per authenticated request
_MAX_TRACKED_KEYS = 10_000


class AuthenticateApiKey:
    """Turn a presented API key into the tenant it acts for.

    Rules: a value that is not shaped like one of our keys is rejected without touching the
    store; a well-shaped key is looked up by its SHA-256 hash only (the plaintext is never
    stored); unknown, revoked and expired keys fail with the same error, so a caller learns
    nothing about which keys exist. Expiry is checked against the clock on every request.
    `last_used_at` is recorded at most once a minute per key and process, best effort: a
    failed usage write never fails the request. Storage failures on the lookup propagate
    as StorageError, never as a 401.
    """

    def __init__(self, api_keys: ApiKeyRepository, clock: Clock) -> None:
        self._api_keys = api_keys
        self._clock = clock
        self._recorded: dict[str, datetime] = {}

    async def __call__(self, presented: str | None) -> Principal:
        if not presented or not looks_like_api_key(presented):
            raise AuthenticationFailed
        key = await self._api_keys.find_by_hash(hash_api_key(presented))
        now = self._clock.now()
        if key is None or not key.usable_at(now):
            raise AuthenticationFailed
        await self._record_use(key, now)
        return _principal(key.tenant_id, key.id, KeyKind.SECRET, ())

    async def _record_use(self, key: ApiKey, now: datetime) -> None:
        last = self._recorded.get(key.id)
        if key.last_used_at is not None and (last is None or key.last_used_at > last):
            last = key.last_used_at
        if last is not None and now - last < USAGE_RECORD_INTERVAL:
            return
        if len(self._recorded) >= _MAX_TRACKED_KEYS:
            self._recorded.clear()
        self._recorded[key.id] = now
        try:
            await self._api_keys.record_use(key.id, now)
        except StorageError:
            return
