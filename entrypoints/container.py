import logging
from collections.abc import Callable
from datetime import timedelta

from dependency_injector import containers, providers
from redis.asyncio import Redis

from adapters.caching.queued_calls import RecentQueuedCallCounts
from adapters.caching.repositories import (
    CachedAgentRepository,
    CachedApiKeyRepository,
    CachedPublishableKeyRepository,
)
from adapters.caching.webhook_subscribers import KnownWebhookSubscribers
from adapters.clock import SystemClock
from adapters.livekit.issuer import LiveKitTokenIssuer
from adapters.livekit.webhooks import LiveKitWebhookVerifier
from adapters.mongo.store import MongoStore
from adapters.public_suffixes import BundledPublicSuffixList
from adapters.rate_limit.in_process import InProcessRateLimiter
from adapters.rate_limit.redis import RedisRateLimiter
from adapters.webhooks.http_sender import HttpxWebhookSender
from adapters.webhooks.resolver import DnsResolver
from application.agents import CreateAgent, DeleteAgent, GetAgent, ListAgents, UpdateAgent
from application.announce_calls import AnnounceCallEvents
from application.api_keys import CreateApiKey, ListApiKeys, RevokeApiKey
from application.authenticate import AuthenticateApiKey
from application.authentication_lockout import AuthenticationLockout
from application.calls import GetCall, ListCalls
from application.dispatch_webhooks import AttemptDelivery, ClaimDueDeliveries
from application.expire_calls import ExpireUnjoinedCalls
from application.issue_token import IssueRealtimeToken
from application.issue_token_idempotently import IssueTokenIdempotently
from application.issue_token_with_api_key import IssueTokenWithApiKey
from application.join_window import JoinWindow
from application.publishable_keys import (
    AuthenticatePublishableKey,
    CreatePublishableKey,
    ListPublishableKeys,
    RevokePublishableKey,
)
from application.room_events import ApplyRoomEvent
from application.tenants import CreateTenant
from application.webhook_deliveries import ListWebhookDeliveries, RetryWebhookDelivery
from application.webhook_endpoints import (
    CreateWebhookEndpoint,
    DeleteWebhookEndpoint,
    GetWebhookEndpoint,
    ListWebhookEndpoints,
    RotateWebhookSecret,
    UpdateWebhookEndpoint,
)
from application.webhook_targets import WebhookTargets
from domain.ports import (
    CallRepository,
    Clock,
    DispatchNames,
    IdempotencyStore,
    ProcessedEvents,
    RateLimiter,
    TenantRepository,
    WebhookDeliveryRepository,
    WebhookEndpointRepository,
)
from domain.rate_limit import RateLimitPolicy
from domain.webhook_delivery import RetrySchedule
from domain.webhook_endpoint import WebhookEndpoint
from entrypoints.metrics import Metrics
from entrypoints.settings import Settings
from entrypoints.storage import MongoStorage
from entrypoints.views import call_document

logger = logging.getLogger("realtime_tokens.webhooks")
CACHE_ENTRIES = 10_000
LEASE_MARGIN_SECONDS = 5.0


def dropped_deliveries(metrics: Metrics) -> Callable[[WebhookEndpoint, int], None]:
    def report(endpoint: WebhookEndpoint, count: int) -> None:
        metrics.webhook_deliveries_dropped.inc(count)
        logger.warning(
            "webhook endpoint %s of tenant %s has WEBHOOK_MAX_PENDING_PER_ENDPOINT deliveries "
            "pending: %d new ones dropped",
            endpoint.id,
            endpoint.tenant_id,
            count,
        )

    return report


def webhook_lease(timeout_seconds: float) -> timedelta:
    """Longer than an attempt can take (resolving, then sending within the timeout)."""
    return timedelta(seconds=2 * timeout_seconds + LEASE_MARGIN_SECONDS)


REDIS_TIMEOUT_SECONDS = 0.25


