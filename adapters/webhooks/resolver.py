import asyncio
import socket

RESOLVE_TIMEOUT_SECONDS = 5.0


class DnsResolver:
    """The system resolver, as the HTTP client would use it."""

    async def addresses(self, host: str) -> list[str]:
        try:
            async with asyncio.timeout(RESOLVE_TIMEOUT_SECONDS):
                infos = await asyncio.get_running_loop().getaddrinfo(
                    host, None, type=socket.SOCK_STREAM
                )
        except (OSError, UnicodeError, TimeoutError):
            return []
        return list(dict.fromkeys(str(info[4][0]) for info in infos))
