from dependency_injector import containers, providers

from adapters.clock import SystemClock
from adapters.livekit.issuer import LiveKitTokenIssuer
from adapters.mongo.agents import MongoAgentRepository
from adapters.mongo.api_keys import MongoApiKeyRepository
from adapters.mongo.calls import MongoCallRepository
from adapters.mongo.monitoring import CommandTimer
from adapters.mongo.store import MongoStore
from adapters.mongo.tenants import MongoTenantRepository
from application.agents import CreateAgent, ListAgents
from application.api_keys import CreateApiKey, RevokeApiKey
from application.authenticate import AuthenticateApiKey
from application.issue_token import IssueRealtimeToken
from application.join_window import JoinWindow
from application.tenants import CreateTenant
from entrypoints.metrics import Metrics
from entrypoints.settings import Settings


class Container(containers.DeclarativeContainer):
    """Wires adapters to use cases. Tests swap any adapter with `container.X.override(...)`."""

    settings = providers.Dependency(instance_of=Settings)

    clock = providers.Singleton(SystemClock)
    metrics = providers.Singleton(Metrics, mongodb_embedded=settings.provided.mongodb_embedded)
    store = providers.Singleton(
        MongoStore,
        uri=settings.provided.mongodb_uri,
        database=settings.provided.mongodb_database,
        timeout_ms=settings.provided.mongodb_timeout_ms,
        listeners=providers.List(
            providers.Singleton(CommandTimer, metrics.provided.observe_mongodb_command)
        ),
    )
    tenants = providers.Singleton(MongoTenantRepository, store.provided.db)
    api_keys = providers.Singleton(MongoApiKeyRepository, store.provided.db)
    agents = providers.Singleton(MongoAgentRepository, store.provided.db)
    calls = providers.Singleton(MongoCallRepository, store.provided.db)
    token_issuer = providers.Singleton(LiveKitTokenIssuer, settings.provided.livekit)
    join_window = providers.Singleton(JoinWindow, settings.provided.token_ttl_seconds)

    authenticate_api_key = providers.Singleton(AuthenticateApiKey, api_keys)
    issue_realtime_token = providers.Singleton(
        IssueRealtimeToken,
        authenticate=authenticate_api_key,
        agents=agents,
        calls=calls,
        issuer=token_issuer,
        clock=clock,
        join_window=join_window,
    )
    create_tenant = providers.Factory(CreateTenant, tenants, clock)
    create_api_key = providers.Factory(CreateApiKey, tenants, api_keys, clock)
    revoke_api_key = providers.Factory(RevokeApiKey, api_keys, clock)
    create_agent = providers.Factory(CreateAgent, tenants, agents, clock)
    list_agents = providers.Factory(ListAgents, agents)


def build_container(settings: Settings) -> Container:
    container = Container(settings=settings)
    container.check_dependencies()
    return container
