from typing import Any

from litestar import Request
from litestar.exceptions import ClientException
from litestar.status_codes import HTTP_415_UNSUPPORTED_MEDIA_TYPE


class UnsupportedMediaType(ClientException):
    status_code = HTTP_415_UNSUPPORTED_MEDIA_TYPE


async def require_json(request: Request[Any, Any, Any]) -> None:
    """A before_request hook: runs after authentication and before the body is read."""
    if request.method not in ("POST", "PUT", "PATCH"):
        return
    media_type, _ = request.content_type
    if media_type != "application/json" and not media_type.endswith("+json"):
        raise UnsupportedMediaType(headers={"accept-post": "application/json"})
