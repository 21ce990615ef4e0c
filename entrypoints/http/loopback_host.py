import ipaddress
import re
from typing import Any

from litestar.connection import ASGIConnection
from litestar.exceptions import ClientException
from litestar.handlers.base import BaseRouteHandler
from litestar.status_codes import HTTP_421_MISDIRECTED_REQUEST


class HostNotAllowed(ClientException):
    status_code = HTTP_421_MISDIRECTED_REQUEST


_HOST = re.compile(r"(?:\[(?P<ipv6>[^\]]+)\]|(?P<name>[^:\[\]]+))(?::\d+)?")


def is_loopback_host(host: str) -> bool:
    """`localhost`, a loopback address or `[::1]`, each with an optional numeric port."""
    parsed = _HOST.fullmatch(host.lower())
    if parsed is None:
        return False
    name = parsed["ipv6"] or parsed["name"]
    if name == "localhost":
        return True
    try:
        return ipaddress.ip_address(name).is_loopback
    except ValueError:
        return False


def loopback_host_only(connection: ASGIConnection[Any, Any, Any, Any], _: BaseRouteHandler) -> None:
    """A guard: a DNS-rebinding page reaches 127.0.0.1 under its own host name, so it gets
    nothing from routes that act without an API key."""
    if not is_loopback_host(connection.headers.get("host", "")):
        raise HostNotAllowed
