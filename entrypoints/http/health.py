from litestar import Response, get
from litestar.openapi.datastructures import ResponseSpec

from domain.ports import HealthProbe, TokenIssuer
from entrypoints.http.dependencies import Injected
from entrypoints.http.schemas import Health, Readiness
from entrypoints.settings import Settings


@get("/healthz", summary="Liveness: the process is up", tags=["operations"], cache=False)
async def healthz() -> Health:
    return Health(status="ok")


@get(
    "/readyz",
    summary="Readiness: MongoDB answers and LiveKit is configured (503 otherwise)",
    tags=["operations"],
    responses={503: ResponseSpec(Readiness, description="Not ready: `checks` says what failed")},
)
async def readyz(
    store: Injected[HealthProbe], token_issuer: Injected[TokenIssuer], settings: Injected[Settings]
) -> Response[Readiness]:
    storage_problem = await store.check()
    livekit_problem = token_issuer.configuration_problem()
    checks = {"mongodb": storage_problem or "ok", "livekit": livekit_problem or "ok"}
    ready = storage_problem is None and livekit_problem is None
    return Response(
        Readiness(
            status="ready" if ready else "unavailable",
            checks=checks,
            database=settings.mongodb_kind,
        ),
        status_code=200 if ready else 503,
        headers={"cache-control": "no-store"},
    )
