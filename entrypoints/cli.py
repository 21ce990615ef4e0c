import asyncio
import ipaddress
import os
import signal
import tempfile
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from dataclasses import replace
from datetime import datetime, timedelta
from typing import TypeVar

import click
import msgspec
import structlog

from domain.agent import Agent
from domain.caller_permissions import TRACK_SOURCES, CallerPermissions
from domain.errors import (
    AgentNotFound,
    ApiKeyNotFound,
    DispatchNameTaken,
    InvalidName,
    InvalidOrigin,
    InvalidWebhookEvent,
    InvalidWebhookUrl,
    PublishableKeyNotFound,
    StorageError,
    TenantNotFound,
    WebhookEndpointNotFound,
)
from domain.pagination import MAX_LIMIT, Page, PageRequest
from domain.webhook_endpoint import WebhookEventType
from entrypoints.container import Container
from entrypoints.dev_seed import demo_curl, demo_origins, demo_state_file, ensure_demo
from entrypoints.logs import (
    LOG_FORMAT_ENV,
    LOG_FORMATS,
    LogFormat,
    configure_logging,
    log_level_from_env,
    printable,
)
from entrypoints.metrics import MULTIPROC_ENV
from entrypoints.runtime import resolved_database, running_container
from entrypoints.server import APP_FACTORY, serve_asgi
from entrypoints.settings import (
    DEV_ENV,
    EMBEDDED_MONGODB_ENV,
    ConfigurationError,
    Settings,
    environment_help,
)
from entrypoints.views import (
    agent_view,
    api_key_view,
    created_api_key_view,
    created_publishable_key_view,
    created_webhook_endpoint_view,
    publishable_key_view,
    tenant_view,
    webhook_endpoint_view,
)

T = TypeVar("T")


def _settings(dev: bool = False) -> Settings:
    try:
        return Settings.from_env(os.environ, dev=dev)
    except ConfigurationError as error:
        raise click.UsageError(str(error)) from error


def _run(action: Callable[[Container], Awaitable[T]], settings: Settings | None = None) -> T:
    async def in_container(resolved: Settings) -> T:
        async with running_container(resolved) as container:
            return await action(container)

    try:
        with resolved_database(settings or _settings()) as resolved:
            return asyncio.run(in_container(resolved))
    except (
        TenantNotFound,
        ApiKeyNotFound,
        PublishableKeyNotFound,
        WebhookEndpointNotFound,
    ) as error:
        raise click.ClickException(f"not found: {error}") from error
    except AgentNotFound as error:
        raise click.ClickException(f"not found: agent {error}") from error
    except InvalidOrigin as error:
        raise click.BadParameter(str(error), param_hint="'--origin'") from error
    except InvalidName as error:
        raise click.BadParameter(str(error)) from error
    except InvalidWebhookUrl as error:
        raise click.BadParameter(str(error), param_hint="'URL'") from error
    except InvalidWebhookEvent as error:
        raise click.BadParameter(str(error), param_hint="'--event'") from error
    except DispatchNameTaken as error:
        raise click.ClickException(f"dispatch name not available: {error}") from error
    except StorageError as error:
        raise click.ClickException(f"MongoDB: {error}") from error


def _emit(as_json: bool, payload: object, human: str) -> None:
    """`payload`: the resource's view (entrypoints/views.py), exactly as the API answers it."""
    click.echo(msgspec.json.encode(payload).decode() if as_json else human)


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


@click.group(epilog=environment_help())
def main() -> None:
    """realtime-tokens: LiveKit tokens for browser-to-voice-agent calls."""


