from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidName
from domain.ids import new_id

MAX_NAME_LENGTH = 200


def checked_name(name: str) -> str:
    stripped = name.strip()
    if not stripped or len(stripped) > MAX_NAME_LENGTH:
        raise InvalidName(f"a name has 1 to {MAX_NAME_LENGTH} characters")
    return stripped


@dataclass(frozen=True, slots=True)
class Tenant:
    id: str
    name: str
    created_at: datetime

    @classmethod
    def create(cls, name: str, now: datetime) -> "Tenant":
        return cls(id=new_id(), name=checked_name(name), created_at=now)


@dataclass(frozen=True, slots=True)
class Principal:
    """Who a request acts for: the tenant, and the key that proved it."""

    tenant_id: str
    api_key_id: str
