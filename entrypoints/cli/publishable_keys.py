import click

from entrypoints.cli.common import emit, every_page, iso, json_option, run
from entrypoints.views import created_publishable_key_view, publishable_key_view


@click.group("publishable-keys")
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
    minted = run(
        lambda c: c.create_publishable_key()(
            tenant_id, origins, agents=agents, allow_native=allow_native
        )
    )
    human = f"publishable key {minted.key.id}\n{minted.plaintext}\n(shown once: store it now)"
    emit(as_json, created_publishable_key_view(minted), human)


@publishable_keys.command("list")
@click.argument("tenant_id")
@json_option
def list_publishable_keys(tenant_id: str, as_json: bool) -> None:
    """Ids, hints, origins and agents, newest first; never the keys."""
    found = run(lambda c: every_page(c.list_publishable_keys(), tenant_id))
    human = "\n".join(
        f"{k.id}  {k.hint}  {' '.join(k.origins)}  revoked={iso(k.revoked_at)}" for k in found
    )
    rows = [publishable_key_view(k) for k in found]
    emit(as_json, {"publishable_keys": rows}, human or "no publishable keys")


@publishable_keys.command("revoke")
@click.argument("key_id")
@json_option
def revoke_publishable_key(key_id: str, as_json: bool) -> None:
    key = run(lambda c: c.revoke_publishable_key()(key_id, tenant_id=None))
    emit(as_json, publishable_key_view(key), f"publishable key {key.id} revoked")
