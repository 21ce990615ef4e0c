"""Structured logs (structlog) on stdout: JSON for machines, console for people. Everything,
the standard library's loggers (uvicorn, ours) included, passes the same redaction."""

import logging
import re
import sys
from collections.abc import Mapping
from typing import Any, Literal, TextIO

import structlog
from structlog.typing import EventDict, Processor, WrappedLogger

LogFormat = Literal["console", "json"]
LOG_FORMATS: tuple[LogFormat, ...] = ("console", "json")
LOG_FORMAT_ENV = "REALTIME_TOKENS_LOG_FORMAT"
REDACTED = "[redacted]"

_SECRETS = re.compile(
    r"rtk_[A-Za-z0-9_-]+"  # our API keys, well-formed or not
    r"|eyJ[A-Za-z0-9_-]*\.[A-Za-z0-9_-]*\.?[A-Za-z0-9_-]*"  # JWTs (LiveKit tokens)
)


def _scrub(value: Any) -> Any:
    if isinstance(value, str):
        return _SECRETS.sub(REDACTED, value)
    if isinstance(value, Mapping):
        return {key: _scrub(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [_scrub(item) for item in value]
    return value


def redact_secrets(_: WrappedLogger, __: str, event_dict: EventDict) -> EventDict:
    """Last line of defence: nothing logs keys or tokens on purpose, and this catches accidents
    (an exception message, a library's log line)."""
    return {key: _scrub(value) for key, value in event_dict.items()}


def log_format_from_env(env: Mapping[str, str]) -> LogFormat:
    return "console" if env.get(LOG_FORMAT_ENV) == "console" else "json"


def _renderer(log_format: LogFormat) -> Processor:
    if log_format == "json":
        return structlog.processors.JSONRenderer()
    return structlog.dev.ConsoleRenderer(colors=False)


def configure_logging(log_format: LogFormat = "json", stream: TextIO | None = None) -> None:
    shared: list[Processor] = [
        structlog.contextvars.merge_contextvars,
        structlog.stdlib.add_log_level,
        structlog.stdlib.add_logger_name,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.stdlib.ProcessorFormatter.wrap_for_formatter],
        logger_factory=structlog.stdlib.LoggerFactory(),
        wrapper_class=structlog.stdlib.BoundLogger,
        cache_logger_on_first_use=False,
    )
    formatter = structlog.stdlib.ProcessorFormatter(
        foreign_pre_chain=shared,
        processors=[
            structlog.stdlib.ProcessorFormatter.remove_processors_meta,
            structlog.processors.format_exc_info,
            redact_secrets,
            _renderer(log_format),
        ],
    )
    handler = logging.StreamHandler(stream or sys.stdout)
    handler.setFormatter(formatter)
    root = logging.getLogger()
    root.handlers = [handler]
    root.setLevel(logging.INFO)
    for name in ("uvicorn", "uvicorn.error"):  # uvicorn.access: left as uvicorn was told
        logging.getLogger(name).handlers = []
        logging.getLogger(name).propagate = True
    logging.captureWarnings(True)
