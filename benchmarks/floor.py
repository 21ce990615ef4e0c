"""The floor: Litestar on the same ASGI server answering the same POST with a constant JSON.
Nothing is read, looked up or signed: what is left is the framework and the server."""

from litestar import Litestar, get, post

CONSTANT_TOKEN = {
    "client_token": "eyJhbGciOiJIUzI1NiIsInR5cCI6IkpXVCJ9.e30.floor",
    "room_name": "webrtc_00000000-0000-0000-0000-000000000000",
    "server_url": "wss://livekit.bench.invalid",
    "call_id": "00000000-0000-0000-0000-000000000000",
    "participant_identity": "caller_00000000-0000-0000-0000-000000000000",
    "expires_at": "2030-01-01T00:00:00.000Z",
}


@post("/v1/realtime/token", status_code=200)
async def create_constant_token() -> dict[str, str]:
    return CONSTANT_TOKEN


@get("/healthz")
async def healthz() -> dict[str, str]:
    return {"status": "ok"}


def create_floor_app() -> Litestar:
    return Litestar(route_handlers=[create_constant_token, healthz], openapi_config=None)
