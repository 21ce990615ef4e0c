import click

from domain.webhook_endpoint import WebhookEventType
from entrypoints.cli.common import emit, every_page, json_option, run
from entrypoints.views import created_webhook_endpoint_view, webhook_endpoint_view


@click.group("webhook-endpoints")
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
    endpoint = run(lambda c: c.create_webhook_endpoint()(tenant_id, url, events, description))
    human = f"webhook endpoint {endpoint.id}\n{endpoint.secret}\n(shown once: store it now)"
    emit(as_json, created_webhook_endpoint_view(endpoint), human)


@webhook_endpoints.command("list")
@click.argument("tenant_id")
@json_option
def list_webhook_endpoints(tenant_id: str, as_json: bool) -> None:
    """Ids, URLs and events, newest first; never the secrets."""
    found = run(lambda c: every_page(c.list_webhook_endpoints(), tenant_id))
    human = "\n".join(
        f"{e.id}  {e.url}  {' '.join(k.value for k in e.events) or 'all events'}"
        f"  disabled={e.disabled}"
        for e in found
    )
    rows = [webhook_endpoint_view(e) for e in found]
    emit(as_json, {"webhook_endpoints": rows}, human or "no webhook endpoints")


@webhook_endpoints.command("delete")
@click.argument("endpoint_id")
@json_option
def delete_webhook_endpoint(endpoint_id: str, as_json: bool) -> None:
    run(lambda c: c.delete_webhook_endpoint()(endpoint_id, tenant_id=None))
    emit(as_json, {"id": endpoint_id, "deleted": True}, f"webhook endpoint {endpoint_id} deleted")
