import json
from datetime import datetime

import jwt
from livekit.api import AccessToken, RoomAgentDispatch, RoomConfiguration, VideoGrants

from adapters.livekit.issuer import CLOCK_SKEW_ALLOWANCE
from adapters.livekit.settings import LiveKitSettings
from domain.agent import Agent
from domain.call import Call
from domain.ports import SignedToken


class _PinnedTimeAccessToken(AccessToken):
    """AccessToken whose nbf/exp come from the call, not from a second reading of the clock:
    `exp` equals the stored call's `expires_at`, and `nbf` is back-dated for clock skew."""

    def __init__(self, settings: LiveKitSettings, not_before: datetime, expires: datetime):
        super().__init__(settings.api_key, settings.api_secret)
        self._not_before = int(not_before.timestamp())
        self._expires = int(expires.timestamp())

    def to_jwt(self) -> str:
        claims = self.claims.asdict()
        claims.update(sub=self.identity, iss=self.api_key, nbf=self._not_before, exp=self._expires)
        return jwt.encode(claims, self.api_secret, algorithm="HS256")


class AccessTokenIssuer:
    """The join token built with livekit-api's own AccessToken: the reference that the
    production LiveKitTokenIssuer is proven against (tests) and measured against (benchmarks)."""

    def __init__(self, settings: LiveKitSettings) -> None:
        self._settings = settings

    def configuration_problem(self) -> str | None:
        return self._settings.problem()

    def issue(self, call: Call, agent: Agent) -> SignedToken:
        ids = {"call_id": call.id, "agent_id": agent.id}
        dispatch = json.dumps({**ids, "room_name": call.room_name, "type": call.type.value})
        participant = call.participant
        token = (
            _PinnedTimeAccessToken(
                self._settings, call.created_at - CLOCK_SKEW_ALLOWANCE, call.expires_at
            )
            .with_identity(call.participant_identity)
            .with_kind("standard")
            .with_grants(
                VideoGrants(
                    room_join=True,
                    room=call.room_name,
                    can_publish_data=agent.caller_permissions.can_publish_data,
                    can_publish_sources=list(agent.caller_permissions.can_publish_sources),
                )
            )
            .with_name(participant.name or "")
            .with_metadata(participant.metadata or json.dumps(ids))
            .with_attributes({**participant.attributes, **ids})
            .with_room_config(
                RoomConfiguration(
                    agents=[RoomAgentDispatch(agent_name=agent.dispatch_name, metadata=dispatch)]
                )
            )
        )
        return SignedToken(token=token.to_jwt(), server_url=self._settings.url)
