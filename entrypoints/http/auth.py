from collections.abc import Awaitable, Callable
from typing import Any, TypeVar

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp, Scope

from application.authenticate import AuthenticateApiKey
from application.authentication_lockout import AuthenticationLockout
from application.publishable_keys import AuthenticatePublishableKey
from domain.errors import AuthenticationFailed, OriginNotAllowed
from domain.publishable_key import PUBLISHABLE_KEY_PREFIX, PublishableKey
from domain.tenant import KeyKind, Principal
from entrypoints.http.cors import allow_origin

UNKNOWN_CLIENT = "unknown"
T = TypeVar("T")


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, credentials = (authorization or "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


def client_address(scope: Scope) -> str:
    """The peer, as the server saw it: behind a proxy, uvicorn's `--forwarded-allow-ips`
    decides when X-Forwarded-For may replace it."""
    client = scope.get("client")
    return client[0] if client else UNKNOWN_CLIENT


async def guarded(
    lockout: AuthenticationLockout, scope: Scope, authenticate: Callable[[], Awaitable[T]]
) -> T:
    """`authenticate`, unless this client is past its failure limit; a failure counts."""
    client = client_address(scope)
    lockout.check(client)
    try:
        return await authenticate()
    except AuthenticationFailed:
        await lockout.failed(client)
        raise


async def secret_key_principal(
    authenticate: AuthenticateApiKey,
    lockout: AuthenticationLockout,
    scope: Scope,
    authorization: str | None,
) -> Principal:
    """The seed route's authentication, for the middleware and the lean token path alike."""
    presented = bearer_token(authorization)
    return await guarded(lockout, scope, lambda: authenticate(presented))


async def token_endpoint_principal(
    secret: AuthenticateApiKey,
    publishable: AuthenticatePublishableKey,
    lockout: AuthenticationLockout,
    scope: Scope,
    presented: str | None,
    origin: str | None,
    sandbox: bool = False,
) -> tuple[Principal, PublishableKey | None]:
    """LiveKit's token endpoint: a secret key anywhere, or a publishable key from one of its
    origins (the sandbox path takes publishable keys only)."""
    if not sandbox and not (presented or "").startswith(PUBLISHABLE_KEY_PREFIX):
        return await guarded(lockout, scope, lambda: secret(presented)), None
    key = await guarded(lockout, scope, lambda: publishable(presented))
    if not key.allows_origin(origin):
        raise OriginNotAllowed
    if origin is not None:
        allow_origin(scope, origin)
    return Principal(key.tenant_id, key.id, KeyKind.PUBLISHABLE, key.agents), key


class ApiKeyAuthentication(AbstractAuthenticationMiddleware):
    """`Authorization: Bearer <api key>` → the tenant's Principal, before the body is read.
    A client past its failure limit is refused (429) before its key is even looked up."""

    def __init__(
        self,
        app: ASGIApp,
        authenticate: Callable[[], AuthenticateApiKey],
        lockout: Callable[[], AuthenticationLockout],
    ) -> None:
        super().__init__(app)
        self._authenticate = authenticate
        self._lockout = lockout

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        principal = await secret_key_principal(
            self._authenticate(),
            self._lockout(),
            connection.scope,
            connection.headers.get("authorization"),
        )
        return AuthenticationResult(user=principal, auth=principal.api_key_id)


class TokenEndpointAuthentication(AbstractAuthenticationMiddleware):
    """LiveKit's token endpoint takes a publishable key (`Authorization: Bearer rtpk_…`, or
    `X-Sandbox-ID: rtpk_…` on the sandbox path) from a page on one of the key's origins, or a
    secret key (`Bearer rtk_…`) from a tenant's backend, with no origin rules. A refused
    origin is 403; the failure limit per client applies as on every other route."""

    def __init__(
        self,
        app: ASGIApp,
        secret: Callable[[], AuthenticateApiKey],
        publishable: Callable[[], AuthenticatePublishableKey],
        lockout: Callable[[], AuthenticationLockout],
        sandbox_path: str,
    ) -> None:
        super().__init__(app)
        self._secret = secret
        self._publishable = publishable
        self._lockout = lockout
        self._sandbox_path = sandbox_path

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        sandbox = connection.scope["path"] == self._sandbox_path
        headers = connection.headers
        presented = (
            headers.get("x-sandbox-id") if sandbox else bearer_token(headers.get("authorization"))
        )
        principal, key = await token_endpoint_principal(
            self._secret(),
            self._publishable(),
            self._lockout(),
            connection.scope,
            presented,
            headers.get("origin"),
            sandbox,
        )
        return AuthenticationResult(user=principal, auth=key)
