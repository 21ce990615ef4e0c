"""The LiveKit a browser test runs against, behind one small interface: the stand-in
(always), or a real livekit-server when LIVEKIT_TEST_URL names one (issue 17.10). A test
written against `LiveKitUnderTest` cannot reach into either."""

import os
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Protocol

import pytest

from tests.livekit_standin import AgentScript, LiveKitStandIn

REAL_URL = "LIVEKIT_TEST_URL"
REAL_KEY, REAL_SECRET = "LIVEKIT_TEST_API_KEY", "LIVEKIT_TEST_API_SECRET"
REAL_SERVICE_PORT = "LIVEKIT_TEST_SERVICE_PORT"
KINDS = ("stand-in", "livekit-server")


class AgentUnderTest(Protocol):
    identity: str

    def heard_caller(self) -> bool:
        """Non-silent frames of the caller's microphone reached the agent."""
        ...

    def failure(self) -> str | None: ...


class LiveKitUnderTest(Protocol):
    url: str
    api_key: str
    api_secret: str
    service_port: int | None  # a real server's webhooks go to a port fixed in its config

    def send_webhooks_to(self, url: str) -> None: ...

    def agent_in(self, room: str, timeout: float = 15) -> AgentUnderTest: ...


class StandInAgent:
    def __init__(self, standin: LiveKitStandIn, room: str, timeout: float) -> None:
        self._agent = standin.agent(room, timeout)
        self.identity = self._agent.identity

    def heard_caller(self) -> bool:
        return any(hearing.heard for hearing in self._agent.hearing.values())

    def failure(self) -> str | None:
        return self._agent.error


class StandInLiveKit:
    service_port: int | None = None

    def __init__(self, standin: LiveKitStandIn) -> None:
        self._standin = standin
        self.url = standin.url
        self.api_key, self.api_secret = standin.hub.api_key, standin.hub.api_secret

    def send_webhooks_to(self, url: str) -> None:
        self._standin.webhook_url = url

    def agent_in(self, room: str, timeout: float = 15) -> AgentUnderTest:
        return StandInAgent(self._standin, room, timeout)


@contextmanager
def livekit_under_test(
    kind: str, api_key: str, api_secret: str, agents: Mapping[str, AgentScript]
) -> Iterator[LiveKitUnderTest]:
    """The stand-in plays each script for its dispatch name; a real server gets a Python
    rtc participant with an agent grant playing the script the room's token asked for."""
    if kind == "stand-in":
        with LiveKitStandIn(api_key, api_secret, agents) as standin:
            yield StandInLiveKit(standin)
        return
    url = os.environ.get(REAL_URL)
    if not url:
        pytest.skip(
            f"no real LiveKit: set {REAL_URL} (and {REAL_KEY}, {REAL_SECRET}, "
            f"{REAL_SERVICE_PORT}) to run this against livekit-server --dev"
        )
    from tests.browser.real_livekit import RealLiveKit

    with RealLiveKit(url, agents) as real:
        yield real
