"""The one exception handler: an exception's row of the error table (`errors.py`), logged as
the row says and answered as its problem."""

import logging
from typing import Any

from litestar import Request, Response
from litestar.exceptions import HTTPException
from litestar.status_codes import HTTP_400_BAD_REQUEST

from domain.errors import DomainError, StorageError
from entrypoints.http.errors import INTERNAL_ERROR, PROBLEMS, UNREADABLE_BODY
from entrypoints.http.problems import ProblemKind, generic_kind, problem_response

logger = logging.getLogger("realtime_tokens.http")
_MAX_CAUSES = 5


def kind_for(error: BaseException) -> ProblemKind:
    for cls in type(error).__mro__:
        if cls is HTTPException:  # raised by the framework with a status of its own
            return _framework_kind(error)
        if (kind := PROBLEMS.get(cls)) is not None:
            return kind
    return INTERNAL_ERROR


def _framework_kind(error: Any) -> ProblemKind:
    if error.status_code >= 500:
        return INTERNAL_ERROR
    if error.status_code == HTTP_400_BAD_REQUEST:
        return UNREADABLE_BODY
    return generic_kind(error.status_code)


def _described(error: BaseException) -> str:
    """Our own messages, then each cause by class and code only: never a driver's message or
    repr, which may hold the documents it refused (a caller's metadata)."""
    text = type(error).__name__
    if isinstance(error, DomainError) and str(error):
        text += f" ({error})"
    cause, depth = error.__cause__, 0
    while cause is not None and depth < _MAX_CAUSES:
        code = getattr(cause, "code", None)
        text += f", caused by {type(cause).__name__}" + (f" code={code}" if code else "")
        cause, depth = cause.__cause__, depth + 1
    return text


def handle_error(request: Request[Any, Any, Any], error: Exception) -> Response[bytes]:
    kind = kind_for(error)
    if kind is INTERNAL_ERROR and not isinstance(error, StorageError):
        logger.exception("unhandled error", exc_info=error)
    elif kind.log_level:
        logger.log(kind.log_level, "%s: %s", kind.code, _described(error))
    return problem_response(request, kind, error)


EXCEPTION_HANDLERS = dict.fromkeys(PROBLEMS, handle_error)
