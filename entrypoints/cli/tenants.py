import click

from entrypoints.cli.common import emit, json_option, run
from entrypoints.logs import printable
from entrypoints.views import tenant_view


@click.group()
def tenants() -> None:
    """Manage tenants."""


@tenants.command("create")
@click.argument("name")
@json_option
def create_tenant(name: str, as_json: bool) -> None:
    tenant = run(lambda c: c.create_tenant()(name))
    emit(as_json, tenant_view(tenant), f"tenant {tenant.id} ({printable(tenant.name)})")
