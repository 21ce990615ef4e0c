"""Structured logs (structlog) on stdout: JSON for machines, console for people. Everything,
the standard library's loggers (uvicorn, ours) included, passes the same redaction."""

import logging
import sys
import unicodedata
from collections.abc import Mapping
from typing import Any, Literal, TextIO, cast

import msgspec
import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

from entrypoints.access_log import AfterAccessLines, write_access_line
from entrypoints.redaction import redact_secrets

LogFormat = Literal["console", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("console", "json")
LOG_FORMAT_ENV = "REALTIME_TOKENS_LOG_FORMAT"
LOG_LEVEL_ENV = "REALTIME_TOKENS_LOG_LEVEL"
LOG_LEVELS = {
    "debug": logging.DEBUG,
    "info": logging.INFO,
    "warning": logging.WARNING,
    "error": logging.ERROR,
}
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
    output = cast(TextIO, AfterAccessLines(raw)) if access_flush_seconds else raw
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
