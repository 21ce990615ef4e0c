"""Litestar's and msgspec's validation messages, read into the fields a problem names."""

import re
from typing import Any

from litestar.exceptions import ValidationException

from entrypoints.http.schemas import FieldError

_MISSING_FIELD = re.compile(r"^Object missing required field `([^`]+)`")
_UNKNOWN_FIELD = re.compile(r"^Object contains unknown field `([^`]+)`")


def _field_error(item: dict[str, Any]) -> FieldError:
    message = str(item.get("message", "is not valid"))
    field = str(item.get("key") or "body")
    nested = "" if field in ("data", "body") else f"{field}."  # the key is the parent object
    if missing := _MISSING_FIELD.match(message):
        return FieldError(field=nested + missing.group(1), message="is required")
    if unknown := _UNKNOWN_FIELD.match(message):
        return FieldError(field=nested + unknown.group(1), message="is not a field of this body")
    if field == "data":
        empty = message == "'data'"
        return FieldError(field="body", message="is empty" if empty else message)
    return FieldError(field=field, message=message)


def validation_errors(error: ValidationException) -> list[FieldError]:
    extra = error.extra if isinstance(error.extra, list) else []
    errors = [_field_error(item) for item in extra if isinstance(item, dict)]
    return errors or [FieldError(field="body", message="is not valid")]


def body_error(message: str) -> list[FieldError]:
    return [FieldError(field="body", message=message)]
