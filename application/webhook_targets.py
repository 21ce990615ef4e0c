from domain.errors import InvalidWebhookUrl
from domain.ports import HostResolver
from domain.webhook_endpoint import checked_url, host_of, refused_address


class WebhookTargets:
    """Where a webhook may go: the URL's shape (https only, unless private targets are
    allowed), then every address its host resolves to now, none of them loopback, private,
    link-local, multicast or metadata. Checked at registration and again before every send,
    since a DNS answer may change in between; `addresses` are the ones to connect to."""

    def __init__(self, resolver: HostResolver, allow_private: bool) -> None:
        self._resolver = resolver
        self.allow_private = allow_private

    def shape(self, url: str) -> str:
        return checked_url(url, allow_private=self.allow_private)

    async def addresses(self, url: str) -> list[str]:
        host = host_of(self.shape(url))
        found = await self._resolver.addresses(host)
        if not found:
            raise InvalidWebhookUrl("its host does not resolve")
        if not self.allow_private and any(refused_address(a) for a in found):
            raise InvalidWebhookUrl("resolves to a private, loopback or metadata address")
        return found
