from typing import Any

from litestar.connection import ASGIConnection
from litestar.middleware import AbstractAuthenticationMiddleware, AuthenticationResult

from application.authenticate import AuthenticateApiKey
from domain.errors import AuthenticationFailed, RateLimited
from domain.ports import RateLimiter
from entrypoints.http.rate_limit import remember


def bearer_token(authorization: str | None) -> str | None:
    scheme, _, credentials = (authorization or "").partition(" ")
    return credentials.strip() or None if scheme.lower() == "bearer" else None


class ApiKeyAuthentication(AbstractAuthenticationMiddleware):
    """`Authorization: Bearer <api key>` → the tenant's Principal, before the body is read;
    then one hit on the key's rate limit (429 past it)."""

    async def authenticate_request(
        self, connection: ASGIConnection[Any, Any, Any, Any]
    ) -> AuthenticationResult:
        authenticate: AuthenticateApiKey = connection.app.state.authenticate_api_key
        limiter: RateLimiter = connection.app.state.rate_limiter
        presented = bearer_token(connection.headers.get("authorization"))
        if presented is None:
            raise AuthenticationFailed
        principal = await authenticate(presented)
        decision = await limiter.hit(principal.api_key_id)
        if decision is not None:
            remember(connection.scope, decision)
            if not decision.allowed:
                raise RateLimited(decision.reset_seconds)
        return AuthenticationResult(user=principal, auth=principal.api_key_id)
