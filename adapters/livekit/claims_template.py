"""A call's join claims, written straight as the JSON bytes msgspec would write for them.

For one agent, the claims of every call whose caller said nothing about itself (no name,
metadata or attributes) differ only in the call's id, room name and identity and in its two
timestamps. So the claims function itself is run once per agent on two made-up calls and
what it wrote is cut at those five values: the template is kept only when both calls' claims
cut into the same pieces with the same holes (text of the agent's own that happened to look
like a made-up value would not). A call is written from the template only when its three
texts need no JSON escape (the UUIDs and names the service mints never do), since they are
pasted in as they are, even inside the JSON strings the claims carry; any other call, and
any agent without a template, takes the claims function and the encoder.
"""

import dataclasses
import operator
import re
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from json.encoder import encode_basestring_ascii as _quoted
from typing import Any

import msgspec

from domain.agent import Agent
from domain.call import Call, CallType
from domain.participant import Participant

Claims = Callable[[Call, Agent, str], Mapping[str, Any]]
_EPOCH = datetime(1970, 1, 1, tzinfo=UTC)
_WEBRTC = CallType.WEBRTC
_MAX_AGENTS = 1024
_HOLES = ("id", "room", "sub", "nbf", "exp")
# Two made-up calls, nothing alike: no agent's own text could look like both.
_MADE_UP: tuple[dict[str, Any], ...] = (
    {"id": "Qz7CallQz7", "room": "Qz7RoomQz7", "sub": "Qz7SubQz7", "nbf": 1234567, "exp": 9876543},
    {"id": "Wk3xIdWk3x", "room": "Wk3xRoomWk3x", "sub": "Wk3xS", "nbf": 7654321, "exp": 3456789},
)


class _Template:
    """The text around the holes, and which of _HOLES each hole is."""

    def __init__(self, pieces: list[str], holes: tuple[int, ...]) -> None:
        self._text = [text for piece in pieces for text in (piece, "")][:-1]
        self._pick = operator.itemgetter(*holes)

    def filled(self, values: tuple[str, ...]) -> bytes:
        text = self._text.copy()
        text[1::2] = self._pick(values)
        return "".join(text).encode()


class ClaimsTemplates:
    """`encoded(call, agent)` is `msgspec.json.encode(claims(call, agent, api_key))`."""

    def __init__(self, claims: Claims, api_key: str, nbf_allowance: timedelta) -> None:
        """`nbf_allowance`: how far the claims back-date `nbf` from the call's creation."""
        self._claims = claims
        self._api_key = api_key
        self._allowance = nbf_allowance
        self._encode = msgspec.json.Encoder().encode
        self._by_agent: dict[str, tuple[Agent, _Template | None]] = {}

    def encoded(self, call: Call, agent: Agent) -> bytes:
        participant = call.participant
        if participant.name or participant.metadata or participant.attributes:
            return self._encode(self._claims(call, agent, self._api_key))
        texts = call.id + call.room_name + call.participant_identity
        template = self._template(agent)
        if template is None or call.type is not _WEBRTC or len(_quoted(texts)) != len(texts) + 2:
            return self._encode(self._claims(call, agent, self._api_key))
        return template.filled(self._holes(call))

    def _template(self, agent: Agent) -> _Template | None:
        known = self._by_agent.get(agent.id)
        if known is not None and (known[0] is agent or known[0] == agent):
            return known[1]
        if len(self._by_agent) >= _MAX_AGENTS:
            self._by_agent.clear()
        template = self._written(agent)
        self._by_agent[agent.id] = (agent, template)
        return template

    def _written(self, agent: Agent) -> _Template | None:
        """The template both made-up calls' claims agree on, if they do."""
        splits = set()
        for values in _MADE_UP:
            call = self._made_up_call(agent, values)
            written = self._encode(self._claims(call, agent, self._api_key)).decode()
            index = {str(values[hole]): i for i, hole in enumerate(_HOLES)}
            pattern = "|".join(re.escape(text) for text in sorted(index, key=len, reverse=True))
            split = re.split(f"({pattern})", written)
            splits.add((tuple(split[::2]), tuple(index[text] for text in split[1::2])))
        if len(splits) != 1:
            return None
        [(pieces, holes)] = splits
        return _Template(list(pieces), holes) if len(holes) > 1 else None

    def _holes(self, call: Call) -> tuple[str, ...]:
        """The call's values in _HOLES' order."""
        return (
            call.id,
            call.room_name,
            call.participant_identity,
            str(int((call.created_at - self._allowance).timestamp())),
            str(int(call.expires_at.timestamp())),
        )

    def _made_up_call(self, agent: Agent, values: Mapping[str, Any]) -> Call:
        call = Call.queue_webrtc(
            tenant_id=agent.tenant_id,
            agent_id=agent.id,
            metadata={},
            now=_EPOCH + timedelta(seconds=values["nbf"]) + self._allowance,
            join_window=timedelta(),
            participant=Participant(),
        )
        return dataclasses.replace(
            call,
            id=values["id"],
            room_name=values["room"],
            participant_identity=values["sub"],
            expires_at=_EPOCH + timedelta(seconds=values["exp"]),
        )
