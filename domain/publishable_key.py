"""Publishable keys: safe to ship in a page's source, so bound to one tenant, to the origins
its pages are served from and, optionally, to some of its agents."""

import ipaddress
import re
import secrets
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime

from domain.api_key import hash_api_key
from domain.errors import InvalidOrigin
from domain.ids import new_id

PUBLISHABLE_KEY_PREFIX = "rtpk_"
_SECRET_BYTES = 32
_PUBLISHABLE_KEY_PATTERN = re.compile(r"^rtpk_[A-Za-z0-9_-]{43}$")
_DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = r"[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?"
_HOST = rf"{_LABEL}(?:\.{_LABEL})*|\[[0-9a-f:.]+\]"
_ORIGIN = re.compile(
    rf"^(?P<scheme>[a-z][a-z0-9+.-]*)://(?P<host>{_HOST})(?::(?P<port>[0-9]{{1,5}}))?$"
)
_WILDCARD = "*."
MAX_ORIGIN_LENGTH = 300


def looks_like_publishable_key(candidate: str) -> bool:
    return _PUBLISHABLE_KEY_PATTERN.fullmatch(candidate) is not None


def canonical_origin(text: str) -> str | None:
    """`scheme://host[:port]`, lower-cased, without a default port; None for anything that is
    not an http(s) origin as a browser serializes one (no path, userinfo, query or fragment)."""
    if len(text) > MAX_ORIGIN_LENGTH or not text.isascii():  # browsers send IDNs as punycode
        return None
    found = _ORIGIN.fullmatch(text.lower())
    if found is None or found["scheme"] not in _DEFAULT_PORTS:
        return None
    host = found["host"]
    if host.startswith("[") and not _is_ipv6(host[1:-1]):
        return None
    port = None if found["port"] is None else int(found["port"])
    if port is not None and not 1 <= port <= 65_535:
        return None
    shown_port = "" if port in (None, _DEFAULT_PORTS[found["scheme"]]) else f":{port}"
    return f"{found['scheme']}://{host}{shown_port}"


def checked_origin_pattern(text: str) -> str:
    """An origin a key may be registered with, in canonical form: an exact origin, or
    `https://*.example.com[:port]` for every subdomain of example.com at any depth (never
    example.com itself). Raises InvalidOrigin naming the value otherwise."""
    if len(text) > MAX_ORIGIN_LENGTH:
        raise InvalidOrigin(text, f"an origin is at most {MAX_ORIGIN_LENGTH} characters")
    wildcard = text.lower().startswith("https://" + _WILDCARD)
    if "*" in (text.replace(_WILDCARD, "", 1) if wildcard else text):
        raise InvalidOrigin(text, "a wildcard is only allowed as https://*.domain")
    exact = canonical_origin(text.replace(_WILDCARD, "", 1) if wildcard else text)
    if exact is None:
        raise InvalidOrigin(
            text, "an origin is scheme://host[:port] with http or https, and nothing after it"
        )
    if not wildcard:
        return exact
    host = exact.removeprefix("https://").rsplit(":", 1)[0]
    labels = host.split(".")
    if host.startswith("[") or len(labels) < 2 or labels[-1].isdigit():  # IPs, bare TLDs
        raise InvalidOrigin(text, "a wildcard needs a domain of at least two labels under it")
    return exact.replace("https://", "https://" + _WILDCARD, 1)


def wildcard_base(pattern: str) -> str | None:
    """The domain under a canonical wildcard pattern (`example.com` for
    `https://*.example.com:8443`); None for an exact origin."""
    rest = pattern.partition("://")[2]
    if not rest.startswith(_WILDCARD):
        return None
    return rest.removeprefix(_WILDCARD).rsplit(":", 1)[0]


def _is_ipv6(text: str) -> bool:
    try:
        ipaddress.IPv6Address(text)
    except ValueError:
        return False
    return True


@dataclass(frozen=True, slots=True)
class PublishableKey:
    """`origins` are canonical patterns (see checked_origin_pattern); `agents` are dispatch
    names, none meaning every agent of the tenant; `allow_native` admits requests without an
    Origin header (native apps), which browsers always send on a cross-origin POST."""

    id: str
    tenant_id: str
    key_hash: str
    hint: str
    origins: tuple[str, ...]
    agents: tuple[str, ...]
    allow_native: bool
    created_at: datetime
    revoked_at: datetime | None = None
    description: str | None = None

    @property
    def usable(self) -> bool:
        return self.revoked_at is None

    def allows_origin(self, origin: str | None) -> bool:
        if origin is None:
            return self.allow_native
        if origin in self.origins and "*" not in origin:  # browsers send canonical origins
            return True
        canonical = canonical_origin(origin)
        if canonical is None:  # includes `null`, the opaque origin of sandboxed pages
            return False
        return any(_matches(pattern, canonical) for pattern in self.origins)

    def allows_agent(self, dispatch_name: str) -> bool:
        return not self.agents or dispatch_name in self.agents


def _matches(pattern: str, origin: str) -> bool:
    scheme, _, rest = pattern.partition("://")
    if not rest.startswith(_WILDCARD):
        return pattern == origin
    # Hosts are validated labels, so a dot-prefixed suffix (port included) is a subdomain.
    return origin.startswith(scheme + "://") and origin.endswith(rest.removeprefix("*"))


@dataclass(frozen=True, slots=True)
class NewPublishableKey:
    """A freshly minted key: the plaintext exists only here and is shown once."""

    key: PublishableKey
    plaintext: str


def mint_publishable_key(
    tenant_id: str,
    origins: Iterable[str],
    *,
    now: datetime,
    agents: Iterable[str] = (),
    allow_native: bool = False,
    description: str | None = None,
) -> NewPublishableKey:
    patterns = _checked_origins(origins)
    if not patterns and not allow_native:
        raise InvalidOrigin("", "a key needs at least one origin unless it allows native apps")
    plaintext = PUBLISHABLE_KEY_PREFIX + secrets.token_urlsafe(_SECRET_BYTES)
    key = PublishableKey(
        id=new_id(),
        tenant_id=tenant_id,
        key_hash=hash_api_key(plaintext),
        hint=plaintext[: len(PUBLISHABLE_KEY_PREFIX) + 4] + "…" + plaintext[-4:],
        origins=patterns,
        agents=tuple(dict.fromkeys(agents)),
        allow_native=allow_native,
        created_at=now,
        description=description,
    )
    return NewPublishableKey(key=key, plaintext=plaintext)


def _checked_origins(origins: Iterable[str]) -> tuple[str, ...]:
    checked: list[str] = []
    for index, origin in enumerate(origins):
        try:
            checked.append(checked_origin_pattern(origin))
        except InvalidOrigin as error:
            raise InvalidOrigin(error.value, error.reason, f"origins[{index}]") from None
    return tuple(dict.fromkeys(checked))
