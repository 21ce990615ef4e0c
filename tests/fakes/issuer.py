import json

from domain.agent import Agent
from domain.call import Call
from domain.ports import SignedToken


class FakeTokenIssuer:
    """Records what it was asked to sign; its 'token' is readable JSON, not a JWT."""

    def __init__(self, server_url: str = "wss://livekit.test", problem: str | None = None):
        self.server_url = server_url
        self.problem = problem
        self.issued: list[tuple[Call, Agent]] = []

    def configuration_problem(self) -> str | None:
        return self.problem

    def issue(self, call: Call, agent: Agent) -> SignedToken:
        self.issued.append((call, agent))
        claims = {"room": call.room_name, "sub": call.participant_identity, "agent": agent.id}
        return SignedToken(token=json.dumps(claims), server_url=self.server_url)
