"""The ASGI server and its production settings: one place, used by `serve` and the benchmarks."""

import uvicorn

APP_FACTORY = "entrypoints.asgi:app_from_env"


def serve_asgi(factory: str, *, host: str, port: int, workers: int) -> None:
    """Serve the app that `factory` ("module:function") builds, in `workers` processes."""
    uvicorn.run(
        factory,
        factory=True,
        host=host,
        port=port,
        workers=workers,
        server_header=False,
        log_level="info",
    )
