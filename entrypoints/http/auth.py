from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from application.authenticate import AuthenticateApiKey
from application.authentication_lockout import AuthenticationLockout
from application.publishable_keys import AuthenticatePublishableKey
from domain.errors import AuthenticationFailed, OriginNotAllowed
from domain.publishable_key import PUBLISHABLE_KEY_PREFIX
from domain.tenant import KeyKind, Principal
from entrypoints.http.cors import allow_origin

UNKNOWN_CLIENT = "unknown"


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, credentials = (authorization or "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


def client_address(connection: ASGIConnection[Any, Any, Any, Any]) -> str:
    """The peer, as the server saw it: behind a proxy, uvicorn's `--forwarded-allow-ips`
    decides when X-Forwarded-For may replace it."""
    return connection.client.host if connection.client else UNKNOWN_CLIENT


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
        client = client_address(connection)
        lockout = self._lockout()
        lockout.check(client)
        try:
            presented = bearer_token(connection.headers.get("authorization"))
            principal = await self._authenticate()(presented)
        except AuthenticationFailed:
            await lockout.failed(client)
            raise
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
        client = client_address(connection)
        lockout = self._lockout()
        lockout.check(client)
        sandbox = connection.scope["path"] == self._sandbox_path
        headers = connection.headers
        presented = (
            headers.get("x-sandbox-id") if sandbox else bearer_token(headers.get("authorization"))
        )
        try:
            if sandbox or (presented or "").startswith(PUBLISHABLE_KEY_PREFIX):
                key = await self._publishable()(presented)
            else:
                principal = await self._secret()(presented)
                return AuthenticationResult(user=principal, auth=None)
        except AuthenticationFailed:
            await lockout.failed(client)
            raise
        origin = headers.get("origin")
        if not key.allows_origin(origin):
            raise OriginNotAllowed
        if origin is not None:
            allow_origin(connection.scope, origin)
        principal = Principal(key.tenant_id, key.id, KeyKind.PUBLISHABLE, key.agents)
        return AuthenticationResult(user=principal, auth=key)
