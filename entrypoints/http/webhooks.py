from typing import Any

from litestar import Request, post

from entrypoints.http.dependencies import ContainerDep
from entrypoints.http.openapi_docs import problems
from entrypoints.http.schemas import WebhookAck


@post(
    "/v1/livekit/webhook",
    status_code=200,
    summary="LiveKit webhooks: move calls forward (signed by LiveKit, not by an API key)",
    tags=["livekit"],
    responses=problems(s401="Missing or invalid LiveKit signature"),
)
async def livekit_webhook(request: Request[Any, Any, Any], container: ContainerDep) -> WebhookAck:
    body = await request.body()
    event = container.webhook_verifier().verify(body, request.headers.get("authorization"))
    if event is None:
        return WebhookAck(outcome="ignored")
    outcome = await container.apply_room_event()(event)
    return WebhookAck(outcome=outcome.value)
