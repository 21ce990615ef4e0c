import asyncio
import socket
from typing import Any

import pytest
import uvicorn

from entrypoints.combined_writes import PROTOCOL, CombinedWrites


class RecordingTransport:
    """The few transport calls CombinedWrites makes, recorded in order."""

    def __init__(self) -> None:
        self.calls: list[tuple[str, Any]] = []
        self.closing = False
        self.buffered = 0

    def write(self, data: bytes) -> None:
        self.calls.append(("write", data))

    def close(self) -> None:
        self.closing = True
        self.calls.append(("close", None))

    def abort(self) -> None:
        self.closing = True
        self.calls.append(("abort", None))

    def write_eof(self) -> None:
        self.calls.append(("write_eof", None))

    def is_closing(self) -> bool:
        return self.closing

    def get_write_buffer_size(self) -> int:
        return self.buffered

    def get_extra_info(self, name: str, default: Any = None) -> Any:
        return ("127.0.0.1", 8000) if name == "sockname" else default


def combined(transport: RecordingTransport) -> CombinedWrites:
    return CombinedWrites(transport, asyncio.get_running_loop())  # type: ignore[arg-type]


async def a_turn() -> None:
    await asyncio.sleep(0)


async def test_the_writes_of_one_turn_leave_as_one_write_in_order_at_its_end() -> None:
    transport = RecordingTransport()
    writes = combined(transport)
    writes.write(b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n")
    writes.write(bytearray(b"{}"))
    writes.write(b"")
    assert transport.calls == []
    await a_turn()
    assert transport.calls == [("write", b"HTTP/1.1 200 OK\r\ncontent-length: 2\r\n\r\n{}")]
    writes.writelines([b"a", memoryview(b"b")])
    await a_turn()
    assert transport.calls[1:] == [("write", b"ab")]


async def test_a_write_in_a_later_turn_is_a_write_of_its_own() -> None:
    transport = RecordingTransport()
    writes = combined(transport)
    writes.write(b"headers")
    await a_turn()
    writes.write(b"body")
    await a_turn()
    assert transport.calls == [("write", b"headers"), ("write", b"body")]


async def test_close_and_eof_send_what_is_held_first_and_abort_drops_it() -> None:
    transport = RecordingTransport()
    writes = combined(transport)
    writes.write(b"last words")
    writes.write_eof()
    writes.write(b"bye")
    writes.close()
    await a_turn()  # the turn's own flush finds nothing left
    assert transport.calls == [
        ("write", b"last words"),
        ("write_eof", None),
        ("write", b"bye"),
        ("close", None),
    ]
    dropped = RecordingTransport()
    aborted = combined(dropped)
    aborted.write(b"never sent")
    aborted.abort()
    await a_turn()
    assert dropped.calls == [("abort", None)]


async def test_nothing_is_written_to_a_transport_already_closing() -> None:
    transport = RecordingTransport()
    writes = combined(transport)
    writes.write(b"too late")
    transport.closing = True  # the peer went away within the turn
    await a_turn()
    assert transport.calls == []


async def test_held_bytes_count_in_the_write_buffer_and_the_rest_is_the_transports() -> None:
    transport = RecordingTransport()
    transport.buffered = 10
    writes = combined(transport)
    writes.write(b"12345")
    assert writes.get_write_buffer_size() == 15
    assert writes.get_extra_info("sockname") == ("127.0.0.1", 8000)
    assert writes.is_closing() is False
    await a_turn()
    assert writes.get_write_buffer_size() == 10


SECOND_CHUNK_MAY_GO: list[asyncio.Event] = []


async def slow_stream(scope: Any, receive: Any, send: Any) -> None:
    """On /stream: headers and a first chunk, then a second only once the test has read the
    first; plain JSON on any other path."""
    if scope["type"] == "lifespan":
        await receive()  # startup
        await send({"type": "lifespan.startup.complete"})
        await receive()  # shutdown
        await send({"type": "lifespan.shutdown.complete"})
        return
    if scope["path"] != "/stream":
        body = b'{"path":"%s"}' % scope["path"].encode()
        headers = [(b"content-type", b"application/json"), (b"content-length", b"%d" % len(body))]
        await send({"type": "http.response.start", "status": 200, "headers": headers})
        await send({"type": "http.response.body", "body": body})
        return
    await send({"type": "http.response.start", "status": 200, "headers": []})
    await send({"type": "http.response.body", "body": b"first", "more_body": True})
    await SECOND_CHUNK_MAY_GO[-1].wait()
    await send({"type": "http.response.body", "body": b"second", "more_body": False})


@pytest.fixture
async def served() -> Any:
    """uvicorn with the deployed protocol on this test's loop (the e2e suite serves it on
    uvloop), listening before it starts: a client may connect at once."""
    listening = socket.create_server(("127.0.0.1", 0))
    server = uvicorn.Server(uvicorn.Config(slow_stream, http=PROTOCOL, log_config=None))
    SECOND_CHUNK_MAY_GO.append(asyncio.Event())
    task = asyncio.create_task(server.serve(sockets=[listening]))
    yield listening.getsockname()[1]
    server.should_exit = True
    SECOND_CHUNK_MAY_GO.pop().set()
    await task


async def read_until(reader: asyncio.StreamReader, marker: bytes, seconds: float) -> bytes:
    """Bounded, so that a response held back fails the test rather than hanging it."""
    return await asyncio.wait_for(reader.readuntil(marker), seconds)


async def test_a_streamed_body_is_not_held_back_until_it_ends(served: int) -> None:
    reader, writer = await asyncio.open_connection("127.0.0.1", served)
    writer.write(b"GET /stream HTTP/1.1\r\nhost: t\r\n\r\n")
    head_and_first = await read_until(reader, b"first\r\n", 10)  # "second" is not sent yet
    assert head_and_first.startswith(b"HTTP/1.1 200 OK\r\n")
    assert head_and_first.endswith(b"transfer-encoding: chunked\r\n\r\n5\r\nfirst\r\n")
    SECOND_CHUNK_MAY_GO[-1].set()
    assert await read_until(reader, b"0\r\n\r\n", 10) == b"6\r\nsecond\r\n0\r\n\r\n"
    writer.close()


async def test_pipelined_requests_on_one_connection_are_answered_whole_and_in_order(
    served: int,
) -> None:
    with socket.create_connection(("127.0.0.1", served)) as raw:
        raw.sendall(b"GET /one HTTP/1.1\r\nhost: t\r\n\r\nGET /two HTTP/1.1\r\nhost: t\r\n\r\n")
        raw.settimeout(5)
        received = b""
        while received.count(b'{"path"') < 2:
            chunk = await asyncio.to_thread(raw.recv, 65536)
            assert chunk, received
            received += chunk
    first, second = received.split(b"HTTP/1.1 200 OK\r\n")[1:]
    assert first.endswith(b'{"path":"/one"}')
    assert second.endswith(b'{"path":"/two"}')
