from litestar import Response, get
from litestar.datastructures import State

from entrypoints.http.schemas import Health


@get("/healthz", summary="Liveness: the process is up", tags=["operations"], cache=False)
async def healthz() -> Health:
    return Health(status="ok")


@get(
    "/readyz",
    summary="Readiness: MongoDB answers and LiveKit is configured (503 otherwise)",
    tags=["operations"],
)
async def readyz(state: State) -> Response[Health]:
    storage_problem = await state.store.check()
    livekit_problem = state.token_issuer.configuration_problem()
    checks = {"mongodb": storage_problem or "ok", "livekit": livekit_problem or "ok"}
    ready = storage_problem is None and livekit_problem is None
    return Response(
        Health(status="ready" if ready else "unavailable", checks=checks),
        status_code=200 if ready else 503,
        headers={"cache-control": "no-store"},
    )
