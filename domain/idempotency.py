import hashlib
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta
from typing import Any

from domain.errors import InvalidIdempotencyKey
from domain.ids import new_id

RETENTION = timedelta(hours=24)
ABANDONED_AFTER = timedelta(seconds=30)
_VISIBLE = r"[\x21-\x7e]{1,255}"
KEY_PATTERN = rf'^(?:{_VISIBLE}|"{_VISIBLE}")$'
_KEY = re.compile(_VISIBLE)


def checked_idempotency_key(raw: str) -> str:
    """Bare (Stripe) or quoted (IETF draft, a structured-field string) values are accepted:
    `"abc"` and `abc` are the same key, and the 255-character bound is the key's own."""
    quoted = len(raw) > 2 and raw[0] == raw[-1] == '"'
    key = raw[1:-1] if quoted else raw
    if _KEY.fullmatch(key) is None:
        raise InvalidIdempotencyKey("an Idempotency-Key is 1 to 255 visible ASCII characters")
    return key


def request_fingerprint(agent_id: str, metadata: Mapping[str, Any]) -> str:
    canonical = json.dumps(
        {"agent_id": agent_id, "metadata": metadata}, sort_keys=True, separators=(",", ":")
    )
    return hashlib.sha256(canonical.encode()).hexdigest()


@dataclass(frozen=True, slots=True)
class IdempotencyRecord:
    """A claim on (tenant, key), kept 24 hours. The call's id is chosen with the claim, so a
    retry can always tell whether the first attempt stored its call; `claim_id` tells this
    claim from a later one that took it over (which keeps the call id)."""

    tenant_id: str
    key: str
    fingerprint: str
    call_id: str
    created_at: datetime
    expires_at: datetime
    completed: bool = False
    claim_id: str = field(default_factory=new_id)

    @classmethod
    def claim(
        cls, tenant_id: str, key: str, fingerprint: str, now: datetime
    ) -> "IdempotencyRecord":
        return cls(tenant_id, key, fingerprint, new_id(), now, now + RETENTION)

    def taken_over(self, now: datetime) -> "IdempotencyRecord":
        """A new claim for the same call: whichever attempt stores the call first wins, and
        the other finds it stored (a call id is unique), so one key never stores two calls."""
        return replace(
            self, created_at=now, expires_at=now + RETENTION, completed=False, claim_id=new_id()
        )

    def abandoned_at(self, moment: datetime) -> bool:
        return not self.completed and moment - self.created_at >= ABANDONED_AFTER

    def expired_at(self, moment: datetime) -> bool:
        return moment >= self.expires_at
