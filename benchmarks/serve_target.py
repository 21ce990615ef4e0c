"""`python -m benchmarks.serve_target floor|peer|ours-in-memory --port P --workers N`: the
comparison apps, served with exactly the ASGI server settings `realtime-tokens serve` uses."""

import argparse

from entrypoints.server import serve_asgi

FACTORIES = {
    "floor": "benchmarks.floor:create_floor_app",
    "peer": "benchmarks.peers.fastapi_motor:create_peer_app",
    "ours-in-memory": "benchmarks.ours_in_memory:create_in_memory_app",
}


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("target", choices=sorted(FACTORIES))
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--workers", type=int, default=1)
    args = parser.parse_args()
    serve_asgi(FACTORIES[args.target], host="127.0.0.1", port=args.port, workers=args.workers)


if __name__ == "__main__":
    main()
