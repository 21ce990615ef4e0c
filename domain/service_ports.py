"""Ports to what stores nothing of ours: the clock, LiveKit (its token signer and its
webhooks' verifier), the health probe, rate limits, the webhook sender and host resolver,
public suffixes and the call presenter. `domain/ports.py` names them too."""

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from domain.agent import Agent
from domain.call import Call
from domain.call_events import RoomEvent
from domain.rate_limit import RateLimitDecision
from domain.webhook_delivery import SendOutcome


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


class PublicSuffixes(Protocol):
    def is_public_suffix(self, domain: str) -> bool:
        """True for a domain under which anyone may register a name of their own (`com`,
        `co.uk`, `github.io`): the Public Suffix List's ICANN and private sections."""
        ...


class WebhookSender(Protocol):
    async def post(
        self, url: str, address: str, body: str, headers: Mapping[str, str]
    ) -> SendOutcome:
        """POST `body` to `url`, connected to `address` (already checked) and never
        following a redirect, within the configured timeout, reading at most a small part
        of the answer. Never raises for the receiver's failures."""
        ...

    async def close(self) -> None: ...


class HostResolver(Protocol):
    async def addresses(self, host: str) -> list[str]:
        """Every address `host` resolves to now; [] when it does not resolve."""
        ...


class RateLimiter(Protocol):
    async def hit(self, subject: str) -> RateLimitDecision | None:
        """Count one request for `subject`; None when limiting is off or its store is down."""
        ...

    async def close(self) -> None: ...


class CallPresenter(Protocol):
    def __call__(self, call: Call) -> Mapping[str, Any]:
        """The call as the API shows it (GET /v1/calls/{id}), as JSON-ready values."""
        ...