@main.command(epilog=environment_help())
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(0, 65535))
@click.option("--workers", default=1, show_default=True, type=click.IntRange(1, 64))
@click.option(
    "--dev", is_flag=True, help="Fill LiveKit dev credentials; seed a demo tenant; serve /demo."
)
@click.option(
    "--embedded-mongodb",
    is_flag=True,
    help=f"Without MONGODB_URI, run on the throwaway embedded nx-27017 (dev and tests only; "
    f"also {EMBEDDED_MONGODB_ENV}=1). --dev implies it.",
)
@click.option(
    "--log-format",
    type=click.Choice(LOG_FORMATS),
    envvar=LOG_FORMAT_ENV,
    help="Log lines as JSON or for a console.  [default: console with --dev, else json]",
)
def serve(
    host: str,
    port: int,
    workers: int,
    dev: bool,
    embedded_mongodb: bool,
    log_format: LogFormat | None,
) -> None:
    """Serve the HTTP API on MONGODB_URI (with --dev or --embedded-mongodb, on the embedded
    MongoDB when it is unset)."""
    settings = _serve_settings(dev, embedded_mongodb)
    if dev and not _is_loopback(host):
        raise click.UsageError(
            "--dev serves a demo page and seeds a demo tenant with well-known credentials: "
            "bind it to 127.0.0.1, ::1 or localhost only"
        )
    signal.signal(signal.SIGTERM, _exit_on_sigterm)
    log_format = log_format or ("console" if dev else "json")
    try:
        log_level = log_level_from_env(os.environ)
    except ValueError as error:
        raise click.UsageError(str(error)) from None
    configure_logging(log_format, level=log_level)
    with resolved_database(settings) as settings, _metrics_shared_by(workers):
        os.environ["MONGODB_URI"] = settings.mongodb_uri or ""
        os.environ[EMBEDDED_MONGODB_ENV] = "1" if settings.mongodb_embedded else "0"
        os.environ[DEV_ENV] = "1" if dev else "0"
        os.environ[LOG_FORMAT_ENV] = log_format
        _announce(host, port, settings, dev)
        serve_asgi(APP_FACTORY, host=host, port=port, workers=workers)


def _serve_settings(dev: bool, embedded_mongodb: bool) -> Settings:
    settings = _settings(dev)
    if embedded_mongodb:
        settings = replace(settings, mongodb_embedded=True)
    try:
        settings.require_a_database(dev=dev)
    except ConfigurationError as error:
        raise click.UsageError(str(error)) from None
    return settings


@contextmanager
def _metrics_shared_by(workers: int) -> Iterator[None]:
    """Several workers: a fresh directory where each writes its metrics, so that `/metrics`,
    whichever worker answers it, reports them all (prometheus-client's multiprocess mode)."""
    if workers == 1 or os.environ.get(MULTIPROC_ENV):
        yield
        return
    with tempfile.TemporaryDirectory(prefix="realtime-tokens-metrics-") as directory:
        os.environ[MULTIPROC_ENV] = directory
        try:
            yield
        finally:
            del os.environ[MULTIPROC_ENV]


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host).is_loopback
    except ValueError:
        return False


def _exit_on_sigterm(_signum: int, _frame: object) -> None:
    # uvicorn drains requests, then re-raises the signal it caught: exiting through Python
    # (not the default handler) lets `resolved_database` stop the embedded MongoDB.
    raise SystemExit(0)


def _announce(host: str, port: int, settings: Settings, dev: bool) -> None:
    structlog.get_logger("realtime_tokens.serve").info(
        "starting",
        url=f"http://{host}:{port}",
        mongodb=settings.mongodb_uri_for_display(),
        mongodb_kind=settings.mongodb_kind,
        livekit=settings.livekit.url or "-",
        livekit_status=settings.livekit.problem() or "configured",
    )
    if dev:
        origins = demo_origins(host, port)
        demo = _run(lambda c: ensure_demo(c, demo_state_file(), origins), settings)
        click.echo(f"\nDemo page: http://{host}:{port}/demo")
        click.echo("Demo tenant ready. In another terminal, try:\n")
        click.echo("  " + demo_curl(f"http://{host}:{port}", demo) + "\n")


@main.group()
def tenants() -> None:
    """Manage tenants."""


@tenants.command("create")
@click.argument("name")
@json_option
def create_tenant(name: str, as_json: bool) -> None:
    tenant = _run(lambda c: c.create_tenant()(name))
    _emit(as_json, tenant_view(tenant), f"tenant {tenant.id} ({printable(tenant.name)})")


