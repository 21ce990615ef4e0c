from typing import Any

from litestar import Request, post
from litestar.exceptions.http_exceptions import RequestEntityTooLarge

from application.room_events import ApplyRoomEvent
from domain.errors import StorageError, StorageUnavailable, UnreadableRecord, WebhookRejected
from domain.ports import WebhookVerifier
from entrypoints.http.dependencies import Injected
from entrypoints.http.errors import responses
from entrypoints.http.schemas import WebhookAck


@post(
    "/v1/livekit/webhook",
    status_code=200,
    summary="LiveKit webhooks: move calls forward (signed by LiveKit, not by an API key)",
    tags=["livekit"],
    responses=responses(
        WebhookRejected, RequestEntityTooLarge, StorageUnavailable, StorageError, UnreadableRecord
    ),
)
async def livekit_webhook(
    request: Request[Any, Any, Any],
    webhook_verifier: Injected[WebhookVerifier],
    apply_room_event: Injected[ApplyRoomEvent],
) -> WebhookAck:
    body = await request.body()
    event = webhook_verifier.verify(body, request.headers.get("authorization"))
    if event is None:
        return WebhookAck(outcome="ignored")
    outcome = await apply_room_event(event)
    return WebhookAck(outcome=outcome.value)
