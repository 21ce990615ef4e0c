from collections.abc import Callable
from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult
from litestar.types import ASGIApp

from application.authenticate import AuthenticateApiKey
from domain.errors import AuthenticationFailed


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, credentials = (authorization or "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


class ApiKeyAuthentication(AbstractAuthenticationMiddleware):
    """`Authorization: Bearer <api key>` → the tenant's Principal, before the body is read."""

    def __init__(self, app: ASGIApp, authenticate: Callable[[], AuthenticateApiKey]) -> None:
        super().__init__(app)
        self._authenticate = authenticate

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        presented = bearer_token(connection.headers.get("authorization"))
        if presented is None:
            raise AuthenticationFailed
        principal = await self._authenticate()(presented)
        return AuthenticationResult(user=principal, auth=principal.api_key_id)
