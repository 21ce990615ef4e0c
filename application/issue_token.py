import dataclasses
import uuid
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from application.join_window import JoinWindow
from domain.agent import Agent
from domain.call import Call, CreatedBy
from domain.errors import (
    AgentNotChosen,
    AgentNotFound,
    CallExpired,
    CallNotCreated,
    CallNotFound,
    CallOutcomeUnknown,
    InvalidRequestField,
    StorageError,
    StorageUnavailable,
    TokenIssuerNotConfigured,
    TooManyQueuedCalls,
)
from domain.frozen import positional
from domain.metadata import check_metadata
from domain.participant import Participant, checked_participant
from domain.ports import (
    AgentRepository,
    CallRepository,
    Clock,
    QueuedCallCounts,
    TokenIssuer,
    WebhookSubscribers,
)
from domain.tenant import KeyKind, Principal


@dataclass(frozen=True, slots=True)
class IssueTokenCommand:
    """The agent by id (the seed route) or by dispatch name (LiveKit's token endpoint);
    neither: the key's only allowed agent."""

    agent_id: uuid.UUID | None = None
    metadata: Mapping[str, Any] = field(default_factory=dict)
    dispatch_name: str | None = None
    participant: Participant = field(default_factory=Participant)


@dataclass(frozen=True, slots=True)
class IssuedToken:
    client_token: str
    room_name: str
    server_url: str
    call_id: str
    participant_identity: str
    expires_at: datetime
    replayed: bool = False
    participant_name: str | None = None


