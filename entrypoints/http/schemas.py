import uuid
from datetime import datetime
from typing import Any

import msgspec

from application.issue_token import IssuedToken


class TokenRequest(msgspec.Struct, kw_only=True):
    """Unknown fields are ignored, so older clients keep working as the API grows."""

    agent_id: uuid.UUID
    metadata: dict[str, Any] = msgspec.field(default_factory=dict)


class TokenResponse(msgspec.Struct, kw_only=True):
    client_token: str
    room_name: str
    server_url: str
    call_id: str
    participant_identity: str
    expires_at: datetime

    @classmethod
    def of(cls, issued: IssuedToken) -> "TokenResponse":
        return msgspec.convert(issued, cls, from_attributes=True)


class FieldError(msgspec.Struct, kw_only=True, omit_defaults=True):
    message: str
    field: str | None = None


class Problem(msgspec.Struct, kw_only=True, omit_defaults=True):
    """RFC 9457 problem details, plus a stable machine-readable `code` and the request id."""

    type: str
    title: str
    status: int
    code: str
    detail: str
    instance: str
    request_id: str
    errors: list[FieldError] | None = None


class Health(msgspec.Struct, kw_only=True):
    status: str
    checks: dict[str, str] = msgspec.field(default_factory=dict)
