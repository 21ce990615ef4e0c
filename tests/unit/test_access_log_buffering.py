"""The buffered access log (REALTIME_TOKENS_ACCESS_LOG_FLUSH_MS): lines wait at most the
flush interval, leave in writes a pipe keeps whole, never after a later line of another
logger, and none is left behind when the app stops."""

import asyncio
import io
import json
import logging
from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any

import pytest
import structlog
from litestar.testing import AsyncTestClient

from entrypoints.access_log import access_flush_seconds_from_env, write_access_line
from entrypoints.http.app import create_app
from entrypoints.logs import configure_logging
from tests.support.world import fake_world

FLUSH = 0.05


class RecordingStream(io.StringIO):
    """A stream that keeps each write apart, as a pipe receives them."""

    def __init__(self) -> None:
        super().__init__()
        self.writes: list[str] = []

    def write(self, text: str) -> int:
        self.writes.append(text)
        return super().write(text)


@pytest.fixture
def stream() -> Iterator[RecordingStream]:
    root = logging.getLogger()
    saved = (root.handlers[:], root.level)
    output = RecordingStream()
    configure_logging("json", stream=output, access_flush_seconds=FLUSH)
    yield output
    write_access_line.flush()
    root.handlers, root.level = saved
    logging.captureWarnings(False)
    structlog.reset_defaults()
    configure_logging("json", stream=io.StringIO())  # unbuffered again for the next tests
    structlog.reset_defaults()


def _line(n: int, **more: Any) -> dict[str, Any]:
    return {"method": "POST", "path": f"/v1/realtime/token/{n}", "status": 200, **more}


def _paths(text: str) -> list[str]:
    return [json.loads(line)["path"] for line in text.splitlines()]


async def test_lines_wait_at_most_the_flush_interval(stream: RecordingStream) -> None:
    write_access_line(logging.INFO, _line(1))
    write_access_line(logging.INFO, _line(2))
    assert stream.getvalue() == ""
    await asyncio.sleep(FLUSH * 3)
    assert _paths(stream.getvalue()) == ["/v1/realtime/token/1", "/v1/realtime/token/2"]
    assert len(stream.writes) == 1, "the lines of one interval leave in one write"


async def test_writes_stay_within_what_a_pipe_keeps_whole(stream: RecordingStream) -> None:
    for n in range(200):
        write_access_line(logging.INFO, _line(n, padding="x" * (n % 50)))
    write_access_line.flush()
    assert len(stream.writes) > 1
    assert all(len(write.encode()) <= 4096 for write in stream.writes)
    assert all(write.endswith("\n") for write in stream.writes)
    assert _paths(stream.getvalue()) == [f"/v1/realtime/token/{n}" for n in range(200)]


async def test_a_line_longer_than_a_pipe_write_leaves_alone(stream: RecordingStream) -> None:
    write_access_line(logging.INFO, _line(1))
    write_access_line(logging.INFO, _line(2, padding="y" * 5000))
    write_access_line(logging.INFO, _line(3))
    write_access_line.flush()
    assert _paths(stream.getvalue()) == [f"/v1/realtime/token/{n}" for n in (1, 2, 3)]
    assert [len(w.encode()) > 4096 for w in stream.writes] == [False, True, False]


async def test_another_loggers_line_comes_after_the_access_lines_before_it(
    stream: RecordingStream,
) -> None:
    write_access_line(logging.INFO, _line(1))
    structlog.get_logger("realtime_tokens.test").warning("after the first")
    logging.getLogger("uvicorn.error").warning("after that")
    write_access_line(logging.INFO, _line(2))
    write_access_line.flush()
    events = [json.loads(line)["event"] for line in stream.getvalue().splitlines()]
    assert events == ["request", "after the first", "after that", "request"]


def test_without_a_running_loop_a_line_is_written_at_once(stream: RecordingStream) -> None:
    write_access_line(logging.INFO, _line(1))
    assert _paths(stream.getvalue()) == ["/v1/realtime/token/1"]


