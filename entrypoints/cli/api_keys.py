from datetime import timedelta

import click

from entrypoints.cli.common import emit, iso, json_option, run
from entrypoints.views import api_key_view, created_api_key_view


@click.group("api-keys")
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
    minted = run(lambda c: c.create_api_key()(tenant_id, valid_for))
    human = f"api key {minted.key.id}\n{minted.plaintext}\n(shown once: store it now)"
    emit(as_json, created_api_key_view(minted), human)


@api_keys.command("list")
@click.argument("tenant_id")
@json_option
def list_api_keys(tenant_id: str, as_json: bool) -> None:
    """Ids, hints and lifecycle times; never the keys."""
    found = run(lambda c: c.list_api_keys()(tenant_id))
    human = "\n".join(f"{k.id}  {k.hint}  revoked={iso(k.revoked_at)}" for k in found)
    emit(as_json, {"api_keys": [api_key_view(k) for k in found]}, human or "no api keys")


@api_keys.command("revoke")
@click.argument("key_id")
@json_option
def revoke_api_key(key_id: str, as_json: bool) -> None:
    key = run(lambda c: c.revoke_api_key()(key_id))
    emit(as_json, api_key_view(key), f"api key {key.id} revoked")
