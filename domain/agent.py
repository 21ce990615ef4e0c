import dataclasses
import re
import unicodedata
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any

from domain.caller_permissions import CallerPermissions
from domain.errors import InvalidName
from domain.ids import new_id
from domain.metadata import check_metadata
from domain.tenant import checked_name

# A released dispatch name goes to another tenant only after this: a token issued before the
# release may still create its room, and so dispatch, until its join window ends (at most
# application/join_window.MAX_TTL_SECONDS).
DISPATCH_NAME_REUSE_DELAY = timedelta(days=1)
_DISPATCH_NAME = re.compile(r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,127}$")


def checked_dispatch_name(dispatch_name: str) -> str:
    if _DISPATCH_NAME.fullmatch(dispatch_name) is None:
        raise InvalidName(
            "a dispatch name is 1 to 128 letters, digits, '_', '.' or '-', starting alphanumeric",
            field="dispatch_name",
        )
    return dispatch_name


@dataclass(frozen=True, slots=True)
class Agent:
    """A voice agent of one tenant; `dispatch_name` is the LiveKit agent name it registers.

    `default_metadata` is merged under each call's own metadata. A deleted agent keeps its
    record (calls still point at it) but no longer takes calls. `caller_permissions` is what
    its callers' tokens let them publish.
    """

    id: str
    tenant_id: str
    name: str
    dispatch_name: str
    created_at: datetime
    default_metadata: Mapping[str, Any] = field(default_factory=dict)
    updated_at: datetime | None = None
    deleted_at: datetime | None = None
    caller_permissions: CallerPermissions = field(default_factory=CallerPermissions)

    @classmethod
    def create(
        cls,
        tenant_id: str,
        name: str,
        dispatch_name: str | None,
        now: datetime,
        default_metadata: Mapping[str, Any] | None = None,
        caller_permissions: CallerPermissions | None = None,
    ) -> "Agent":
        clean_name = checked_name(name)
        defaults = dict(default_metadata or {})
        check_metadata(defaults, field="default_metadata")
        agent_id = new_id()
        return cls(
            id=agent_id,
            tenant_id=tenant_id,
            name=clean_name,
            dispatch_name=checked_dispatch_name(
                derived_dispatch_name(clean_name, agent_id)
                if dispatch_name is None
                else dispatch_name
            ),
            created_at=now,
            default_metadata=defaults,
            updated_at=now,
            caller_permissions=caller_permissions or CallerPermissions(),
        )

    def changed(
        self,
        now: datetime,
        *,
        name: str | None = None,
        dispatch_name: str | None = None,
        default_metadata: Mapping[str, Any] | None = None,
        caller_permissions: CallerPermissions | None = None,
    ) -> "Agent":
        if default_metadata is not None:
            check_metadata(default_metadata, field="default_metadata")
        return dataclasses.replace(
            self,
            name=self.name if name is None else checked_name(name),
            dispatch_name=(
                self.dispatch_name
                if dispatch_name is None
                else checked_dispatch_name(dispatch_name)
            ),
            default_metadata=(
                self.default_metadata if default_metadata is None else dict(default_metadata)
            ),
            updated_at=now,
            caller_permissions=caller_permissions or self.caller_permissions,
        )


_SUFFIX_LENGTH = 8


def derived_dispatch_name(name: str, agent_id: str) -> str:
    """The name's Latin letters and digits (accents dropped; "agent" when it has none) and
    the start of the agent's id: in any script, one name per agent, always the same."""
    suffix = agent_id.replace("-", "")[:_SUFFIX_LENGTH]
    return f"{_slug(name)[: 127 - _SUFFIX_LENGTH]}-{suffix}"


def _slug(name: str) -> str:
    ascii_only = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode()
    slug = re.sub(r"[^a-z0-9_.-]+", "-", ascii_only.lower()).strip("-_.")
    return slug or "agent"
