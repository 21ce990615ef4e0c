import json
import math
from collections.abc import Mapping
from typing import Any

from domain.errors import InvalidMetadata

MAX_METADATA_BYTES = 16 * 1024
MAX_DEPTH = 8
MAX_KEY_BYTES = 256
_INT64_MIN, _INT64_END = -(2**63), 2**63
# What json.dumps(..., separators=(",", ":"), ensure_ascii=False) builds on every call.
_COMPACT = json.JSONEncoder(separators=(",", ":"), ensure_ascii=False)


# A flat dict within these bounds is under MAX_METADATA_BYTES however it is escaped: JSON
# writes an ASCII character in at most 6 bytes (\u001f), an int64 in at most 20.
_FLAT_ENTRIES = 16
_FLAT_CHARACTERS = 64


def check_metadata(metadata: Mapping[str, Any], field: str = "metadata") -> None:
    """Caller metadata must be a small JSON object any document store keeps as given."""
    if not _small_and_flat(metadata):
        check_metadata_in_full(metadata, field)


def _small_and_flat(metadata: Mapping[str, Any]) -> bool:
    """True only for metadata the full check accepts: a dict of at most _FLAT_ENTRIES ASCII
    keys of at most _FLAT_CHARACTERS, none empty or starting with '$', none with '.' or NUL,
    whose values are None, booleans, int64s or ASCII text of at most _FLAT_CHARACTERS. It
    writes at most 16 * (2 + 6 * 64 + 1 + 2 + 6 * 64 + 1) + 2 bytes, under 16 KiB; whatever
    it says no to gets the full check, which names what is wrong."""
    if type(metadata) is not dict or len(metadata) > _FLAT_ENTRIES:
        return False
    for key, value in metadata.items():
        if (
            type(key) is not str
            or not key.isascii()
            or not 0 < len(key) <= _FLAT_CHARACTERS
            or key[0] == "$"
            or "." in key
            or "\x00" in key
        ):
            return False
        if type(value) is str:
            if len(value) > _FLAT_CHARACTERS or not value.isascii():
                return False
        elif type(value) is int:
            if not _INT64_MIN <= value < _INT64_END:
                return False
        elif value is not None and type(value) is not bool:
            return False
    return True


def check_metadata_in_full(metadata: Mapping[str, Any], field: str = "metadata") -> None:
    """check_metadata, without its shortcut for small flat objects."""
    _check(metadata, field, 1)
    size = len(_COMPACT.encode(metadata).encode())
    if size > MAX_METADATA_BYTES:
        raise InvalidMetadata(field, f"is {size} bytes, more than {MAX_METADATA_BYTES}")


def _check(value: Any, path: str, depth: int) -> None:
    if isinstance(value, Mapping):
        if depth > MAX_DEPTH:
            raise InvalidMetadata(path, f"nests deeper than {MAX_DEPTH} levels")
        for key, item in value.items():
            _check_key(key, path)
            if not _always_valid(item):
                _check(item, f"{path}.{key}", depth + 1)
    elif isinstance(value, list):
        if depth > MAX_DEPTH:
            raise InvalidMetadata(path, f"nests deeper than {MAX_DEPTH} levels")
        for index, item in enumerate(value):
            if not _always_valid(item):
                _check(item, f"{path}[{index}]", depth + 1)
    elif isinstance(value, float):
        if not math.isfinite(value):
            raise InvalidMetadata(path, "is not a finite number")
    elif isinstance(value, bool) or value is None or isinstance(value, str):
        return
    elif isinstance(value, int):
        # Compared, not `in range(...)`: range tests an int subclass (an IntEnum member) by
        # walking every number it holds.
        if not _INT64_MIN <= value < _INT64_END:
            raise InvalidMetadata(path, "is an integer outside the 64-bit range")
    else:
        raise InvalidMetadata(path, "is not a JSON value")


def _always_valid(value: Any) -> bool:
    """Strings, booleans and null pass `_check` at any depth: no path to write for them."""
    return value is None or isinstance(value, str | bool)


def _check_key(key: object, path: str) -> None:
    if not isinstance(key, str):
        raise InvalidMetadata(path, "has a key that is not a string")
    if not key or len(key.encode()) > MAX_KEY_BYTES:
        raise InvalidMetadata(path, f"has a key that is not 1 to {MAX_KEY_BYTES} bytes")
    if key.startswith("$") or "\x00" in key or "." in key:
        raise InvalidMetadata(path, f"has a key {key[:32]!r} with '$' first, '.' or NUL")
