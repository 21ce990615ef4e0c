"""The access token checks livekit-server makes before admitting a participant."""

from dataclasses import dataclass

from livekit.api import TokenVerifier
from livekit.api.access_token import Claims


class Refused(Exception):
    """The token does not admit this participant: 401, as livekit-server answers."""


@dataclass(frozen=True)
class Admission:
    claims: Claims
    room: str
    identity: str
    agent_names: tuple[str, ...]


def admit(token: str | None, api_key: str, api_secret: str) -> Admission:
    """HS256 with the configured key and secret, `exp`/`nbf` (with LiveKit's leeway),
    `video.roomJoin`, a room and an identity."""
    if not token:
        raise Refused("no access token")
    try:
        claims = TokenVerifier(api_key, api_secret).verify(token)
    except Exception as error:  # pyjwt's errors, and the SDK's own for a missing key
        raise Refused(f"invalid token: {type(error).__name__}") from error
    video = claims.video
    if video is None or not video.room_join:
        raise Refused("permissions denied: no roomJoin")
    if not video.room:
        raise Refused("no room in token")
    if not claims.identity:
        raise Refused("no identity in token")
    agents = claims.room_config.agents if claims.room_config is not None else []
    return Admission(claims, video.room, claims.identity, tuple(a.agent_name for a in agents))
