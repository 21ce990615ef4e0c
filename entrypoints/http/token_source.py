"""LiveKit's standard token endpoint on the wire: `TokenSourceRequest` as the client SDKs'
`TokenSource.endpoint` send it (protobuf field names, every field optional) and the
`TokenSourceResponse` they read, plus how a request becomes our command."""

import json
from datetime import datetime
from typing import Annotated, Any

import msgspec

from application.issue_token import IssuedToken, IssueTokenCommand
from domain.errors import InvalidRequestField
from domain.participant import Participant
from entrypoints.http.json_body import plainly, refuse_duplicates

_ANY: msgspec.json.Decoder[Any] = msgspec.json.Decoder()
NOT_CONFIGURABLE = "is not configurable: every call gets its own room, named by the service"


class RoomAgentDispatch(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    agent_name: str | None = None
    metadata: str | None = None
    deployment: str | None = None


class RoomConfiguration(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """LiveKit's RoomConfiguration. Only `agents[0].agent_name` and `agents[0].metadata` may
    be set: the rest belongs to the room, which each call creates for itself."""

    agents: list[RoomAgentDispatch] | None = None
    name: Any | None = None
    empty_timeout: Any | None = None
    departure_timeout: Any | None = None
    max_participants: Any | None = None
    metadata: Any | None = None
    egress: Any | None = None
    min_playout_delay: Any | None = None
    max_playout_delay: Any | None = None
    sync_streams: Any | None = None


def _described(text: str) -> msgspec.Meta:
    return msgspec.Meta(description=text)


class TokenSourceRequest(msgspec.Struct, kw_only=True, forbid_unknown_fields=True):
    """Sizes are UTF-8 bytes; name, metadata and attributes together are at most 8 KiB as the
    token carries them (domain/participant.py)."""

    room_name: str | None = None
    participant_name: Annotated[
        str | None, _described("1 to 200 characters, no control characters")
    ] = None
    participant_identity: str | None = None
    participant_metadata: Annotated[str | None, _described("At most 4 KiB (UTF-8)")] = None
    participant_attributes: Annotated[
        dict[str, str] | None,
        _described(
            "At most 16; keys 1 to 64 and values up to 512 bytes (UTF-8), no control "
            "characters; with name and metadata at most 8 KiB in the token"
        ),
    ] = None
    room_config: RoomConfiguration | None = None


class TokenSourceResponse(msgspec.Struct, kw_only=True, omit_defaults=True):
    """LiveKit's fields first; `call_id`, `participant_identity` and `expires_at` are ours."""

    server_url: str
    participant_token: str
    room_name: str
    participant_identity: str
    call_id: str
    expires_at: datetime
    participant_name: str | None = None

    @classmethod
    def of(cls, issued: IssuedToken) -> "TokenSourceResponse":
        return cls(
            server_url=issued.server_url,
            participant_token=issued.client_token,
            room_name=issued.room_name,
            participant_identity=issued.participant_identity,
            participant_name=issued.participant_name,
            call_id=issued.call_id,
            expires_at=issued.expires_at,
        )


def token_command(request: TokenSourceRequest) -> IssueTokenCommand:
    """Raises InvalidRequestField naming the first field this endpoint does not take."""
    if request.room_name is not None:
        raise InvalidRequestField("room_name", NOT_CONFIGURABLE)
    dispatch = _dispatch(request.room_config)
    participant = Participant(
        identity=request.participant_identity,
        name=request.participant_name,
        metadata=request.participant_metadata,
        attributes=request.participant_attributes or {},
    )
    return IssueTokenCommand(
        dispatch_name=dispatch.agent_name if dispatch else None,
        metadata=_caller_metadata(dispatch.metadata if dispatch else None),
        participant=participant,
    )


def _dispatch(config: RoomConfiguration | None) -> RoomAgentDispatch | None:
    if config is None:
        return None
    for field in RoomConfiguration.__struct_fields__:
        if field != "agents" and getattr(config, field) is not None:
            raise InvalidRequestField(f"room_config.{field}", NOT_CONFIGURABLE)
    agents = config.agents or []
    if len(agents) > 1:
        raise InvalidRequestField("room_config.agents", "names one agent: a call has one")
    if agents and agents[0].deployment is not None:
        raise InvalidRequestField("room_config.agents[0].deployment", NOT_CONFIGURABLE)
    return agents[0] if agents else None


def _caller_metadata(text: str | None) -> dict[str, Any]:
    """JSON as the seed route's body is read: msgspec's decoder (no NaN or Infinity, no number
    beyond a float's range, no lone surrogate: Python's json module takes all of them), then
    no key named twice."""
    if text is None or text == "":
        return {}
    metadata = plainly(text.encode("utf-8", "surrogatepass"), _ANY)  # parsed once, if plainly
    if metadata is None:
        try:
            msgspec.json.decode(text)
            metadata = json.loads(text, object_pairs_hook=refuse_duplicates)
        except (ValueError, msgspec.DecodeError):
            metadata = None
    if not isinstance(metadata, dict):
        raise InvalidRequestField(
            "room_config.agents[0].metadata", "is a JSON object, sent as a string"
        )
    return metadata
