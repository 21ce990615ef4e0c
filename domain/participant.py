"""What a caller may say about itself in its join token: LiveKit's participant name,
metadata and attributes, and (from a tenant's backend only) its identity."""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass, field

from domain.errors import InvalidRequestField
from domain.tenant import checked_name, has_control_characters

MAX_METADATA_BYTES = 4 * 1024
MAX_ATTRIBUTES = 16
MAX_ATTRIBUTE_KEY_BYTES = 64
MAX_ATTRIBUTE_VALUE_BYTES = 512
MAX_TOKEN_PART_BYTES = 8 * 1024
RESERVED_ATTRIBUTES = frozenset({"call_id", "agent_id"})
_IDENTITY = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.:@-]{0,127}")
# json.dumps(text, ensure_ascii=False)'s encoder, built once rather than per call
_UNESCAPED = json.JSONEncoder(ensure_ascii=False)


@dataclass(frozen=True, slots=True)
class Participant:
    """`identity` None means the service's own (`caller_<call id>`)."""

    identity: str | None = None
    name: str | None = None
    metadata: str | None = None
    attributes: Mapping[str, str] = field(default_factory=dict)


def checked_participant(participant: Participant) -> Participant:
    """Raises InvalidRequestField naming `participant_<field>` for anything out of bounds.
    Sizes are UTF-8 bytes, and what the caller puts in its token (name, metadata, attributes)
    is at most MAX_TOKEN_PART_BYTES as the token carries it (JSON-escaped)."""
    if participant.identity is participant.name is participant.metadata is None and not (
        participant.attributes
    ):
        return participant  # the seed route's: nothing said, nothing to check
    if participant.identity is not None and _IDENTITY.fullmatch(participant.identity) is None:
        raise InvalidRequestField(
            "participant_identity",
            "is 1 to 128 letters, digits and _ . : @ -, starting with a letter or digit",
        )
    name = participant.name
    if name is not None:
        try:
            name = checked_name(name)
        except ValueError as error:
            raise InvalidRequestField("participant_name", str(error)) from None
    if len((participant.metadata or "").encode()) > MAX_METADATA_BYTES:
        raise InvalidRequestField("participant_metadata", f"is at most {MAX_METADATA_BYTES} bytes")
    _check_attributes(participant.attributes)
    if participant.metadata or participant.attributes:
        _check_token_part(name, participant.metadata, participant.attributes)
    return Participant(participant.identity, name, participant.metadata, participant.attributes)


def _check_attributes(attributes: Mapping[str, str]) -> None:
    if len(attributes) > MAX_ATTRIBUTES:
        raise InvalidRequestField("participant_attributes", f"has at most {MAX_ATTRIBUTES} entries")
    for key, value in attributes.items():
        if has_control_characters(key):  # a NUL cannot even be stored (a BSON key)
            raise InvalidRequestField("participant_attributes", "a key has no control characters")
        encoded_key = key.encode()
        where = "participant_attributes." + encoded_key[:MAX_ATTRIBUTE_KEY_BYTES].decode(
            errors="ignore"
        )
        if has_control_characters(value):
            raise InvalidRequestField(where, "has no control characters")
        if key in RESERVED_ATTRIBUTES:
            raise InvalidRequestField(where, "is set by the service")
        if not 1 <= len(encoded_key) <= MAX_ATTRIBUTE_KEY_BYTES:
            raise InvalidRequestField(where, f"a key has 1 to {MAX_ATTRIBUTE_KEY_BYTES} bytes")
        if len(value.encode()) > MAX_ATTRIBUTE_VALUE_BYTES:
            raise InvalidRequestField(where, f"is at most {MAX_ATTRIBUTE_VALUE_BYTES} bytes")


def _check_token_part(
    name: str | None, metadata: str | None, attributes: Mapping[str, str]
) -> None:
    texts = [name or "", metadata or "", *attributes.keys(), *attributes.values()]
    size = sum(_in_token(text) for text in texts)
    if size > MAX_TOKEN_PART_BYTES:
        raise InvalidRequestField(
            "participant_attributes",
            f"name, metadata and attributes together are {size} bytes in the token, "
            f"more than {MAX_TOKEN_PART_BYTES} bytes",
        )


def _in_token(text: str) -> int:
    """Bytes of a JSON string's content as the token's claims encode it (UTF-8, with `"`,
    `\\` and control characters escaped)."""
    return len(_UNESCAPED.encode(text).encode()) - 2
