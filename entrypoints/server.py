"""The ASGI server and its production settings: one place, used by `serve` and the benchmarks.

uvicorn with uvloop and httptools, chosen by measurement (benchmarks/README.md), its writes
of one event-loop turn sent as one (combined_writes.py: a response in one `send`). uvicorn's
own access log is off: it cost a fifth or more of the throughput of a request this short, and
the app logs one structured line per request itself (entrypoints/http/observability.py)."""

import uvicorn

from entrypoints.combined_writes import PROTOCOL

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
        http=PROTOCOL,  # httptools, writing each response at once
        server_header=False,
        log_level="info",
        log_config=None,
        access_log=False,
    )
