"""Structured logs (structlog) on stdout: JSON for machines, console for people. Everything,
the standard library's loggers (uvicorn, ours) included, passes the same redaction."""

import asyncio
import atexit
import logging
import re
import sys
import time
import unicodedata
from collections.abc import Mapping
from datetime import UTC, datetime
from typing import Any, Literal, TextIO, cast

import msgspec
import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

LogFormat = Literal["console", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("console", "json")
LOG_FORMAT_ENV = "REALTIME_TOKENS_LOG_FORMAT"
LOG_LEVEL_ENV = "REALTIME_TOKENS_LOG_LEVEL"
ACCESS_LOG_FLUSH_ENV = "REALTIME_TOKENS_ACCESS_LOG_FLUSH_MS"
DEFAULT_ACCESS_LOG_FLUSH_MS = 100
MAX_ACCESS_LOG_FLUSH_MS = 10_000
LOG_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}
REDACTED = "[redacted]"

_SECRETS = re.compile(
    r"rtk_[A-Za-z0-9_-]+"  # our API keys, well-formed or not
    r"|whsec_[A-Za-z0-9+/=]+"  # webhook signing secrets
    r"|eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*"  # JWTs (LiveKit tokens)
)


def _scrub(value: Any) -> Any:
    """Plain JSON values out, secrets masked. Anything else is logged as its repr(), as
    structlog's own JSON renderer would: the renderer never sees an object whose fields it
    could write out past the object's own repr (a settings dataclass hides its secret there)."""
    if isinstance(value, str):
        return _SECRETS.sub(REDACTED, value)
    if value is None or isinstance(value, bool | int | float):
        return value
    if isinstance(value, Mapping):
        return {_scrub(str(key)): _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    if isinstance(value, datetime):
        return value.isoformat()
    return _SECRETS.sub(REDACTED, repr(value))


def redact_secrets(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Last line of defence: nothing logs keys or tokens on purpose, and this catches accidents
    (an exception message, a library's log line)."""
    return {key: _scrub(value) for key, value in event_dict.items()}


_ESCAPED_CATEGORIES = frozenset({"Cc", "Cf", "Cs", "Co", "Cn", "Zl", "Zp"})


def printable(text: str) -> str:
    """`text` safe for a terminal: control and format characters (ESC, OSC, C1, bidi
    overrides) are written as Python escapes; every script's letters are kept."""
    return "".join(
        _escaped(c) if unicodedata.category(c) in _ESCAPED_CATEGORIES else c for c in text
    )


def _escaped(character: str) -> str:
    code = ord(character)
    if code <= 0xFF:
        return f"\\x{code:02x}"
    return f"\\u{code:04x}" if code <= 0xFFFF else f"\\U{code:08x}"


def _printable_lines(text: str) -> str:
    return "\n".join(printable(line) for line in text.split("\n"))


def _escape_for_console(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """The console renderer writes strings raw: a request path or a name could otherwise
    drive the operator's terminal. Tracebacks keep their line breaks."""
    return {
        printable(key): _printable_lines(value) if key == "exception" else _escape_value(value)
        for key, value in event_dict.items()
    }


def _escape_value(value: Any) -> Any:
    if isinstance(value, str):
        return printable(value)
    if isinstance(value, Mapping):
        return {_escape_value(key): _escape_value(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_escape_value(item) for item in value]
    return value


def log_format_from_env(env: Mapping[str, str]) -> LogFormat:
    return "console" if env.get(LOG_FORMAT_ENV) == "console" else "json"


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


def log_level_from_env(env: Mapping[str, str]) -> int:
    """`REALTIME_TOKENS_LOG_LEVEL`: debug, info (the default), warning or error."""
    name = env.get(LOG_LEVEL_ENV, "").strip().lower() or "info"
    if name not in LOG_LEVELS:
        raise ValueError(f"{LOG_LEVEL_ENV} must be one of {', '.join(LOG_LEVELS)}, not {name!r}")
    return LOG_LEVELS[name]


def _renderer(log_format: LogFormat) -> Processor:
    if log_format == "json":
        return structlog.processors.JSONRenderer(serializer=_json)
    return _escaping_console_renderer


_CONSOLE = structlog.dev.ConsoleRenderer(colors=False)


def _escaping_console_renderer(logger: WrappedLogger, name: str, event_dict: EventDict) -> str:
    return _CONSOLE(logger, name, _escape_for_console(logger, name, event_dict))


_ENCODER = msgspec.json.Encoder()  # redact_secrets leaves it plain JSON values only


def _json(event: Any, **_: Any) -> str:
    return _ENCODER.encode(event).decode()


class _NamedWriteLogger(structlog.WriteLogger):
    """structlog's own writer (no LogRecord, no handler lock): the access log's hot path."""

    def __init__(self, stream: TextIO, name: str) -> None:
        super().__init__(stream)
        self.name = name


class _NamedWriteLoggerFactory:
    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def __call__(self, name: str = "", *_: Any) -> _NamedWriteLogger:
        return _NamedWriteLogger(self._stream, name)


ACCESS_LOGGER = "realtime_tokens.access"
# Linux's PIPE_BUF: a write of at most this many bytes to a pipe is never interleaved with
# another process's, so the lines of several workers sharing stdout stay whole.
_ATOMIC_WRITE_BYTES = 4096
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

    def __call__(self) -> str:
        now = time.time()
        second = int(now)
        if second != self._second:
            self._second = second
            self._prefix = datetime.fromtimestamp(second, UTC).strftime("%Y-%m-%dT%H:%M:%S")
        micros = int((now - second) * 1_000_000)
        return f"{self._prefix}.{micros:06d}Z" if micros else f"{self._prefix}Z"


class _AccessLog:
    """The access log's line as the JSON configuration below writes it (same fields, order,
    level filter, redaction and renderer: tests/unit/test_observability.py compares the two),
    without structlog's per-call pipeline: one line per request is most of what a token
    request costs besides the token. The console format goes through structlog itself."""

    def __init__(self) -> None:
        self._stream: TextIO | None = None
        self._level = logging.INFO
        self._timestamp = _Timestamps()
        self._flush_seconds = 0.0
        self._pending = bytearray()  # lines not yet written
        self._timer: asyncio.TimerHandle | None = None
        self._structlog = structlog.get_logger(ACCESS_LOGGER)

    def configure(self, stream: TextIO | None, level: int, flush_seconds: float = 0.0) -> None:
        self.flush()
        self._stream, self._level, self._flush_seconds = stream, level, flush_seconds

    def __call__(self, level: int, fields: dict[str, Any]) -> None:
        """Writes `fields`' line; the line is built in `fields` itself (the caller's own dict,
        not to be used afterwards): one request, one dict."""
        stream = self._stream
        if stream is None or not structlog.is_configured():  # console, or reset by a test
            log = self._structlog.error if level >= logging.ERROR else self._structlog.info
            log("request", **fields)
            return
        if level < self._level:
            return
        fields["event"] = "request"
        event = _merge_contextvars(None, "", fields)
        event["level"] = "error" if level >= logging.ERROR else "info"
        event["logger"] = ACCESS_LOGGER
        event["timestamp"] = self._timestamp()
        if not _clean(event):
            for key, value in event.items():
                if not _plain(value):
                    event[key] = _scrub(value)
        pending = self._pending
        before = len(pending)
        _ENCODER.encode_into(event, pending, -1)
        pending += b"\n"
        if not self._flush_seconds:
            self.flush()
        elif len(pending) > _ATOMIC_WRITE_BYTES and before:
            self._write(pending[:before])  # what came before, in one write of its own
            del pending[:before]
            self._flush_soon()
        else:
            self._flush_soon()

    def _flush_soon(self) -> None:
        if self._timer is not None:
            return
        try:
            loop = asyncio.get_running_loop()
        except RuntimeError:  # no loop to flush later: a line written outside a request
            self.flush()
            return
        self._timer = loop.call_later(self._flush_seconds, self.flush)

    def flush(self) -> None:
        """Writes the buffered lines (at once: at most `flush_seconds` after the first)."""
        if self._timer is not None:
            self._timer.cancel()
            self._timer = None
        if self._pending:
            self._write(self._pending)
            self._pending.clear()

    def _write(self, lines: bytearray) -> None:
        if self._stream is not None:
            self._stream.write(lines.decode())
            self._stream.flush()


write_access_line = _AccessLog()
atexit.register(write_access_line.flush)


class _AfterAccessLines:
    """The stream every other log line goes to: the access lines buffered before it are
    written first, so the log keeps the order in which things happened."""

    def __init__(self, stream: TextIO) -> None:
        self._stream = stream

    def write(self, text: str) -> int:
        write_access_line.flush()
        return self._stream.write(text)

    def flush(self) -> None:
        self._stream.flush()


def configure_logging(
    log_format: LogFormat = "json",
    stream: TextIO | None = None,
    level: int = logging.INFO,
    access_flush_seconds: float = 0.0,
) -> None:
    """structlog's loggers write straight to `stream`; the standard library's (uvicorn, the
    driver, ours) reach the same stream through a handler. One redaction, one renderer.
    With `access_flush_seconds`, access lines are buffered and written together (in writes
    of at most 4 KiB) at most that long after the first of them, and before any other line."""
    raw = stream or sys.stdout
    write_access_line.configure(raw if log_format == "json" else None, level, access_flush_seconds)
    output = cast(TextIO, _AfterAccessLines(raw)) if access_flush_seconds else raw
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    finishing: list[Processor] = [
        structlog.processors.format_exc_info,
        redact_secrets,
        _renderer(log_format),
    ]
    structlog.configure(
        processors=[*shared, *finishing],
        logger_factory=_NamedWriteLoggerFactory(output),
        wrapper_class=structlog.make_filtering_bound_logger(level),
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[structlog.stdlib.ProcessorFormatter.remove_processors_meta, *finishing],
    )
    handler = logging.StreamHandler(output)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(level)
    for name in ("uvicorn", "uvicorn.error"):  # uvicorn.access: left as uvicorn was told
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.captureWarnings(True)
