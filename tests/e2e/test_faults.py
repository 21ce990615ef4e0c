"""A live server whose MongoDB is nowhere, and one that is told to stop mid-request."""

import json
import signal
import socket
import time
from pathlib import Path

import httpx
import pytest

from adapters.embedded_mongo import free_port
from tests.support.live import LiveServer, base_env, service_env

pytestmark = pytest.mark.e2e


def test_a_mongodb_that_is_not_there_gives_bounded_503s_not_a_dead_service(
    tmp_path: Path,
) -> None:
    env = service_env(
        tmp_path,
        MONGODB_URI=f"mongodb://127.0.0.1:{free_port()}/?serverSelectionTimeoutMS=300",
        MONGODB_TIMEOUT_MS="500",
    )
    server = LiveServer(env, tmp_path / "server.log").start()
    try:
        started = time.monotonic()
        response = httpx.post(
            f"{server.base_url}/v1/realtime/token",
            json={"agent_id": "550e8400-e29b-41d4-a716-446655440000"},
            headers={"Authorization": "Bearer rtk_" + "A" * 43},
            timeout=10,
        )
        elapsed = time.monotonic() - started
        ready = httpx.get(f"{server.base_url}/readyz", timeout=10)
    finally:
        server.stop()

    assert response.status_code == 503
    assert response.headers["retry-after"]
    assert response.json()["code"] == "storage_unavailable"
    assert elapsed < 5, "the wait is bounded by MONGODB_TIMEOUT_MS, not the driver's 30 s"
    assert ready.status_code == 503
    assert "127.0.0.1" not in response.text


def test_sigterm_finishes_in_flight_requests_refuses_new_ones_and_stops_mongodb(
    tmp_path: Path,
) -> None:
    env = base_env(REALTIME_TOKENS_HOME=str(tmp_path))
    server = LiveServer(env, tmp_path / "serve.log").start("--dev")
    demo = json.loads((tmp_path / "demo.json").read_text())
    body = json.dumps({"agent_id": demo["agent_id"]}).encode()
    head = (
        "POST /v1/realtime/token HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
        f"Authorization: Bearer {demo['api_key']}\r\nContent-Length: {len(body)}\r\n\r\n"
    ).encode()

    in_flight = socket.create_connection(("127.0.0.1", server.port))
    in_flight.sendall(head + body[:10])
    time.sleep(0.3)
    server.send_signal(signal.SIGTERM)
    time.sleep(0.5)
    with pytest.raises(ConnectionRefusedError):
        socket.create_connection(("127.0.0.1", server.port), timeout=1)
    in_flight.sendall(body[10:])
    answer = in_flight.recv(65536).decode()
    in_flight.close()
    exit_code = server.stop()

    assert answer.startswith("HTTP/1.1 200"), answer[:200]
    assert exit_code == 0
    assert not (tmp_path / "mongo" / "server.json").exists()
