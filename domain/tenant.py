import enum
import unicodedata
from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidName
from domain.ids import new_id

MAX_NAME_LENGTH = 200


_BIDI_CONTROLS = frozenset("\u202a\u202b\u202c\u202d\u202e\u2066\u2067\u2068\u2069")


def checked_name(name: str) -> str:
    stripped = name.strip()
    if not stripped or len(stripped) > MAX_NAME_LENGTH:
        raise InvalidName(f"a name has 1 to {MAX_NAME_LENGTH} characters")
    if has_control_characters(stripped):
        raise InvalidName("a name has no control characters")
    return stripped


def has_control_characters(text: str) -> bool:
    return any(_is_control(c) for c in text)


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


class KeyKind(enum.StrEnum):
    SECRET = "secret"  # noqa: S105 - a kind of key, not a key: rtk_…, a tenant's backend
    PUBLISHABLE = "publishable"  # rtpk_…: a web or mobile app, bound to origins


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for: the tenant, and the key that proved it. `agents` are the
    dispatch names that key may call (empty: every agent of the tenant)."""

    tenant_id: str
    api_key_id: str
    key_kind: KeyKind = KeyKind.SECRET
    agents: tuple[str, ...] = ()
