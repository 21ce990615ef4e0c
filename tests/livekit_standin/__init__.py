"""A LiveKit stand-in for tests: enough of livekit-server for the real livekit-client to hold
a WebRTC call on loopback with a scripted agent, and to post LiveKit's webhooks. Test code:
nothing outside tests/ imports it.

    with LiveKitStandIn(key, secret, agents={"desk": AgentScript(...)}, webhook_url=url) as lk:
        ... LIVEKIT_URL=lk.url ...
        agent = lk.agent("webrtc_<call id>")
"""

from tests.livekit_standin.agent import ScriptedAgent
from tests.livekit_standin.hub import IcePair
from tests.livekit_standin.script import (
    AgentScript,
    CallRpc,
    DeleteRoom,
    Hear,
    Leave,
    Reason,
    Say,
    State,
    Wait,
    WaitForAudio,
)
from tests.livekit_standin.server import LiveKitStandIn
from tests.livekit_standin.webhooks import Sent

__all__ = [
    "AgentScript",
    "CallRpc",
    "DeleteRoom",
    "Hear",
    "IcePair",
    "Leave",
    "LiveKitStandIn",
    "Reason",
    "Say",
    "ScriptedAgent",
    "Sent",
    "State",
    "Wait",
    "WaitForAudio",
]
