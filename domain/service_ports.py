"""Ports to what stores nothing of ours: the clock, LiveKit (its token signer and its
webhooks' verifier) and the health probe. `domain/ports.py` names them too."""

from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from domain.agent import Agent
from domain.call import Call
from domain.call_events import RoomEvent


class Clock(Protocol):
    def now(self) -> datetime:
        """Aware UTC, millisecond precision (what every store keeps)."""
        ...


@dataclass(frozen=True, slots=True)
class SignedToken:
    token: str
    server_url: str


class TokenIssuer(Protocol):
    def configuration_problem(self) -> str | None:
        """Why tokens cannot be signed right now, or None when they can."""
        ...

    def issue(self, call: Call, agent: Agent) -> SignedToken:
        """A token that joins the caller to `call.room_name` and dispatches `agent` there."""
        ...


class HealthProbe(Protocol):
    async def check(self) -> str | None:
        """None when the dependency answers; otherwise a short, secret-free reason."""
        ...


class WebhookVerifier(Protocol):
    def verify(self, body: bytes, authorization: str | None) -> RoomEvent | None:
        """The event a signed delivery carries; None for kinds calls do not follow.
        Raises WebhookRejected when the signature or the body hash does not match."""
        ...
