import json
from datetime import timedelta
from typing import Any

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
    which costs several times more per token (benchmarks/signing.py);
    tests/unit/test_livekit_signers.py proves LiveKit reads the same claims from both.
    `exp` is the call's `expires_at`; `nbf` is back-dated for clock skew.
    """

    def __init__(self, settings: LiveKitSettings) -> None:
        self._settings = settings
        self._signer = HS256Signer(settings.api_secret)

    def configuration_problem(self) -> str | None:
        return self._settings.problem()

    def issue(self, call: Call, agent: Agent) -> SignedToken:
        token = self._signer.sign(join_claims(call, agent, self._settings.api_key))
        return SignedToken(token=token, server_url=self._settings.url)


def join_claims(call: Call, agent: Agent, api_key: str) -> dict[str, Any]:
    """The claims of livekit-api's AccessToken, in its order, for a caller joining the call's
    room with the agent dispatched by the room's creation, publishing what the agent allows.
    The caller's own name, metadata and attributes come along; the ids are always ours."""
    ids = {"call_id": call.id, "agent_id": agent.id}
    dispatch = {**ids, "room_name": call.room_name, "type": call.type.value}
    named = {"name": call.participant.name} if call.participant.name else {}
    return {
        **named,
        "kind": "standard",
        "metadata": call.participant.metadata or json.dumps(ids),
        "video": {
            "roomJoin": True,
            "room": call.room_name,
            "canPublish": True,
            "canSubscribe": True,
            "canPublishData": agent.caller_permissions.can_publish_data,
            "canPublishSources": list(agent.caller_permissions.can_publish_sources),
        },
        "attributes": {**call.participant.attributes, **ids},
        "roomConfig": {
            "agents": [{"agentName": agent.dispatch_name, "metadata": json.dumps(dispatch)}]
        },
        "sub": call.participant_identity,
        "iss": api_key,
        "nbf": int((call.created_at - CLOCK_SKEW_ALLOWANCE).timestamp()),
        "exp": int(call.expires_at.timestamp()),
    }