class IssueRealtimeToken:
    """Create a queued WebRTC call for one of the tenant's agents and sign its join token.

    Rules, in order:
    0. caller metadata is a JSON object of at most 16 KiB, 8 levels, keys of 1 to 256 bytes
       without a leading '$', '.' or NUL, finite numbers (InvalidMetadata names the field); the
       participant's name, metadata and attributes are bounded in UTF-8 bytes, each and
       together (8 KiB of the token), `call_id`/`agent_id` attributes are the service's, and
       only a secret key may choose the identity (InvalidRequestField);
    1. the token issuer must be configured, else TokenIssuerNotConfigured and nothing is written;
    2. the agent is looked up within the principal's tenant only, by id or dispatch name;
       another tenant's agent, and one the key may not call, is AgentNotFound, exactly like a
       missing one (a name the key may not call is refused before any lookup, so neither the
       answer nor its timing says whether the tenant has it); no agent named: the key's only
       allowed agent, else AgentNotChosen;
    3. with a queued-call cap configured (> 0), a tenant already holding that many calls
       queued inside their join window gets TooManyQueuedCalls, and so does a publishable key
       with its own cap (> 0, on by default) reached, so that a key anyone can read cannot use
       up the tenant's; the key's count comes from `key_queues`, which reads MongoDB at most
       once per key and CACHE_TTL_SECONDS in this process and adds the calls stored here since;
    4. the call is stored as `queued` with the agent's default metadata overlaid by the
       caller's, tagged `type: webrtc` (the tag cannot be overridden), its own room and
       caller identity, the key that created it, marked for a `call.created` webhook when its
       tenant has an endpoint (known in memory: no command), and
       `expires_at` = now + join window; if storing fails, CallNotCreated (CallOutcomeUnknown
       when the store did not answer, so the call may exist) and no token;
    5. only then is the token signed, expiring with the call's join window.

    The hot-path budget: a warm request sends MongoDB exactly ONE command, the call's insert
    (concurrent requests may even share one insert: adapters/mongo/insert_batcher.py). The
    API key and the agent come from the in-process read-through caches, LiveKit signing is
    local, and nothing in the background (sweeps, usage stamps, deliveries) rides on the
    request. Options may each add one command, and only when asked for: the tenant's
    queued-call cap (rule 3, a `count`) and an `Idempotency-Key` (IssueTokenIdempotently's
    claim); the publishable key's cap, on by default, costs one `count` per key and
    CACHE_TTL_SECONDS, not one per request. Any
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
        subscribers: WebhookSubscribers,
        key_queues: QueuedCallCounts,
        max_queued_calls: int = 0,
        max_queued_calls_per_key: int = 0,
    ) -> None:
        self._agents = agents
        self._calls = calls
        self._issuer = issuer
        self._clock = clock
        self._join_window = join_window
        self._subscribers = subscribers
        self._max_queued_calls = max_queued_calls
        self._max_queued_calls_per_key = max_queued_calls_per_key
        self._key_queues = key_queues

    async def __call__(
        self, principal: Principal, command: IssueTokenCommand, call_id: str | None = None
    ) -> IssuedToken:
        self.check_metadata(command)
        return await self.issue_checked(principal, command, call_id)

    def check_metadata(self, command: IssueTokenCommand) -> None:
        """Rule 0's metadata check, for a caller that must refuse bad metadata before it
        does anything else (IssueTokenIdempotently, before it claims its key)."""
        check_metadata(command.metadata, self._metadata_field(command))

    async def issue_checked(
        self, principal: Principal, command: IssueTokenCommand, call_id: str | None = None
    ) -> IssuedToken:
        """Rules 0 (but the metadata, already checked by `check_metadata`) to 5."""
        participant = checked_participant(command.participant)
        if participant.identity is not None and principal.key_kind is not KeyKind.SECRET:
            raise InvalidRequestField("participant_identity", "needs a secret key")
        if (problem := self._issuer.configuration_problem()) is not None:
            raise TokenIssuerNotConfigured(problem)
        agent = await self._agent(principal, command)
        now = self._clock.now()
        await self._check_queue(principal, now)
        call = Call.queue_webrtc(
            tenant_id=principal.tenant_id,
            agent_id=agent.id,
            metadata=command.metadata,
            now=now,
            join_window=self._join_window.duration,
            call_id=call_id,
            default_metadata=agent.default_metadata,
            created_by=_created_by(principal.api_key_id, principal.key_kind),
            participant=participant,
            announce_creation=self._subscribers.want_announcements(principal.tenant_id),
        )
        try:
            await self._calls.add(call)
        except StorageUnavailable as error:
            raise CallOutcomeUnknown(str(error)) from error
        except StorageError as error:
            raise CallNotCreated from error
        self._key_queues.noted(call)
        return self._signed(call, agent)

    @staticmethod
    def _metadata_field(command: IssueTokenCommand) -> str:
        return "metadata" if command.agent_id is not None else "room_config.agents[0].metadata"

    async def _agent(self, principal: Principal, command: IssueTokenCommand) -> Agent:
        if command.agent_id is not None:
            agent = await self._agents.get_for_tenant(principal.tenant_id, str(command.agent_id))
        else:
            name = command.dispatch_name
            if name is None:
                if len(principal.agents) != 1:
                    raise AgentNotChosen
                name = principal.agents[0]
            if principal.agents and name not in principal.agents:
                raise AgentNotFound  # before any lookup: whether the tenant has it never shows
            agent = await self._agents.get_by_dispatch_name(principal.tenant_id, name)
        if agent is None or (principal.agents and agent.dispatch_name not in principal.agents):
            raise AgentNotFound
        return agent

    async def _check_queue(self, principal: Principal, now: datetime) -> None:
        tenant_cap, key_cap = self._max_queued_calls, self._max_queued_calls_per_key
        if tenant_cap and await self._calls.count_queued(principal.tenant_id, now) >= tenant_cap:
            raise TooManyQueuedCalls
        if key_cap and principal.key_kind is KeyKind.PUBLISHABLE:
            by_key = await self._key_queues.count_queued(
                principal.tenant_id, now, principal.api_key_id
            )
            if by_key >= key_cap:
                raise TooManyQueuedCalls

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
        return _issued(
            signed.token,
            call.room_name,
            signed.server_url,
            call.id,
            call.participant_identity,
            call.expires_at,
            False,  # replayed
            call.participant.name,
        )


_issued = positional(IssuedToken)  # one of each per token request
_created_by = positional(CreatedBy)
