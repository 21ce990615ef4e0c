"""A tenant's webhook endpoint: where its call events are pushed, signed with its secret
(Standard Webhooks), and which event types it wants (none listed: all of them)."""

import base64
import dataclasses
import enum
import ipaddress
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from urllib.parse import urlsplit

from domain.errors import InvalidWebhookEvent, InvalidWebhookUrl
from domain.ids import new_id

SECRET_PREFIX = "whsec_"  # noqa: S105 (a prefix, not a secret)
_SECRET_BYTES = 32
ROTATION_OVERLAP = timedelta(hours=24)
MAX_URL_LENGTH = 2048
_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})


class WebhookEventType(enum.StrEnum):
    CALL_CREATED = "call.created"
    CALL_STARTED = "call.started"
    CALL_ENDED = "call.ended"
    CALL_EXPIRED = "call.expired"


def mint_secret() -> str:
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(_SECRET_BYTES)).decode()


def event_types(names: Iterable[str]) -> tuple[WebhookEventType, ...]:
    """Known types, each once, in the order given; InvalidWebhookEvent names the first
    unknown one."""
    chosen: list[WebhookEventType] = []
    for index, name in enumerate(names):
        try:
            kind = WebhookEventType(name)
        except ValueError:
            raise InvalidWebhookEvent(name, field=f"events[{index}]") from None
        if kind not in chosen:
            chosen.append(kind)
    return tuple(chosen)


def refused_address(address: str) -> bool:
    """Loopback, private, link-local (the cloud metadata address 169.254.169.254 among them),
    multicast, reserved or unspecified: never a tenant's public receiver."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv6Address) and ip.ipv4_mapped is not None:
        ip = ip.ipv4_mapped
    return (
        ip.is_loopback
        or ip.is_private
        or ip.is_link_local
        or ip.is_multicast
        or ip.is_reserved
        or ip.is_unspecified
        or not ip.is_global
    )


def checked_url(url: str, *, allow_private: bool) -> str:
    """An absolute https URL without credentials or fragment (http too when private targets
    are allowed). A literal refused address or a metadata host name is refused here, without
    DNS; names are resolved and checked again at registration and at every send."""
    if len(url) > MAX_URL_LENGTH or not url.isascii() or any(c.isspace() for c in url):
        raise InvalidWebhookUrl("is not an absolute URL of at most 2048 ASCII characters")
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise InvalidWebhookUrl("must use " + " or ".join(schemes))
    try:
        host, _ = parts.hostname, parts.port
    except ValueError:
        raise InvalidWebhookUrl("has an invalid port") from None
    if not host:
        raise InvalidWebhookUrl("has no host")
    if parts.username is not None or parts.password is not None or parts.fragment:
        raise InvalidWebhookUrl("may not carry credentials or a fragment")
    if not allow_private and (host.rstrip(".") in _METADATA_HOSTS or _literal_refused(host)):
        raise InvalidWebhookUrl("points to a private, loopback or metadata address")
    return url


def _literal_refused(host: str) -> bool:
    try:
        return refused_address(host)
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


@dataclass(frozen=True, slots=True)
class WebhookEndpoint:
    id: str
    tenant_id: str
    url: str
    events: tuple[WebhookEventType, ...]
    secret: str
    created_at: datetime
    description: str | None = None
    disabled: bool = False
    disabled_reason: str | None = None
    previous_secret: str | None = None
    previous_secret_until: datetime | None = None

    @classmethod
    def register(
        cls,
        tenant_id: str,
        url: str,
        events: Iterable[str],
        now: datetime,
        *,
        allow_private: bool,
        description: str | None = None,
    ) -> "WebhookEndpoint":
        return cls(
            id=new_id(),
            tenant_id=tenant_id,
            url=checked_url(url, allow_private=allow_private),
            events=event_types(events),
            secret=mint_secret(),
            created_at=now,
            description=description,
        )

    def wants(self, kind: WebhookEventType) -> bool:
        return not self.events or kind in self.events

    def signing_secrets(self, now: datetime) -> list[str]:
        """The current secret and, for ROTATION_OVERLAP after a rotation, the previous one."""
        keeps_previous = self.previous_secret_until is not None and now < self.previous_secret_until
        if keeps_previous and self.previous_secret:
            return [self.secret, self.previous_secret]
        return [self.secret]

    def rotated(self, now: datetime) -> "WebhookEndpoint":
        return dataclasses.replace(
            self,
            secret=mint_secret(),
            previous_secret=self.secret,
            previous_secret_until=now + ROTATION_OVERLAP,
        )