@main.group("api-keys")
def api_keys() -> None:
    """Manage API keys (only their hashes are stored)."""


@api_keys.command("create")
@click.argument("tenant_id")
@click.option(
    "--expires-in-days",
    type=click.IntRange(1, 3650),
    help="The key stops authenticating after this many days (default: never).",
)
@json_option
def create_api_key(tenant_id: str, expires_in_days: int | None, as_json: bool) -> None:
    valid_for = None if expires_in_days is None else timedelta(days=expires_in_days)
    minted = _run(lambda c: c.create_api_key()(tenant_id, valid_for))
    human = f"api key {minted.key.id}\n{minted.plaintext}\n(shown once: store it now)"
    _emit(as_json, created_api_key_view(minted), human)


@api_keys.command("list")
@click.argument("tenant_id")
@json_option
def list_api_keys(tenant_id: str, as_json: bool) -> None:
    """Ids, hints and lifecycle times; never the keys."""
    found = _run(lambda c: c.list_api_keys()(tenant_id))
    human = "\n".join(f"{k.id}  {k.hint}  revoked={_iso(k.revoked_at)}" for k in found)
    _emit(as_json, {"api_keys": [api_key_view(k) for k in found]}, human or "no api keys")


@api_keys.command("revoke")
@click.argument("key_id")
@json_option
def revoke_api_key(key_id: str, as_json: bool) -> None:
    key = _run(lambda c: c.revoke_api_key()(key_id))
    _emit(as_json, api_key_view(key), f"api key {key.id} revoked")


@main.group("publishable-keys")
def publishable_keys() -> None:
    """Manage publishable keys: for web pages and apps, limited to origins and agents."""


@publishable_keys.command("create")
@click.argument("tenant_id")
@click.option(
    "--origin",
    "origins",
    multiple=True,
    metavar="URL",
    help="A page origin allowed to use the key: scheme://host[:port] or https://*.domain.",
)
@click.option(
    "--agent",
    "agents",
    multiple=True,
    metavar="DISPATCH_NAME",
    help="An agent the key may dispatch (default: every agent of the tenant).",
)
@click.option("--allow-native", is_flag=True, help="Also accept requests without an Origin.")
@json_option
def create_publishable_key(
    tenant_id: str,
    origins: tuple[str, ...],
    agents: tuple[str, ...],
    allow_native: bool,
    as_json: bool,
) -> None:
    if not origins and not allow_native:
        raise click.UsageError("give at least one --origin, or --allow-native for native apps")
    minted = _run(
        lambda c: c.create_publishable_key()(
            tenant_id, origins, agents=agents, allow_native=allow_native
        )
    )
    human = f"publishable key {minted.key.id}\n{minted.plaintext}\n(shown once: store it now)"
    _emit(as_json, created_publishable_key_view(minted), human)


@publishable_keys.command("list")
@click.argument("tenant_id")
@json_option
def list_publishable_keys(tenant_id: str, as_json: bool) -> None:
    """Ids, hints, origins and agents, newest first; never the keys."""
    found = _run(lambda c: _every(c.list_publishable_keys(), tenant_id))
    human = "\n".join(
        f"{k.id}  {k.hint}  {' '.join(k.origins)}  revoked={_iso(k.revoked_at)}" for k in found
    )
    rows = [publishable_key_view(k) for k in found]
    _emit(as_json, {"publishable_keys": rows}, human or "no publishable keys")


@publishable_keys.command("revoke")
@click.argument("key_id")
@json_option
def revoke_publishable_key(key_id: str, as_json: bool) -> None:
    key = _run(lambda c: c.revoke_publishable_key()(key_id, tenant_id=None))
    _emit(as_json, publishable_key_view(key), f"publishable key {key.id} revoked")


@main.group("webhook-endpoints")
def webhook_endpoints() -> None:
    """Manage a tenant's webhook endpoints: where its call events are pushed, signed."""


