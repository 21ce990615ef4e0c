"""The lean path of the three token routes (`/v1/realtime/token`, its alias `/v1/webrtc/token`,
`/v1/livekit/token`), the app's entry point in front of Litestar's: a token request that is
plainly well formed is answered here with the same collaborators, checks and error table as
the routes in `tokens.py` and `livekit_token.py`, without Litestar's per-request routing,
signature parsing, dependency resolution and response building (most of the CPU a token
cost).

What it answers, it answers exactly as the route would (tests/unit/test_token_path.py sends
one battery of good and bad requests down both ways): authentication and the failure limit
(`auth.py`), the rate limits (`rate_limit.py`), the use cases, and every problem from the one
table (`error_handler.handle_error`). Before anything is spent, anything not plainly good
goes to the router untouched, its body replayed: another method or path, an Idempotency-Key,
a header named twice, a media type other than exactly `application/json`, a body over the
limit, a body that is not strictly its route's type or that may name a key twice. The
router then decides, as it always did. Both ways write their response headers with the same
`ResponseHeaders` (Litestar's one before_send hook, called directly here) and record the
request with the same `RequestObserver.record` (metrics and the access line): a request is
followed in `app.py` (`TokenServiceApp`), this module, `auth.py`, `rate_limit.py` and the
use case, and what it cost in `observability.py`."""

from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from time import perf_counter
from typing import Any

import msgspec
from litestar import Litestar, Request
from litestar._asgi.utils import is_valid_host
from litestar.types import Message, Receive, ReceiveMessage, Scope, Send

from application.authenticate import AuthenticateApiKey
from application.authentication_lockout import AuthenticationLockout
from application.issue_token import IssuedToken, IssueRealtimeToken, IssueTokenCommand
from application.issue_token_idempotently import IssueTokenIdempotently
from application.publishable_keys import AuthenticatePublishableKey
from domain.ports import RateLimiter
from domain.tenant import Principal
from entrypoints.container import Container
from entrypoints.http.auth import bearer_token, secret_key_principal, token_endpoint_principal
from entrypoints.http.error_handler import handle_error
from entrypoints.http.json_body import plainly
from entrypoints.http.livekit_token import STANDARD_PATH
from entrypoints.http.observability import RequestObserver, record_issued
from entrypoints.http.rate_limit import per_client_of_a_publishable_key, per_key, spend
from entrypoints.http.request_id import REQUEST_ID_VAR, accepted_request_id
from entrypoints.http.response_headers import ResponseHeaders
from entrypoints.http.schemas import TokenRequest, TokenResponse
from entrypoints.http.token_source import TokenSourceRequest, TokenSourceResponse, token_command
from entrypoints.http.tokens import REALTIME_PATH, WEBRTC_ALIAS

Headers = dict[bytes, bytes]
_READ = frozenset(
    {
        b"host",
        b"authorization",
        b"content-type",
        b"content-length",
        b"origin",
        b"idempotency-key",
        b"x-request-id",
    }
)


@dataclass(frozen=True, slots=True)
class TokenCollaborators:
    """What the token routes resolve per request, resolved once when the app starts."""

    authenticate: AuthenticateApiKey
    publishable: AuthenticatePublishableKey
    lockout: AuthenticationLockout
    key_limiter: RateLimiter
    client_limiter: RateLimiter
    issue_idempotently: IssueTokenIdempotently
    issue: IssueRealtimeToken

    @classmethod
    def of(cls, container: Container) -> "TokenCollaborators":
        return cls(
            container.authenticate_api_key(),
            container.authenticate_publishable_key(),
            container.authentication_lockout(),
            container.rate_limiter(),
            container.publishable_client_limiter(),
            container.issue_token_idempotently(),
            container.issue_realtime_token(),
        )


def _latin1(headers: Headers, name: bytes) -> str | None:
    value = headers.get(name)
    return None if value is None else value.decode("latin-1")


async def _realtime(
    c: TokenCollaborators, scope: Scope, headers: Headers, data: Any
) -> IssuedToken:
    """`tokens.py`'s route: ApiKeyAuthentication, RateLimit per key, then the handler."""
    principal = await secret_key_principal(
        c.authenticate, c.lockout, scope, _latin1(headers, b"authorization")
    )
    scope["user"], scope["auth"] = principal, principal.api_key_id
    await spend(c.key_limiter, per_key(principal, scope), scope)
    command = IssueTokenCommand(agent_id=data.agent_id, metadata=data.metadata)
    return await c.issue_idempotently(principal, command, None)


async def _livekit(c: TokenCollaborators, scope: Scope, headers: Headers, data: Any) -> IssuedToken:
    """`livekit_token.py`'s route: TokenEndpointAuthentication, the per-address share, the
    per-key limit, then the handler."""
    principal, key = await token_endpoint_principal(
        c.authenticate,
        c.publishable,
        c.lockout,
        scope,
        bearer_token(_latin1(headers, b"authorization")),
        _latin1(headers, b"origin"),
    )
    scope["user"], scope["auth"] = principal, key
    await spend(c.client_limiter, per_client_of_a_publishable_key(principal, scope), scope)
    await spend(c.key_limiter, per_key(principal, scope), scope)
    return await c.issue(principal, token_command(data))


@dataclass(frozen=True, slots=True)
class _Route:
    status: int
    decoder: msgspec.json.Decoder[Any]
    issue: Callable[[TokenCollaborators, Scope, Headers, Any], Awaitable[IssuedToken]]
    view: Callable[[IssuedToken], msgspec.Struct]


