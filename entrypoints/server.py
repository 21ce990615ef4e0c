"""The ASGI server and its production settings: one place, used by `serve` and the benchmarks.

uvicorn with uvloop and httptools, chosen by measurement (benchmarks/README.md): on this
service's real workload it kept up with granian. The per-request access log is off by
default: writing it cost a fifth or more of the throughput of a request this short."""

import uvicorn

APP_FACTORY = "entrypoints.asgi:app_from_env"


def serve_asgi(
    factory: str, *, host: str, port: int, workers: int, access_log: bool = False
) -> None:
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
        access_log=access_log,
    )