async def test_the_app_writes_every_buffered_line_when_it_stops(
    stream: RecordingStream, monkeypatch: pytest.MonkeyPatch
) -> None:
    configure_logging("json", stream=stream, access_flush_seconds=60)  # no timer will fire
    # httpx logs each request it sends: another logger's line, which writes the access lines
    # before it.
    monkeypatch.setattr(logging.getLogger("httpx"), "level", logging.WARNING)
    world = fake_world()
    seeded = await world.seed_tenant()
    async with AsyncTestClient(create_app(world.container)) as client:
        for _ in range(3):
            response = await client.post(
                "/v1/realtime/token",
                json={"agent_id": seeded.agent.id},
                headers={"authorization": f"Bearer {seeded.api_key}"},
            )
            assert response.status_code == 200
        assert '"status":200' not in stream.getvalue()
    statuses = [json.loads(line).get("status") for line in stream.getvalue().splitlines()]
    assert statuses.count(200) == 3


@pytest.mark.parametrize(
    ("value", "seconds"), [(None, 0.1), ("", 0.1), ("0", 0.0), ("250", 0.25), ("10000", 10.0)]
)
def test_the_flush_interval_is_read_in_milliseconds(value: str | None, seconds: float) -> None:
    env = {} if value is None else {"REALTIME_TOKENS_ACCESS_LOG_FLUSH_MS": value}
    assert access_flush_seconds_from_env(env) == seconds


@pytest.mark.parametrize("value", ["-1", "0.5", "soon", "10001"])
def test_a_flush_interval_that_is_not_whole_milliseconds_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="REALTIME_TOKENS_ACCESS_LOG_FLUSH_MS"):
        access_flush_seconds_from_env({"REALTIME_TOKENS_ACCESS_LOG_FLUSH_MS": value})


def test_a_timer_left_on_a_loop_that_has_gone_does_not_hold_the_next_loops_lines(
    stream: RecordingStream,
) -> None:
    async def one_line(n: int) -> None:
        write_access_line(logging.INFO, _line(n))

    asyncio.run(one_line(1))  # its loop closes before the flush timer fires
    assert stream.getvalue() == ""

    async def another_then_wait() -> None:
        write_access_line(logging.INFO, _line(2))
        await asyncio.sleep(FLUSH * 3)

    asyncio.run(another_then_wait())
    assert _paths(stream.getvalue()) == ["/v1/realtime/token/1", "/v1/realtime/token/2"]


async def test_a_buffered_line_keeps_the_context_and_time_it_was_logged_in(
    stream: RecordingStream,
) -> None:
    configure_logging("json", stream=stream, access_flush_seconds=60)  # no timer will fire
    with structlog.contextvars.bound_contextvars(request_id="r-1"):
        write_access_line(logging.INFO, _line(1))
    logged = datetime.now(UTC)
    write_access_line(logging.INFO, _line(2))
    await asyncio.sleep(0.02)  # the lines wait; the clock moves on
    assert stream.getvalue() == ""
    written = datetime.now(UTC)
    write_access_line.flush()
    first, second = (json.loads(line) for line in stream.getvalue().splitlines())
    assert (first.get("request_id"), second.get("request_id")) == ("r-1", None)
    stamped = datetime.fromisoformat(first["timestamp"])
    assert stamped <= logged < written


async def test_a_full_batch_of_lines_is_written_without_waiting(stream: RecordingStream) -> None:
    configure_logging("json", stream=stream, access_flush_seconds=60)  # no timer will fire
    for n in range(63):
        write_access_line(logging.INFO, _line(n))
    assert stream.getvalue() == ""
    write_access_line(logging.INFO, _line(63))
    assert _paths(stream.getvalue()) == [f"/v1/realtime/token/{n}" for n in range(64)]
