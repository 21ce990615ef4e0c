"""RFC 9457 problem details: what one kind of problem is, and how it is rendered."""

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from http import HTTPStatus
from typing import Any

import msgspec
from litestar import Request, Response

from entrypoints.http.observability import annotate_problem
from entrypoints.http.request_id import ensure_request_id
from entrypoints.http.schemas import FieldError, Problem

PROBLEM_MEDIA_TYPE = "application/problem+json"
NOT_LOGGED = 0


@dataclass(frozen=True, slots=True)
class ProblemKind:
    """One row of the error table. `errors` and `headers_of` read what the exception knows
    (the field at fault, a retry delay); `log_level` says whether the service logs it."""

    status: int
    code: str
    detail: str
    headers: Mapping[str, str] = field(default_factory=dict)
    log_level: int = NOT_LOGGED
    errors: Callable[[Any], list[FieldError]] | None = None
    headers_of: Callable[[Any], Mapping[str, str]] | None = None

    @property
    def title(self) -> str:
        return HTTPStatus(self.status).phrase


def generic_kind(status: int) -> ProblemKind:
    phrase = HTTPStatus(status).phrase
    return ProblemKind(status, phrase.lower().replace(" ", "_").replace("-", "_"), phrase + ".")


def problem_response(
    request: Request[Any, Any, Any], kind: ProblemKind, error: BaseException | None = None
) -> Response[bytes]:
    annotate_problem(request.scope, kind.code)
    problem = Problem(
        type=f"urn:realtime-tokens:problem:{kind.code}",
        title=kind.title,
        status=kind.status,
        code=kind.code,
        detail=kind.detail,
        instance=request.scope["path"],
        request_id=ensure_request_id(request.scope),
        errors=kind.errors(error) if kind.errors and error is not None else None,
    )
    dynamic = kind.headers_of(error) if kind.headers_of and error is not None else {}
    return Response(
        content=msgspec.json.encode(problem),
        status_code=kind.status,
        media_type=PROBLEM_MEDIA_TYPE,
        headers={"cache-control": "no-store", **kind.headers, **dynamic},
    )
