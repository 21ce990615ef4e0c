"""The Protocols the use cases depend on: the storage of each resource, and (from
`domain/service_ports.py`, named here too) the clock, LiveKit and the health probe."""

from collections.abc import Collection, Sequence
from datetime import datetime
from typing import Protocol

from domain.agent import Agent
from domain.api_key import ApiKey
from domain.call import Call, CallQuery
from domain.call_announcement import Announcement
from domain.call_events import Transition
from domain.idempotency import IdempotencyRecord
from domain.pagination import Page, PageRequest
from domain.publishable_key import PublishableKey
from domain.service_ports import CallPresenter as CallPresenter
from domain.service_ports import Clock as Clock
from domain.service_ports import HealthProbe as HealthProbe
from domain.service_ports import HostResolver as HostResolver
from domain.service_ports import PublicSuffixes as PublicSuffixes
from domain.service_ports import RateLimiter as RateLimiter
from domain.service_ports import SignedToken as SignedToken
from domain.service_ports import TokenIssuer as TokenIssuer
from domain.service_ports import WebhookSender as WebhookSender
from domain.service_ports import WebhookVerifier as WebhookVerifier
from domain.tenant import Tenant
from domain.webhook_delivery import WebhookDelivery
from domain.webhook_endpoint import EndpointUpdate, WebhookEndpoint, WebhookEventType


class TenantRepository(Protocol):
    async def add(self, tenant: Tenant) -> None: ...

    async def get(self, tenant_id: str) -> Tenant | None: ...


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey) -> None: ...

    async def find_by_hash(self, key_hash: str) -> ApiKey | None: ...

    async def revoke(self, key_id: str, when: datetime) -> ApiKey | None:
        """Revoke once: an already revoked key keeps its first revocation time."""
        ...

    async def record_use(self, key_id: str, when: datetime) -> None: ...

    async def list_for_tenant(self, tenant_id: str) -> list[ApiKey]:
        """Newest first."""
        ...


class PublishableKeyRepository(Protocol):
    async def add(self, key: PublishableKey) -> None: ...

    async def find_by_hash(self, key_hash: str) -> PublishableKey | None:
        """Revoked keys included: the caller decides what a revoked key is worth."""
        ...

    async def get_for_tenant(self, tenant_id: str, key_id: str) -> PublishableKey | None:
        """Another tenant's key is indistinguishable from none."""
        ...

    async def page_for_tenant(self, tenant_id: str, page: PageRequest) -> Page[PublishableKey]:
        """Newest first (created_at, then id), revoked keys included."""
        ...

    async def revoke(self, key_id: str, when: datetime) -> PublishableKey | None:
        """Revoke once: an already revoked key keeps its first revocation time."""
        ...


class AgentRepository(Protocol):
    async def add(self, agent: Agent) -> None: ...

    async def get_for_tenant(self, tenant_id: str, agent_id: str) -> Agent | None:
        """One lookup on (id, tenant), deleted agents excluded: another tenant's agent is
        indistinguishable from none."""
        ...

    async def get_by_dispatch_name(self, tenant_id: str, dispatch_name: str) -> Agent | None:
        """The tenant's newest live agent dispatched under this name, or None."""
        ...

    async def list_for_tenant(self, tenant_id: str) -> list[Agent]:
        """Newest first, deleted agents excluded."""
        ...

    async def page_for_tenant(self, tenant_id: str, page: PageRequest) -> Page[Agent]:
        """Newest first (created_at, then id), deleted agents excluded."""
        ...

    async def update(self, agent: Agent, fields: frozenset[str]) -> Agent | None:
        """One atomic write of only `fields` (and `updated_at`) of `agent` onto the stored
        agent, if it is still undeleted in its tenant: other fields keep what the store holds,
        whatever an earlier read saw. Returns the agent as stored just before; None if none."""
        ...

    async def delete(self, tenant_id: str, agent_id: str, when: datetime) -> bool:
        """Soft delete; False when there was no such undeleted agent."""
        ...


