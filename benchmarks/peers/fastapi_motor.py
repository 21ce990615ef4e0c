"""The naive peer: FastAPI + Motor + livekit-api, three MongoDB round trips per token
(API key, agent, call insert), nothing cached. Same data, same collections and the same
write concern as ours, so the difference measured is the design, not the durability."""

import hashlib
import json
import os
import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

from fastapi import FastAPI, Header, HTTPException
from livekit.api import AccessToken, RoomAgentDispatch, RoomConfiguration, VideoGrants
from motor.motor_asyncio import AsyncIOMotorClient
from pydantic import BaseModel, Field

JOIN_WINDOW = timedelta(minutes=10)


class TokenRequest(BaseModel):
    agent_id: uuid.UUID
    metadata: dict[str, Any] = Field(default_factory=dict)


class TokenResponse(BaseModel):
    client_token: str
    room_name: str
    server_url: str


def create_peer_app() -> FastAPI:
    client: Any = AsyncIOMotorClient(
        os.environ["MONGODB_URI"], tz_aware=True, w="majority", retryWrites=True, timeoutMS=5000
    )
    db = client[os.environ.get("MONGODB_DATABASE", "realtime_tokens")]
    livekit_url = os.environ["LIVEKIT_URL"]
    livekit_key = os.environ["LIVEKIT_API_KEY"]
    livekit_secret = os.environ["LIVEKIT_API_SECRET"]

    async def create_token(
        body: TokenRequest, authorization: str = Header(default="")
    ) -> TokenResponse:
        presented = authorization.removeprefix("Bearer ").strip()
        key_hash = hashlib.sha256(presented.encode()).hexdigest()
        key = await db.api_keys.find_one({"key_hash": key_hash})
        if key is None or key.get("revoked_at") is not None:
            raise HTTPException(status_code=401, detail="unauthenticated")
        agent_id = str(body.agent_id)
        agent = await db.agents.find_one({"_id": agent_id, "tenant_id": key["tenant_id"]})
        if agent is None:
            raise HTTPException(status_code=404, detail="agent_not_found")
        call_id = str(uuid.uuid4())
        room_name = f"webrtc_{call_id}"
        identity = f"caller_{call_id}"
        now = datetime.now(UTC)
        await db.calls.insert_one(
            {
                "_id": call_id,
                "tenant_id": key["tenant_id"],
                "agent_id": agent_id,
                "type": "webrtc",
                "status": "queued",
                "room_name": room_name,
                "participant_identity": identity,
                "metadata": {**body.metadata, "type": "webrtc"},
                "created_at": now,
                "expires_at": now + JOIN_WINDOW,
            }
        )
        ids = {"call_id": call_id, "agent_id": agent_id}
        dispatch = json.dumps({**ids, "room_name": room_name, "type": "webrtc"})
        token = (
            AccessToken(livekit_key, livekit_secret)
            .with_identity(identity)
            .with_kind("standard")
            .with_ttl(JOIN_WINDOW)
            .with_grants(VideoGrants(room_join=True, room=room_name))
            .with_metadata(json.dumps(ids))
            .with_attributes(ids)
            .with_room_config(
                RoomConfiguration(
                    agents=[RoomAgentDispatch(agent_name=agent["dispatch_name"], metadata=dispatch)]
                )
            )
            .to_jwt()
        )
        return TokenResponse(client_token=token, room_name=room_name, server_url=livekit_url)

    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    app = FastAPI(openapi_url=None)
    app.add_api_route("/v1/realtime/token", create_token, methods=["POST"])
    app.add_api_route("/healthz", healthz, methods=["GET"])
    return app
