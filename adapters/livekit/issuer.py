from datetime import timedelta
from json.encoder import encode_basestring_ascii as _quoted
from typing import Any

from adapters.livekit.claims_template import ClaimsTemplates
from adapters.livekit.hs256 import HS256Signer
from adapters.livekit.settings import LiveKitSettings
from domain.agent import Agent
from domain.call import Call
from domain.ports import SignedToken

CLOCK_SKEW_ALLOWANCE = timedelta(seconds=10)


class LiveKitTokenIssuer:
    """Signs LiveKit join tokens. Everything in a token is readable by the browser, so it
    carries ids only: never the tenant's metadata, keys or other tenants' data.

    The claims are written out directly rather than built with livekit-api's AccessToken,
    which costs several times more per token (benchmarks/signing.py), and most tokens are
    written from a template of them (claims_template.py) rather than from the dict;
    tests/unit/test_livekit_signers.py proves LiveKit reads the same claims from both.
    `exp` is the call's `expires_at`; `nbf` is back-dated for clock skew.
    """

    def __init__(self, settings: LiveKitSettings) -> None:
        self._settings = settings
        self._signer = HS256Signer(settings.api_secret)
        self._problem = settings.problem()  # the settings are frozen: checked once
        self._claims = ClaimsTemplates(join_claims, settings.api_key, CLOCK_SKEW_ALLOWANCE)

    def configuration_problem(self) -> str | None:
        return self._problem

    def issue(self, call: Call, agent: Agent) -> SignedToken:
        token = self._signer.sign_encoded(self._claims.encoded(call, agent))
        return SignedToken(token, self._settings.url)


def join_claims(call: Call, agent: Agent, api_key: str) -> dict[str, Any]:
    """The claims of livekit-api's AccessToken, in its order, for a caller joining the call's
    room with the agent dispatched by the room's creation, publishing what the agent allows.
    The caller's own name, metadata and attributes come along; the ids are always ours."""
    # json.dumps of {"call_id", "agent_id"} and of those plus "room_name" and "type", exactly
    # (its separators and escapes), without building and walking the dicts per token.
    ids = f'"call_id": {_quoted(call.id)}, "agent_id": {_quoted(agent.id)}'
    dispatch = (
        f'{{{ids}, "room_name": {_quoted(call.room_name)}, "type": {_quoted(call.type.value)}}}'
    )
    named = {"name": call.participant.name} if call.participant.name else {}
    return {
        **named,
        "kind": "standard",
        "metadata": call.participant.metadata or f"{{{ids}}}",
        "video": {
            "roomJoin": True,
            "room": call.room_name,
            "canPublish": True,
            "canSubscribe": True,
            "canPublishData": agent.caller_permissions.can_publish_data,
            "canPublishSources": list(agent.caller_permissions.can_publish_sources),
        },
        "attributes": {**call.participant.attributes, "call_id": call.id, "agent_id": agent.id},
        "roomConfig": {"agents": [{"agentName": agent.dispatch_name, "metadata": dispatch}]},
        "sub": call.participant_identity,
        "iss": api_key,
        "nbf": int((call.created_at - CLOCK_SKEW_ALLOWANCE).timestamp()),
        "exp": int(call.expires_at.timestamp()),
    }