class CallRepository(Protocol):
    async def add(self, call: Call) -> None:
        """Store the call durably or raise StorageError; never a partial write."""
        ...

    async def get_for_tenant(self, tenant_id: str, call_id: str) -> Call | None: ...

    async def count_queued(self, tenant_id: str, now: datetime, key_id: str | None = None) -> int:
        """Calls still queued and inside their join window (with `key_id`: created by it)."""
        ...

    async def get_by_room(self, room_name: str) -> Call | None: ...

    async def apply(self, call_id: str, transition: Transition) -> bool:
        """One conditional write: only from `transition.allowed_from`; False otherwise."""
        ...

    async def expire_due(self, now: datetime, limit: int) -> int:
        """Queued calls whose join window has passed become expired, at most `limit`."""
        ...

    async def page_for_tenant(self, query: CallQuery, page: PageRequest) -> Page[Call]:
        """Newest first (created_at, then id)."""
        ...

    async def unannounced(self, limit: int) -> list[tuple[Call, list[Announcement]]]:
        """Calls with announcements still marked, each with them in the order marked. `add`
        marks call.created in the insert itself; `apply` and `expire_due` mark the
        transition's announcement in the same write that moves the call."""
        ...

    async def announced(self, marks: Sequence[tuple[str, Announcement]]) -> None:
        """Remove each (call id, announcement) mark that is still there, in one write for all
        (any number of relays may race; a mark added meanwhile stays)."""
        ...


class QueuedCallCounts(Protocol):
    """CallRepository.count_queued for a hot path: may answer from a recent count."""

    async def count_queued(self, tenant_id: str, now: datetime, key_id: str | None = None) -> int:
        """Calls queued inside their join window (with `key_id`: created by it), as counted at
        most a bounded time ago, plus every call `noted` since."""
        ...

    def noted(self, call: Call) -> None:
        """A call this process has just stored."""
        ...


class IdempotencyStore(Protocol):
    async def claim(self, record: IdempotencyRecord) -> IdempotencyRecord | None:
        """Store the claim and return None, or return the record already held for its key."""
        ...

    async def complete(self, record: IdempotencyRecord) -> None: ...

    async def release(self, record: IdempotencyRecord) -> None:
        """Drop this very claim (same claim id), if it is still there."""
        ...


class ProcessedEvents(Protocol):
    async def record(self, event_id: str, at: datetime) -> bool:
        """True the first time an event id is recorded; False for a redelivery."""
        ...


class DispatchNames(Protocol):
    """LiveKit agent names share one namespace per LiveKit project: a name routes calls to
    the worker of the tenant whose agents use it, so no other tenant may dispatch to it."""

    async def claim(self, name: str, tenant_id: str, now: datetime) -> bool:
        """True when `name` is now the tenant's: it was free, already the tenant's, or
        released by another tenant at least DISPATCH_NAME_REUSE_DELAY before `now`. Never
        while another tenant's live agent uses it, whatever the registry holds."""
        ...

    async def release_unused(self, tenant_id: str, now: datetime) -> None:
        """Release, as of `now`, the tenant's names that none of its live agents uses."""
        ...


class WebhookSubscribers(Protocol):
    """Which tenants have an enabled webhook endpoint, answered from memory: the token route
    asks it for every call, and may not spend a command on it."""

    def want_announcements(self, tenant_id: str) -> bool: ...

    def note(self, endpoint: WebhookEndpoint) -> None:
        """An endpoint stored or changed in this process: known at once, not at the next
        refresh."""
        ...


