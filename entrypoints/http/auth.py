from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from application.authenticate import AuthenticateApiKey
from application.authentication_lockout import AuthenticationLockout
from domain.errors import AuthenticationFailed

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
