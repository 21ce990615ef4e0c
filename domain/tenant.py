import hashlib
import hmac
import re
import secrets
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidName
from domain.ids import new_id

API_KEY_PREFIX = "rtk_"
_SECRET_BYTES = 32
_API_KEY_PATTERN = re.compile(r"^rtk_[A-Za-z0-9_-]{43}$")
MAX_NAME_LENGTH = 200


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def checked_name(name: str) -> str:
    stripped = name.strip()
    if not stripped or len(stripped) > MAX_NAME_LENGTH:
        raise InvalidName(f"a name has 1 to {MAX_NAME_LENGTH} characters")
    if any(_is_control(c) for c in stripped):
        raise InvalidName("a name has no control characters")
    return stripped


def _is_control(character: str) -> bool:
    # Terminal escapes (ESC, OSC, C1), line breaks and bidi overrides that reorder what is shown.
    return unicodedata.category(character) in ("Cc", "Zl", "Zp") or character in _BIDI_CONTROLS


@dataclass(frozen=True, slots=True)
class Tenant:
    id: str
    name: str
    created_at: datetime

    @classmethod
    def create(cls, name: str, now: datetime) -> "Tenant":
        return cls(id=new_id(), name=checked_name(name), created_at=now)


def hash_api_key(plaintext: str) -> str:
    """Keys carry 256 random bits, so a plain SHA-256 is a safe, constant-cost lookup key."""
    return hashlib.sha256(plaintext.encode("utf-8")).hexdigest()


def looks_like_api_key(candidate: str) -> bool:
    return _API_KEY_PATTERN.fullmatch(candidate) is not None


def same_hash(left: str, right: str) -> bool:
    return hmac.compare_digest(left, right)


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


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for: the tenant, and the key that proved it."""

    tenant_id: str
    api_key_id: str
