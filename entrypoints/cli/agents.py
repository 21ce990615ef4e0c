import click

from domain.agent import Agent
from domain.caller_permissions import TRACK_SOURCES, CallerPermissions
from entrypoints.cli.common import emit, json_option, run
from entrypoints.logs import printable
from entrypoints.views import agent_view


@click.group()
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
    agent = run(
        lambda c: c.create_agent()(tenant_id, name, dispatch_name, caller_permissions=permissions)
    )
    emit(as_json, agent_view(agent), f"agent {agent.id} ({shown(agent, ' -> ')})")


@agents.command("list")
@click.argument("tenant_id")
@json_option
def list_agents(tenant_id: str, as_json: bool) -> None:
    found = run(lambda c: c.list_agents()(tenant_id))
    human = "\n".join(f"{a.id}  {shown(a, '  (')})" for a in found) or "no agents"
    emit(as_json, {"agents": [agent_view(a) for a in found]}, human)


def shown(agent: Agent, between: str) -> str:
    """Names stored before control characters were refused are escaped, not sent raw to a
    terminal."""
    return f"{printable(agent.name)}{between}{printable(agent.dispatch_name)}"
