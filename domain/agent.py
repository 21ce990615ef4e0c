import re
from dataclasses import dataclass
from datetime import datetime

from domain.errors import InvalidName
from domain.ids import new_id
from domain.tenant import checked_name

_DISPATCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def checked_dispatch_name(dispatch_name: str) -> str:
    if _DISPATCH_NAME.fullmatch(dispatch_name) is None:
        raise InvalidName(
            "a dispatch name is 1 to 128 letters, digits, '_', '.' or '-', starting alphanumeric"
        )
    return dispatch_name


@dataclass(frozen=True, slots=True)
class Agent:
    """A voice agent of one tenant; `dispatch_name` is the LiveKit agent name it registers."""

    id: str
    tenant_id: str
    name: str
    dispatch_name: str
    created_at: datetime

    @classmethod
    def create(cls, tenant_id: str, name: str, dispatch_name: str | None, now: datetime) -> "Agent":
        clean_name = checked_name(name)
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            name=clean_name,
            dispatch_name=checked_dispatch_name(dispatch_name or _slug(clean_name)),
            created_at=now,
        )


def _slug(name: str) -> str:
    slug = re.sub(r"[^a-z0-9_.-]+", "-", name.lower()).strip("-_.")
    return slug[:128] or "agent"