@webhook_endpoints.command("create")
@click.argument("tenant_id")
@click.argument("url")
@click.option(
    "--event",
    "events",
    multiple=True,
    type=click.Choice([kind.value for kind in WebhookEventType]),
    help="An event type to send (default: every type).",
)
@click.option("--description", default=None)
@json_option
def create_webhook_endpoint(
    tenant_id: str, url: str, events: tuple[str, ...], description: str | None, as_json: bool
) -> None:
    endpoint = _run(lambda c: c.create_webhook_endpoint()(tenant_id, url, events, description))
    human = f"webhook endpoint {endpoint.id}\n{endpoint.secret}\n(shown once: store it now)"
    _emit(as_json, created_webhook_endpoint_view(endpoint), human)


@webhook_endpoints.command("list")
@click.argument("tenant_id")
@json_option
def list_webhook_endpoints(tenant_id: str, as_json: bool) -> None:
    """Ids, URLs and events, newest first; never the secrets."""
    found = _run(lambda c: _every(c.list_webhook_endpoints(), tenant_id))
    human = "\n".join(
        f"{e.id}  {e.url}  {' '.join(k.value for k in e.events) or 'all events'}"
        f"  disabled={e.disabled}"
        for e in found
    )
    rows = [webhook_endpoint_view(e) for e in found]
    _emit(as_json, {"webhook_endpoints": rows}, human or "no webhook endpoints")


@webhook_endpoints.command("delete")
@click.argument("endpoint_id")
@json_option
def delete_webhook_endpoint(endpoint_id: str, as_json: bool) -> None:
    _run(lambda c: c.delete_webhook_endpoint()(endpoint_id, tenant_id=None))
    _emit(as_json, {"id": endpoint_id, "deleted": True}, f"webhook endpoint {endpoint_id} deleted")


async def _every(
    list_page: Callable[[str, PageRequest], Awaitable[Page[T]]], tenant_id: str
) -> list[T]:
    """All of a tenant's items, page after page of a cursor-paged use case."""
    page = await list_page(tenant_id, PageRequest(limit=MAX_LIMIT))
    found = list(page.items)
    while page.next is not None:
        page = await list_page(tenant_id, PageRequest(limit=MAX_LIMIT, after=page.next))
        found += page.items
    return found


@main.group()
def agents() -> None:
    """Manage agents."""


@agents.command("create")
@click.argument("tenant_id")
@click.argument("name")
@click.option("--dispatch-name", help="LiveKit agent name to dispatch (default: from NAME).")
@click.option(
    "--caller-source",
    "caller_sources",
    multiple=True,
    type=click.Choice(TRACK_SOURCES),
    help="A track source its callers may publish; repeat for several (default: microphone).",
)
@click.option("--caller-data", is_flag=True, help="Let its callers publish data (text, RPC).")
@json_option
def create_agent(
    tenant_id: str,
    name: str,
    dispatch_name: str | None,
    caller_sources: tuple[str, ...],
    caller_data: bool,
    as_json: bool,
) -> None:
    permissions = CallerPermissions.of(caller_sources or ("microphone",), caller_data)
    agent = _run(
        lambda c: c.create_agent()(tenant_id, name, dispatch_name, caller_permissions=permissions)
    )
    _emit(as_json, agent_view(agent), f"agent {agent.id} ({_shown(agent, ' -> ')})")


@agents.command("list")
@click.argument("tenant_id")
@json_option
def list_agents(tenant_id: str, as_json: bool) -> None:
    found = _run(lambda c: c.list_agents()(tenant_id))
    human = "\n".join(f"{a.id}  {_shown(a, '  (')})" for a in found) or "no agents"
    _emit(as_json, {"agents": [agent_view(a) for a in found]}, human)


def _shown(agent: Agent, between: str) -> str:
    """Names stored before control characters were refused are escaped, not sent raw to a
    terminal."""
    return f"{printable(agent.name)}{between}{printable(agent.dispatch_name)}"


def _iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
