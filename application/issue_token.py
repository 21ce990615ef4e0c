import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from application.join_window import JoinWindow
from domain.agent import Agent
from domain.call import Call
from domain.errors import (
    AgentNotFound,
    CallExpired,
    CallNotCreated,
    CallNotFound,
    CallOutcomeUnknown,
    StorageError,
    StorageUnavailable,
    TokenIssuerNotConfigured,
    TooManyQueuedCalls,
)
from domain.metadata import check_metadata
from domain.ports import AgentRepository, CallRepository, Clock, TokenIssuer
from domain.tenant import Principal


@dataclass(frozen=True, slots=True)
class IssueTokenCommand:
    agent_id: uuid.UUID
    metadata: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    client_token: str
    room_name: str
    server_url: str
    call_id: str
    participant_identity: str
    expires_at: datetime
    replayed: bool = False


class IssueRealtimeToken:
    """Create a queued WebRTC call for one of the tenant's agents and sign its join token.

    Rules, in order:
    0. caller metadata is a JSON object of at most 16 KiB, 8 levels, keys of 1 to 256 characters
       without a leading '$', '.' or NUL (InvalidMetadata names the field);
    1. the token issuer must be configured, else TokenIssuerNotConfigured and nothing is written;
    2. the agent is looked up within the principal's tenant only; another tenant's agent is
       AgentNotFound, exactly like a missing one;
    3. with a queued-call cap configured (> 0), a tenant already holding that many calls
       queued inside their join window gets TooManyQueuedCalls;
    4. the call is stored as `queued` with the agent's default metadata overlaid by the
       caller's, tagged `type: webrtc` (the tag cannot be overridden), its own room and
       caller identity, and
       `expires_at` = now + join window; if storing fails, CallNotCreated (CallOutcomeUnknown
       when the store did not answer, so the call may exist) and no token;
    5. only then is the token signed, expiring with the call's join window.

    The hot-path budget: a warm request sends MongoDB exactly ONE command, the call's insert
    (concurrent requests may even share one insert: adapters/mongo/insert_batcher.py). The
    API key and the agent come from the in-process read-through caches, LiveKit signing is
    local, and nothing in the background (sweeps, usage stamps, deliveries) rides on the
    request. Two options may each add one command, and only when asked for: the queued-call
    cap (rule 3, a `count`) and an `Idempotency-Key` (IssueTokenIdempotently's claim). Any
    other read or write added here breaks tests/integration/test_round_trips.py and the
    `make bench` row of every token route.
    """

    def __init__(
        self,
        agents: AgentRepository,
        calls: CallRepository,
        issuer: TokenIssuer,
        clock: Clock,
        join_window: JoinWindow,
        max_queued_calls: int = 0,
    ) -> None:
        self._agents = agents
        self._calls = calls
        self._issuer = issuer
        self._clock = clock
        self._join_window = join_window
        self._max_queued_calls = max_queued_calls

    async def __call__(
        self, principal: Principal, command: IssueTokenCommand, call_id: str | None = None
    ) -> IssuedToken:
        check_metadata(command.metadata)
        if (problem := self._issuer.configuration_problem()) is not None:
            raise TokenIssuerNotConfigured(problem)
        agent = await self._agents.get_for_tenant(principal.tenant_id, str(command.agent_id))
        if agent is None:
            raise AgentNotFound
        now = self._clock.now()
        if self._max_queued_calls and (
            await self._calls.count_queued(principal.tenant_id, now) >= self._max_queued_calls
        ):
            raise TooManyQueuedCalls
        call = Call.queue_webrtc(
            tenant_id=principal.tenant_id,
            agent_id=agent.id,
            metadata=command.metadata,
            now=now,
            join_window=self._join_window.duration,
            call_id=call_id,
            default_metadata=agent.default_metadata,
        )
        try:
            await self._calls.add(call)
        except StorageUnavailable as error:
            raise CallOutcomeUnknown(str(error)) from error
        except StorageError as error:
            raise CallNotCreated from error
        return self._signed(call, agent)

    async def reissue(self, principal: Principal, call_id: str) -> IssuedToken:
        """A fresh token for an existing call of this tenant, expiring with its join window;
        past that window it would be dead on arrival, so the call is CallExpired instead."""
        if (problem := self._issuer.configuration_problem()) is not None:
            raise TokenIssuerNotConfigured(problem)
        call = await self._calls.get_for_tenant(principal.tenant_id, call_id)
        if call is None:
            raise CallNotFound
        if self._clock.now() >= call.expires_at:
            raise CallExpired
        agent = await self._agents.get_for_tenant(principal.tenant_id, call.agent_id)
        if agent is None:
            raise AgentNotFound
        return dataclasses.replace(self._signed(call, agent), replayed=True)

    def _signed(self, call: Call, agent: Agent) -> IssuedToken:
        signed = self._issuer.issue(call, agent)
        return IssuedToken(
            client_token=signed.token,
            room_name=call.room_name,
            server_url=signed.server_url,
            call_id=call.id,
            participant_identity=call.participant_identity,
            expires_at=call.expires_at,
        )
