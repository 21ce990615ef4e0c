"""A tenant's webhook endpoint: where its call events are pushed, signed with its secret
(Standard Webhooks), and which event types it wants (none listed: all of them)."""

import base64
import dataclasses
import enum
import ipaddress
import re
import secrets
import string
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
MAX_HOST_LENGTH = 253
_METADATA_HOSTS = frozenset({"metadata.google.internal", "metadata", "instance-data"})
# RFC 3986's unreserved and reserved characters and '%': printable ASCII without spaces,
# quotes, angle brackets, braces, backslash, caret, backtick or pipe.
_URL_CHARACTERS = frozenset(string.ascii_letters + string.digits + "-._~:/?#[]@!$&'()*+,;=%")
_BAD_PERCENT = re.compile(r"%(?![0-9A-Fa-f]{2})")
_LABEL = re.compile(r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?")


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


_NAT64 = ipaddress.IPv6Network("64:ff9b::/96")  # the well-known prefix: DNS64 answers in it
_REFUSED_V6 = (
    ipaddress.IPv6Network("64:ff9b:1::/48"),  # local-use NAT64 (RFC 8215): a private translator
    ipaddress.IPv6Network("::/96"),  # IPv4-compatible (deprecated), :: and ::1 among them
    ipaddress.IPv6Network("::ffff:0:0:0/96"),  # SIIT IPv4-translated
)
_ISATAP_IDS = (0x00005EFE, 0x02005EFE)


def refused_address(address: str) -> bool:
    """Loopback, private, link-local (the cloud metadata address 169.254.169.254 among them),
    multicast, reserved or unspecified: never a tenant's public receiver. An IPv6 address
    that carries an IPv4 one (mapped, 6to4, Teredo, NAT64, ISATAP) is refused when that one
    is; local-use NAT64, IPv4-compatible and IPv4-translated forms always are."""
    ip = ipaddress.ip_address(address)
    if isinstance(ip, ipaddress.IPv4Address):
        return _refused(ip)
    if any(ip in network for network in _REFUSED_V6):
        return True
    embedded = _embedded_ipv4(ip)
    if ip in _NAT64 or ip.ipv4_mapped is not None:
        return any(_refused(v4) for v4 in embedded)
    return _refused(ip) or any(_refused(v4) for v4 in embedded)


def _embedded_ipv4(ip: ipaddress.IPv6Address) -> list[ipaddress.IPv4Address]:
    last = ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF)
    if ip.ipv4_mapped is not None:
        return [ip.ipv4_mapped]
    if ip.sixtofour is not None:
        return [ip.sixtofour]
    if ip.teredo is not None:
        return list(ip.teredo)
    if ip in _NAT64 or (int(ip) >> 32) & 0xFFFFFFFF in _ISATAP_IDS:
        return [last]
    return []


def _refused(ip: ipaddress.IPv4Address | ipaddress.IPv6Address) -> bool:
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
    """A plain, canonical absolute https URL (http too when private targets are allowed): at
    most MAX_URL_LENGTH characters of RFC 3986 (no control, whitespace or non-ASCII
    character: a name outside ASCII comes as punycode), well-formed %-escapes, a lower-case
    host name of valid labels or an IP literal, a port (if any) of 1 to 65535, no
    credentials or fragment. A literal refused address or a metadata host name is refused
    here, without DNS; names are resolved and checked again at registration and at every
    send."""
    if len(url) > MAX_URL_LENGTH or not set(url) <= _URL_CHARACTERS or _BAD_PERCENT.search(url):
        raise InvalidWebhookUrl(
            f"is not a plain URL of at most {MAX_URL_LENGTH} characters (printable ASCII, "
            "no spaces or control characters, %-escapes well formed)"
        )
    parts = urlsplit(url)
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes or not url.startswith(parts.scheme + "://"):
        raise InvalidWebhookUrl("must use " + " or ".join(schemes))
    if "@" in parts.netloc or parts.fragment or "#" in url:
        raise InvalidWebhookUrl("may not carry credentials or a fragment")
    host = _canonical_host(parts.netloc)
    if not allow_private and (host.rstrip(".") in _METADATA_HOSTS or _literal_refused(host)):
        raise InvalidWebhookUrl("points to a private, loopback or metadata address")
    return url


def _canonical_host(netloc: str) -> str:
    """The host of `netloc` (brackets removed), once it and the port are canonical."""
    if netloc.startswith("["):
        literal, _, rest = netloc[1:].partition("]")
        try:
            ipaddress.IPv6Address(literal)
        except ValueError:
            raise InvalidWebhookUrl("has an invalid IPv6 address") from None
        host, port = literal, rest
    else:
        host, colon, digits = netloc.partition(":")
        port = colon + digits
        if not _is_ipv4(host) and not _is_host_name(host):
            raise InvalidWebhookUrl(
                "has an invalid host: lower-case letters, digits and hyphens in labels of at "
                "most 63, a name outside ASCII as punycode (xn--)"
            )
    if port and not (port[0] == ":" and port[1:].isdigit() and 0 < int(port[1:]) <= 65535):
        raise InvalidWebhookUrl("has an invalid port")
    return host


def _is_ipv4(host: str) -> bool:
    try:
        ipaddress.IPv4Address(host)
    except ValueError:
        return False
    return True


def _is_host_name(host: str) -> bool:
    """Labels of RFC 1123, the last one not all digits (`2130706433` or `0x7f.1` would be
    read as an address by some resolvers)."""
    labels = host.removesuffix(".").split(".")
    return (
        0 < len(host) <= MAX_HOST_LENGTH
        and all(_LABEL.fullmatch(label) for label in labels)
        and not labels[-1].isdigit()
    )


def _literal_refused(host: str) -> bool:
    try:
        return refused_address(host)
    except ValueError:
        return host == "localhost" or host.endswith(".localhost")


def host_of(url: str) -> str:
    return urlsplit(url).hostname or ""


@dataclass(frozen=True, slots=True)
class EndpointUpdate:
    """The fields one change sets, each alone (None leaves it as stored): `disabled` sets
    `disabled_reason` with it, and re-enabling ends a failing streak."""

    url: str | None = None
    events: tuple[WebhookEventType, ...] | None = None
    description: str | None = None
    disabled: bool | None = None
    disabled_reason: str | None = None

    def fields(self) -> dict[str, object]:
        """Attribute name → new value, only for what changes."""
        changed: dict[str, object] = {
            name: value
            for name, value in (
                ("url", self.url),
                ("events", self.events),
                ("description", self.description),
            )
            if value is not None
        }
        if self.disabled is not None:
            changed["disabled"] = self.disabled
            changed["disabled_reason"] = self.disabled_reason if self.disabled else None
            if not self.disabled:
                changed["failing_since"] = None
        return changed


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
    failing_since: datetime | None = None

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

    def failing_for(self, now: datetime) -> timedelta:
        """How long every attempt to it has failed (zero when the last one succeeded)."""
        return timedelta(0) if self.failing_since is None else now - self.failing_since

    def rotated(self, now: datetime) -> "WebhookEndpoint":
        return dataclasses.replace(
            self,
            secret=mint_secret(),
            previous_secret=self.secret,
            previous_secret_until=now + ROTATION_OVERLAP,
        )