def choose_rate_limiter(redis_url: str | None, per_minute: int, clock: Clock) -> RateLimiter:
    """Redis when REDIS_URL is set (shared by replicas); otherwise per process."""
    policy = RateLimitPolicy(limit=per_minute)
    if not redis_url:
        return InProcessRateLimiter(policy, clock)
    redis = Redis.from_url(
        redis_url,
        socket_timeout=REDIS_TIMEOUT_SECONDS,
        socket_connect_timeout=REDIS_TIMEOUT_SECONDS,
    )
    return RedisRateLimiter(redis, policy, clock)


class Container(containers.DeclarativeContainer):
    """The one composition root: wires adapters to use cases. Tests swap any adapter with
    `container.X.override(...)`, before or after `create_app` (routes resolve per request;
    the token routes' lean path, http/token_path.py, when the app starts)."""

    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    metrics = providers.Singleton(Metrics, mongodb_embedded=settings.provided.mongodb_embedded)
    # Everything stored, as one group: tests replace it whole (`storage.override(...)`).
    storage = providers.Container(MongoStorage, settings=settings, metrics=metrics)
    store: providers.Provider[MongoStore] = storage.store
    tenants: providers.Provider[TenantRepository] = storage.tenants
    calls: providers.Provider[CallRepository] = storage.calls
    idempotency_store: providers.Provider[IdempotencyStore] = storage.idempotency_store
    processed_events: providers.Provider[ProcessedEvents] = storage.processed_events
    dispatch_names: providers.Provider[DispatchNames] = storage.dispatch_names
    webhook_endpoints: providers.Provider[WebhookEndpointRepository] = storage.webhook_endpoints
    webhook_deliveries: providers.Provider[WebhookDeliveryRepository] = storage.webhook_deliveries
    cache_ttl = providers.Singleton(timedelta, seconds=settings.provided.cache_ttl_seconds)
    api_keys = providers.Singleton(
        CachedApiKeyRepository, storage.api_keys, clock, cache_ttl, CACHE_ENTRIES
    )
    agents = providers.Singleton(
        CachedAgentRepository, storage.agents, clock, cache_ttl, CACHE_ENTRIES
    )
    publishable_keys = providers.Singleton(
        CachedPublishableKeyRepository, storage.publishable_keys, clock, cache_ttl, CACHE_ENTRIES
    )
    key_queues = providers.Singleton(RecentQueuedCallCounts, calls, clock, cache_ttl, CACHE_ENTRIES)
    webhook_subscribers = providers.Singleton(KnownWebhookSubscribers, webhook_endpoints)
    resolver = providers.Singleton(DnsResolver, settings.provided.webhook_dns_servers)
    webhook_sender = providers.Singleton(
        HttpxWebhookSender, settings.provided.webhook_timeout_seconds
    )
    retry_schedule = providers.Singleton(
        RetrySchedule.parse, settings.provided.webhook_retry_seconds
    )
    webhook_verifier = providers.Singleton(LiveKitWebhookVerifier, settings.provided.livekit, clock)
    token_issuer = providers.Singleton(LiveKitTokenIssuer, settings.provided.livekit)
    join_window = providers.Singleton(JoinWindow, settings.provided.token_ttl_seconds)
    rate_limiter = providers.Singleton(
        choose_rate_limiter,
        settings.provided.redis_url,
        settings.provided.rate_limit_per_minute,
        clock,
    )

    auth_failure_limiter = providers.Singleton(
        choose_rate_limiter,
        settings.provided.redis_url,
        settings.provided.auth_failures_per_minute,
        clock,
    )
    publishable_client_limiter = providers.Singleton(
        choose_rate_limiter,
        settings.provided.redis_url,
        settings.provided.publishable_key_rate_limit_per_ip,
        clock,
    )
    # Stateful (locks, when each key's use was last stamped): one per container.
    authentication_lockout = providers.Singleton(AuthenticationLockout, auth_failure_limiter, clock)
    authenticate_api_key = providers.Singleton(AuthenticateApiKey, api_keys, clock)
    # Stateless use cases are factories: built per call, so an override always reaches them.
    issue_realtime_token = providers.Factory(
        IssueRealtimeToken,
        agents=agents,
        calls=calls,
        issuer=token_issuer,
        clock=clock,
        join_window=join_window,
        subscribers=webhook_subscribers,
        key_queues=key_queues,
        max_queued_calls=settings.provided.max_queued_calls_per_tenant,
        max_queued_calls_per_key=settings.provided.max_queued_calls_per_publishable_key,
    )
    issue_token_idempotently = providers.Factory(
        IssueTokenIdempotently, issue_realtime_token, idempotency_store, clock
    )
    issue_token_with_api_key = providers.Factory(
        IssueTokenWithApiKey, authenticate_api_key, issue_realtime_token
    )
    create_tenant = providers.Factory(CreateTenant, tenants, clock)
    create_api_key = providers.Factory(CreateApiKey, tenants, api_keys, clock)
    list_api_keys = providers.Factory(ListApiKeys, api_keys)
    revoke_api_key = providers.Factory(RevokeApiKey, api_keys, clock)
    create_agent = providers.Factory(CreateAgent, tenants, agents, dispatch_names, clock)
    list_agents = providers.Factory(ListAgents, agents)
    get_agent = providers.Factory(GetAgent, agents)
    update_agent = providers.Factory(UpdateAgent, agents, dispatch_names, clock)
    delete_agent = providers.Factory(DeleteAgent, agents, dispatch_names, clock)
    get_call = providers.Factory(GetCall, calls, clock)
    list_calls = providers.Factory(ListCalls, calls, clock)
    apply_room_event = providers.Factory(ApplyRoomEvent, calls, processed_events)
    expire_unjoined_calls = providers.Factory(ExpireUnjoinedCalls, calls, clock)
    public_suffixes = providers.Singleton(BundledPublicSuffixList)
    create_publishable_key = providers.Factory(
        CreatePublishableKey, tenants, agents, publishable_keys, clock, public_suffixes
    )
    list_publishable_keys = providers.Factory(ListPublishableKeys, publishable_keys)
    revoke_publishable_key = providers.Factory(RevokePublishableKey, publishable_keys, clock)
    authenticate_publishable_key = providers.Factory(AuthenticatePublishableKey, publishable_keys)
    webhook_targets = providers.Factory(
        WebhookTargets, resolver, settings.provided.webhook_allow_private_targets
    )
    create_webhook_endpoint = providers.Factory(
        CreateWebhookEndpoint,
        tenants,
        webhook_endpoints,
        webhook_targets,
        webhook_subscribers,
        clock,
        settings.provided.webhook_max_endpoints_per_tenant,
    )
    list_webhook_endpoints = providers.Factory(ListWebhookEndpoints, webhook_endpoints)
    get_webhook_endpoint = providers.Factory(GetWebhookEndpoint, webhook_endpoints)
    update_webhook_endpoint = providers.Factory(
        UpdateWebhookEndpoint, webhook_endpoints, webhook_targets, webhook_subscribers
    )
    delete_webhook_endpoint = providers.Factory(DeleteWebhookEndpoint, webhook_endpoints)
    rotate_webhook_secret = providers.Factory(RotateWebhookSecret, webhook_endpoints, clock)
    list_webhook_deliveries = providers.Factory(
        ListWebhookDeliveries, webhook_endpoints, webhook_deliveries
    )
    announce_call_events = providers.Factory(
        AnnounceCallEvents,
        calls,
        webhook_endpoints,
        webhook_deliveries,
        providers.Object(call_document),
        clock,
        max_pending=settings.provided.webhook_max_pending_per_endpoint,
        dropped=providers.Factory(dropped_deliveries, metrics),
    )
    claim_due_deliveries = providers.Factory(
        ClaimDueDeliveries,
        webhook_deliveries,
        clock,
        providers.Factory(webhook_lease, settings.provided.webhook_timeout_seconds),
    )
    attempt_delivery = providers.Factory(
        AttemptDelivery,
        webhook_deliveries,
        webhook_endpoints,
        webhook_targets,
        webhook_sender,
        clock,
        retry_schedule,
        providers.Factory(timedelta, seconds=settings.provided.webhook_disable_after_seconds),
    )
    retry_webhook_delivery = providers.Factory(
        RetryWebhookDelivery, webhook_endpoints, webhook_deliveries, clock
    )


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings)
    container.check_dependencies()
    return container
