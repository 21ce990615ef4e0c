"""`realtime-tokens serve`: the HTTP API under uvicorn, on MONGODB_URI or the embedded server."""

import ipaddress
import os
import signal
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import replace

import click
import structlog

from entrypoints.access_log import access_flush_seconds_from_env
from entrypoints.cli.common import run, settings_from_env
from entrypoints.dev_seed import demo_curl, demo_origins, demo_state_file, ensure_demo
from entrypoints.environment import DEV_ENV, EMBEDDED_MONGODB_ENV
from entrypoints.logs import (
    LOG_FORMAT_ENV,
    LOG_FORMATS,
    LogFormat,
    configure_logging,
    log_level_from_env,
)
from entrypoints.metrics import MULTIPROC_ENV
from entrypoints.runtime import resolved_database
from entrypoints.server import APP_FACTORY, serve_asgi
from entrypoints.settings import ConfigurationError, Settings, environment_help


@click.command(epilog=environment_help())
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
        access_flush_seconds_from_env(os.environ)  # refused here, before any worker starts
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
    settings = settings_from_env(dev)
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
        demo = run(lambda c: ensure_demo(c, demo_state_file(), origins), settings)
        click.echo(f"\nDemo page: http://{host}:{port}/demo")
        click.echo("Demo tenant ready. In another terminal, try:\n")
        click.echo("  " + demo_curl(f"http://{host}:{port}", demo) + "\n")
