from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from application.authenticate import AuthenticateApiKey
from domain.errors import AuthenticationFailed


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, credentials = (authorization or "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


class ApiKeyAuthentication(AbstractAuthenticationMiddleware):
    """`Authorization: Bearer <api key>` → the tenant's Principal, before the body is read."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        authenticate: AuthenticateApiKey = connection.app.state.authenticate_api_key
        presented = bearer_token(connection.headers.get("authorization"))
        if presented is None:
            raise AuthenticationFailed
        principal = await authenticate(presented)
        return AuthenticationResult(user=principal, auth=principal.api_key_id)
