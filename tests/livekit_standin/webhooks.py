"""LiveKit's webhooks as livekit-server posts them: protojson `WebhookEvent`s, one at a time
and in order, as `application/webhook+json` with a JWT (the API key's, signed with its
secret) carrying the body's SHA-256 in `Authorization`."""

import asyncio
import base64
import hashlib
import logging
import time
from dataclasses import dataclass

import aiohttp
from google.protobuf.json_format import MessageToJson
from livekit.api import AccessToken
from livekit.protocol import models, webhook

from tests.livekit_standin.wire import sid

log = logging.getLogger(__name__)
ATTEMPTS = 3


@dataclass
class Sent:
    event: str
    id: str
    room: str
    identity: str
    body: bytes
    status: int | None = None


class WebhookSender:
    def __init__(self, url: str | None, api_key: str, api_secret: str) -> None:
        self.url = url
        self.sent: list[Sent] = []
        self._api_key, self._api_secret = api_key, api_secret
        self._queue: asyncio.Queue[Sent | None] = asyncio.Queue()
        self._task: asyncio.Task[None] | None = None
        self._idle = asyncio.Event()
        self._idle.set()

    def start(self) -> None:
        self._task = asyncio.create_task(self._post_in_order())

    async def stop(self) -> None:
        await self._queue.put(None)
        if self._task is not None:
            await asyncio.wait_for(self._task, 15)

    def send(
        self, event: str, room: models.Room, participant: models.ParticipantInfo | None = None
    ) -> Sent:
        message = webhook.WebhookEvent(
            event=event, room=room, id=sid("EV"), created_at=int(time.time())
        )
        if participant is not None:
            message.participant.CopyFrom(participant)
        identity = participant.identity if participant is not None else ""
        item = Sent(event, message.id, room.name, identity, MessageToJson(message).encode())
        self.sent.append(item)
        self._enqueue(item)
        return item

    def redeliver(self, item: Sent) -> Sent:
        """The same body again (same id), as LiveKit does when it saw no 2xx in time."""
        again = Sent(item.event, item.id, item.room, item.identity, item.body)
        self.sent.append(again)
        self._enqueue(again)
        return again

    async def drained(self) -> None:
        await self._idle.wait()

    def _enqueue(self, item: Sent) -> None:
        if self.url is not None:
            self._idle.clear()
            self._queue.put_nowait(item)

    def _headers(self, body: bytes) -> dict[str, str]:
        digest = base64.b64encode(hashlib.sha256(body).digest()).decode()
        token = AccessToken(self._api_key, self._api_secret).with_sha256(digest).to_jwt()
        return {"Authorization": token, "Content-Type": "application/webhook+json"}

    async def _post_in_order(self) -> None:
        timeout = aiohttp.ClientTimeout(total=5)
        async with aiohttp.ClientSession(timeout=timeout) as client:
            while (item := await self._queue.get()) is not None:
                await self._post(client, item)
                if self._queue.empty():
                    self._idle.set()

    async def _post(self, client: aiohttp.ClientSession, item: Sent) -> None:
        assert self.url is not None
        for attempt in range(ATTEMPTS):
            try:
                async with client.post(
                    self.url, data=item.body, headers=self._headers(item.body)
                ) as r:
                    item.status = r.status
                    if r.status < 300:
                        return
            except (aiohttp.ClientError, TimeoutError) as error:
                log.warning("webhook %s to %s failed: %s", item.event, self.url, error)
            await asyncio.sleep(0.2 * (attempt + 1))