_REALTIME = _Route(
    200, msgspec.json.Decoder(TokenRequest, strict=True), _realtime, TokenResponse.of
)
_ROUTES = {
    REALTIME_PATH: _REALTIME,
    WEBRTC_ALIAS: _REALTIME,
    STANDARD_PATH: _Route(
        201,
        msgspec.json.Decoder(TokenSourceRequest, strict=True),
        _livekit,
        TokenSourceResponse.of,
    ),
}
_ENCODE = msgspec.json.Encoder().encode


class TokenPath:
    """The app's entry point (`app.TokenServiceApp`): the token routes' plain requests are
    answered here, observed by the same `RequestObserver` and given their headers by the same
    `ResponseHeaders` as every other answer; everything else goes to Litestar's own entry
    point (before_send hooks, the observer, the router). `start()` (the app's
    start-up) resolves the collaborators, so overrides made before the app starts reach it,
    as they reach the routes."""

    def __init__(
        self,
        app: Litestar,
        collaborators: Callable[[], TokenCollaborators],
        max_body_bytes: int,
        observer: RequestObserver,
        response_headers: ResponseHeaders,
    ) -> None:
        self._app = app
        self._resolve = collaborators
        self._collaborators: TokenCollaborators | None = None
        self._max_body = max_body_bytes
        self._observer = observer
        self._response_headers = response_headers

    def start(self) -> None:
        self._collaborators = self._resolve()

    def stop(self) -> None:
        self._collaborators = None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        started = perf_counter()
        route = _ROUTES.get(scope["path"]) if scope.get("method") == "POST" else None
        collaborators = self._collaborators
        headers = None if route is None or collaborators is None else self._plain_headers(scope)
        if route is None or collaborators is None or headers is None:
            await Litestar.__call__(self._app, scope, receive, send)
            return
        body, received = await self._body(receive)
        data = None if body is None else plainly(body, route.decoder)
        if data is None:
            await Litestar.__call__(self._app, scope, _replaying(received, receive), send)
            return
        scope["path_template"] = scope["path"]
        state = scope.setdefault("state", {})
        state["request_id"] = request_id = accepted_request_id(headers.get(b"x-request-id"))
        bound = REQUEST_ID_VAR.set(request_id)
        status = 500
        try:
            try:
                issued = await route.issue(collaborators, scope, headers, data)
            except Exception as error:
                status = await self._problem(scope, _replaying(received, receive), send, error)
                return
            record_issued(scope, issued, _tenant_of(scope))
            content = _ENCODE(route.view(issued))
            response = [
                (b"cache-control", b"no-store"),
                (b"content-type", b"application/json"),
                (b"content-length", b"%d" % len(content)),
            ]
            self._response_headers.extend_json_answer(response, scope)
            await send({"type": "http.response.start", "status": route.status, "headers": response})
            status = route.status
            await send({"type": "http.response.body", "body": content, "more_body": False})
        finally:
            self._observer.record(scope, status, perf_counter() - started)
            REQUEST_ID_VAR.reset(bound)

    def _plain_headers(self, scope: Scope) -> Headers | None:
        """The few headers these routes read, in one pass; None when the router should decide."""
        seen: Headers = {}
        for name, value in scope["headers"]:
            if name in _READ:
                if name in seen:
                    return None
                seen[name] = value
        length = seen.get(b"content-length")
        if (
            seen.get(b"content-type") != b"application/json"
            or b"idempotency-key" in seen
            or (b"host" in seen and not is_valid_host(seen[b"host"]))
            or (length is not None and (not length.isdigit() or int(length) > self._max_body))
        ):
            return None
        return seen

    async def _body(self, receive: Receive) -> tuple[bytes | None, list[ReceiveMessage]]:
        """The whole body (None: over the limit, or the client left), and what was received."""
        received: list[ReceiveMessage] = []
        chunks: list[bytes] = []
        size = 0
        while True:
            message = await receive()
            received.append(message)
            if message["type"] != "http.request":
                return None, received
            chunks.append(message.get("body", b""))
            size += len(chunks[-1])
            if size > self._max_body:
                return None, received
            if not message.get("more_body", False):
                return chunks[0] if len(chunks) == 1 else b"".join(chunks), received

    async def _problem(self, scope: Scope, receive: Receive, send: Send, error: Exception) -> int:
        """As Litestar's exception middleware answers a route's exception: the one handler,
        its response through the one before_send hook. Returns the status sent."""
        scope["app"] = scope["litestar_app"] = self._app
        request: Request[Any, Any, Any] = Request(scope, receive, send)
        response = handle_error(request, error)
        status = 500

        async def hooked(message: Message) -> None:
            nonlocal status
            await self._response_headers(message, scope)
            if message["type"] == "http.response.start":
                status = message["status"]
            await send(message)

        await response.to_asgi_response(app=None, request=request)(scope, receive, hooked)
        return status


def _tenant_of(scope: Scope) -> str:
    principal: Principal = scope["user"]
    return principal.tenant_id


def _replaying(received: list[ReceiveMessage], receive: Receive) -> Receive:
    """`receive` as if nothing had been read yet."""
    pending = list(received)

    async def replay() -> ReceiveMessage:
        return pending.pop(0) if pending else await receive()

    return replay