class WebhookEndpointRepository(Protocol):
    async def add(self, endpoint: WebhookEndpoint) -> None: ...

    async def get(self, endpoint_id: str) -> WebhookEndpoint | None: ...

    async def get_for_tenant(self, tenant_id: str, endpoint_id: str) -> WebhookEndpoint | None:
        """Another tenant's endpoint is indistinguishable from none."""
        ...

    async def page_for_tenant(self, tenant_id: str, page: PageRequest) -> Page[WebhookEndpoint]:
        """Newest first (created_at, then id), disabled endpoints included."""
        ...

    async def count_for_tenant(self, tenant_id: str, up_to: int) -> int:
        """How many endpoints the tenant has (disabled ones included), counted up to `up_to`."""
        ...

    async def subscribing_tenants(self) -> set[str]:
        """The tenants with at least one enabled endpoint."""
        ...

    async def subscribed(self, tenant_id: str, kind: WebhookEventType) -> list[WebhookEndpoint]:
        """The tenant's enabled endpoints that want `kind` (an empty `events` wants all)."""
        ...

    async def update(
        self, tenant_id: str, endpoint_id: str, changes: EndpointUpdate
    ) -> WebhookEndpoint | None:
        """Set only the fields `changes` names, by one field-level update of the tenant's
        endpoint (a change made meanwhile to another field is kept); the endpoint as stored
        after it, or None if the tenant has none."""
        ...

    async def rotate(
        self, tenant_id: str, endpoint_id: str, from_secret: str, rotated: WebhookEndpoint
    ) -> WebhookEndpoint | None:
        """Set `rotated`'s secret, previous secret and its end, only while the stored secret
        is still `from_secret` (the one it was rotated from), changing no other field; the
        endpoint as stored after it, or None when missing or rotated meanwhile."""
        ...

    async def disable(self, endpoint_id: str, reason: str) -> bool:
        """Disable an enabled endpoint, saying why, changing no other field; False when it is
        missing or already disabled."""
        ...

    async def note_failing(self, endpoint_id: str, since: datetime | None) -> None:
        """Start a failing streak at `since` unless one runs already, or (None) end it."""
        ...

    async def delete(self, tenant_id: str, endpoint_id: str) -> bool: ...


class WebhookDeliveryRepository(Protocol):
    async def add(self, delivery: WebhookDelivery) -> bool:
        """False, changing nothing, when a delivery with this id is already stored."""
        ...

    async def claim_due(
        self,
        now: datetime,
        lease_until: datetime,
        limit: int,
        busy_endpoints: Collection[str] = (),
    ) -> list[WebhookDelivery]:
        """Pending deliveries due by `now`, not leased past it and not to one of
        `busy_endpoints`, each taken by one conditional update that sets a fresh `claim` and
        `lease_until` and moves its next attempt to `lease_until` (one never finished is
        then behind what fell due meanwhile): of any number of concurrent claimers, exactly
        one gets each delivery. Shared across tenants: one of each tenant's oldest in turn
        (`shared_fairly`), so one tenant's backlog takes only its share of `limit`. Of those,
        the ones waiting for an earlier event of their call to their endpoint
        (`WebhookDelivery.waits_for`) are left for a later claim."""
        ...

    async def finish_attempt(self, delivery: WebhookDelivery) -> bool:
        """Store `delivery`'s status, attempts and next attempt, lease released, only while
        it still holds the claim it was taken with; False when it does not."""
        ...

    async def get_for_tenant(
        self, tenant_id: str, endpoint_id: str, event_id: str
    ) -> WebhookDelivery | None: ...

    async def page_for_endpoint(
        self, tenant_id: str, endpoint_id: str, page: PageRequest
    ) -> Page[WebhookDelivery]:
        """Newest first (created_at, then id)."""
        ...

    async def schedule(self, delivery_id: str, at: datetime) -> bool:
        """Make the delivery pending again, due at `at`, lease released."""
        ...

    async def oldest_pending(self) -> datetime | None:
        """When the oldest still-pending delivery was created."""
        ...

    async def count_pending(self, endpoint_id: str, up_to: int) -> int:
        """How many of the endpoint's deliveries are pending, counted up to `up_to`."""
        ...
