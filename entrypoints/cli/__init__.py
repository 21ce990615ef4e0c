"""The operator's command line (`realtime-tokens`, pyproject's [project.scripts]): one module
per resource."""

import click

from entrypoints.cli.agents import agents
from entrypoints.cli.api_keys import api_keys
from entrypoints.cli.publishable_keys import publishable_keys
from entrypoints.cli.serve import serve
from entrypoints.cli.tenants import tenants
from entrypoints.cli.webhook_endpoints import webhook_endpoints
from entrypoints.settings import environment_help

__all__ = ["main"]


@click.group(epilog=environment_help())
def main() -> None:
    """realtime-tokens: LiveKit tokens for browser-to-voice-agent calls."""


for command in (serve, tenants, api_keys, publishable_keys, webhook_endpoints, agents):
    main.add_command(command)
