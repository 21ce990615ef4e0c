"""ASGI entry for servers: `uvicorn --factory entrypoints.asgi:app_from_env`."""

import os

import structlog
from litestar import Litestar

from entrypoints.access_log import access_flush_seconds_from_env
from entrypoints.container import build_container
from entrypoints.dev_seed import demo_state_file, load_demo
from entrypoints.environment import DEV_ENV
from entrypoints.http.app import create_app
from entrypoints.logs import configure_logging, log_format_from_env, log_level_from_env
from entrypoints.settings import Settings, read_flag
from entrypoints.start_up_heap import freeze_start_up_objects


def app_from_env() -> Litestar:
    """The app a server process serves, built from the environment; what it built is then
    frozen out of the garbage collector's full walks (`start_up_heap`)."""
    configure_logging(
        log_format_from_env(os.environ),
        level=log_level_from_env(os.environ),
        access_flush_seconds=access_flush_seconds_from_env(os.environ),
    )
    dev = read_flag(os.environ, DEV_ENV)
    demo = load_demo(demo_state_file()) if dev else None
    if dev and demo is None:
        structlog.get_logger(__name__).warning(
            "no demo tenant: /demo is off", hint="start with `realtime-tokens serve --dev`"
        )
    app = create_app(build_container(Settings.from_env(os.environ, dev=dev)), demo=demo)
    freeze_start_up_objects()
    return app
