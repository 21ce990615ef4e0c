"""The ASGI server and its production settings: one place, used by `serve` and the benchmarks.

uvicorn with uvloop and httptools, chosen by measurement (benchmarks/README.md). uvicorn's
own access log is off: it cost a fifth or more of the throughput of a request this short, and
the app logs one structured line per request itself (entrypoints/http/observability.py)."""

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
        loop="uvloop",
        http="httptools",
        server_header=False,
        log_level="info",
        log_config=None,
        access_log=False,
    )
