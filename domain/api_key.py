import hashlib
import re
import secrets
from dataclasses import dataclass
from datetime import datetime

from domain.ids import new_id

API_KEY_PREFIX = "rtk_"
_SECRET_BYTES = 32
_API_KEY_PATTERN = re.compile(r"^rtk_[A-Za-z0-9_-]{43}$")


def hash_api_key(plaintext: str) -> str:
    """Keys carry 256 random bits, so a plain SHA-256 is a safe, constant-cost lookup key."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def looks_like_api_key(candidate: str) -> bool:
    return _API_KEY_PATTERN.fullmatch(candidate) is not None


@dataclass(frozen=True, slots=True)
class ApiKey:
    id: str
    tenant_id: str
    key_hash: str
    hint: str
    created_at: datetime
    revoked_at: datetime | None = None
    expires_at: datetime | None = None
    last_used_at: datetime | None = None

    def usable_at(self, moment: datetime) -> bool:
        return self.revoked_at is None and (self.expires_at is None or moment < self.expires_at)


@dataclass(frozen=True, slots=True)
class NewApiKey:
    """A freshly minted key: the plaintext exists only here and is shown once."""

    key: ApiKey
    plaintext: str


def mint_api_key(tenant_id: str, now: datetime, expires_at: datetime | None = None) -> NewApiKey:
    plaintext = API_KEY_PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
    key = ApiKey(
        id=new_id(),
        tenant_id=tenant_id,
        key_hash=hash_api_key(plaintext),
        hint=plaintext[: len(API_KEY_PREFIX) + 4] + "…" + plaintext[-4:],
        created_at=now,
        expires_at=expires_at,
    )
    return NewApiKey(key=key, plaintext=plaintext)
