"""The access log: one JSON `request` line per request, written without structlog's
per-call pipeline and, by default, buffered (REALTIME_TOKENS_ACCESS_LOG_FLUSH_MS)."""

import asyncio
import atexit
import contextvars
import logging
import time
from collections.abc import Mapping, MutableMapping
from datetime import UTC, datetime
from typing import Any, TextIO

import msgspec
import structlog

from entrypoints.redaction import scrub

ACCESS_LOG_FLUSH_ENV = "REALTIME_TOKENS_ACCESS_LOG_FLUSH_MS"
DEFAULT_ACCESS_LOG_FLUSH_MS = 100
MAX_ACCESS_LOG_FLUSH_MS = 10_000
_ENCODER = msgspec.json.Encoder()


def access_flush_seconds_from_env(env: Mapping[str, str]) -> float:
    """`REALTIME_TOKENS_ACCESS_LOG_FLUSH_MS`: how long an access line may wait to be written
    with the next ones (100 ms by default; 0 writes each line as it comes)."""
    text = env.get(ACCESS_LOG_FLUSH_ENV, "").strip() or str(DEFAULT_ACCESS_LOG_FLUSH_MS)
    if not text.isdigit() or int(text) > MAX_ACCESS_LOG_FLUSH_MS:
        raise ValueError(
            f"{ACCESS_LOG_FLUSH_ENV} must be a whole number of milliseconds from 0 to "
            f"{MAX_ACCESS_LOG_FLUSH_MS}, not {text!r}"
        )
    return int(text) / 1000


ACCESS_LOGGER = "realtime_tokens.access"
# Linux's PIPE_BUF: a write of at most this many bytes to a pipe is never interleaved with
# another process's, so the lines of several workers sharing stdout stay whole.
_ATOMIC_WRITE_BYTES = 4096
# Buffered lines are kept as their fields and written out together: a run of lines encoded in
# one loop costs about half what the same lines cost encoded one per request, between the
# rest of each request's work. A batch this long is written at once (about a millisecond).
_MAX_PENDING_LINES = 64
_merge_contextvars = structlog.contextvars.merge_contextvars


def _plain(value: Any) -> bool:
    """What `_scrub` would return unchanged: every secret pattern starts with a marker."""
    if isinstance(value, str):
        return "rtk_" not in value and "whsec_" not in value and "eyJ" not in value
    return value is None or isinstance(value, bool | int | float)


_NUMBERS = frozenset({int, float, bool, type(None)})


def _clean(event: Mapping[str, Any]) -> bool:
    """Whether every value is `_plain`, in one loop without a call per value: exact JSON
    scalar types only (anything else, a str subclass included, takes `_plain` itself)."""
    for value in event.values():
        kind = value.__class__
        if kind is str:
            if "rtk_" in value or "whsec_" in value or "eyJ" in value:
                return False
        elif kind not in _NUMBERS:
            return False
    return True


class _Timestamps:
    """TimeStamper(fmt="iso", utc=True)'s text (datetime.isoformat, "Z" for "+00:00"), with
    the date and time formatted once a second."""

    def __init__(self) -> None:
        self._second = -1
        self._prefix = ""

    def __call__(self, now: float) -> str:
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        micros = int((now - second) * 1_000_000)
        return f"{self._prefix}.{micros:06d}Z" if micros else f"{self._prefix}Z"


class _AccessLog:
    """The access log's line as `logs.configure_logging`'s JSON renderer writes it (same
    fields, order, level filter, redaction and renderer: tests/unit/test_observability.py
    compares the two),
    without structlog's per-call pipeline: one line per request is most of what a token
    request costs besides the token. The console format goes through structlog itself."""

    def __init__(self) -> None:
        self._stream: TextIO | None = None
        self._level = logging.INFO
        self._timestamp = _Timestamps()
        self._flush_seconds = 0.0
        # lines not yet written: level, fields, the context and the time they were logged in
        self._pending: list[tuple[int, dict[str, Any], contextvars.Context, float]] = []
        self._timer: asyncio.TimerHandle | None = None
        self._timer_loop: asyncio.AbstractEventLoop | None = None
        self._structlog = structlog.get_logger(ACCESS_LOGGER)

    def configure(self, stream: TextIO | None, level: int, flush_seconds: float = 0.0) -> None:
        self.flush()
        self._stream, self._level, self._flush_seconds = stream, level, flush_seconds

    def __call__(self, level: int, fields: dict[str, Any]) -> None:
        """Writes `fields`' line; the line is built in `fields` itself (the caller's own dict,
        not to be used afterwards): one request, one dict. Buffered, what the line needs of
        the moment (its time, the context's bound variables) is taken now and the line is
        built when the buffer is written."""
        stream = self._stream
        if stream is None or not structlog.is_configured():  # console, or reset by a test
            log = self._structlog.error if level >= logging.ERROR else self._structlog.info
            log("request", **fields)
            return
        if level < self._level:
            return
        pending = self._pending
        pending.append((level, fields, contextvars.copy_context(), time.time()))
        if not self._flush_seconds or len(pending) >= _MAX_PENDING_LINES:
            self.flush()
        else:
            self._flush_soon()

    def _flush_soon(self) -> None:
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop to flush later: a line written outside a request
            self.flush()
            return
        if self._timer is not None and self._timer_loop is loop:
            return
        if self._timer is not None:  # set on a loop that has since gone (an app run again)
            self._timer.cancel()
        self._timer_loop = loop
        self._timer = loop.call_later(self._flush_seconds, self.flush)

    def flush(self) -> None:
        """Writes the buffered lines (at once: at most `flush_seconds` after the first), in
        writes of at most _ATOMIC_WRITE_BYTES but for a line longer than that."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if not self._pending:
            return
        pending, self._pending = self._pending, []
        lines = bytearray()
        for level, fields, context, moment in pending:
            before = len(lines)
            _ENCODER.encode_into(self._event(level, fields, context, moment), lines, -1)
            lines += b"\n"
            if len(lines) > _ATOMIC_WRITE_BYTES and before:
                self._write(lines[:before])  # what came before, in one write of its own
                del lines[:before]
        self._write(lines)

    def _event(
        self, level: int, fields: dict[str, Any], context: contextvars.Context, moment: float
    ) -> MutableMapping[str, Any]:
        fields["event"] = "request"
        event = context.run(_merge_contextvars, None, "", fields)
        event["level"] = "error" if level >= logging.ERROR else "info"
        event["logger"] = ACCESS_LOGGER
        event["timestamp"] = self._timestamp(moment)
        if not _clean(event):
            for key, value in event.items():
                if not _plain(value):
                    event[key] = scrub(value)
        return event

    def _write(self, lines: bytearray) -> None:
        if self._stream is not None:
            self._stream.write(lines.decode())
            self._stream.flush()


write_access_line = _AccessLog()
atexit.register(write_access_line.flush)


class AfterAccessLines:
    """The stream every other log line goes to: the access lines buffered before it are
    written first, so the log keeps the order in which things happened."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        write_access_line.flush()
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()
