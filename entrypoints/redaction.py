"""Secrets never reach a log line: what looks like one of our keys, a webhook secret or a
JWT is masked, in every logger's lines and in the access log's."""

import re
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from structlog.typing import EventDict, WrappedLogger

REDACTED = "[redacted]"

_SECRETS = re.compile(
    r"rtk_[A-Za-z0-9_-]+"  # our API keys, well-formed or not
    r"|whsec_[A-Za-z0-9+/=]+"  # webhook signing secrets
    r"|eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*"  # JWTs (LiveKit tokens)
)


def scrub(value: Any) -> Any:
    """Plain JSON values out, secrets masked. Anything else is logged as its repr(), as
    structlog's own JSON renderer would: the renderer never sees an object whose fields it
    could write out past the object's own repr (a settings dataclass hides its secret there)."""
    if isinstance(value, str):
        return _SECRETS.sub(REDACTED, value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {scrub(str(key)): scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [scrub(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return _SECRETS.sub(REDACTED, repr(value))


def redact_secrets(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Last line of defence: nothing logs keys or tokens on purpose, and this catches accidents
    (an exception message, a library's log line)."""
    return {key: scrub(value) for key, value in event_dict.items()}
