"""Publishable keys: minting, and the origin and agent rules a key is registered and used with."""

import dataclasses
from datetime import UTC, datetime

import pytest

from domain.api_key import hash_api_key, looks_like_api_key
from domain.errors import InvalidOrigin
from domain.publishable_key import (
    PublishableKey,
    checked_origin_pattern,
    looks_like_publishable_key,
    mint_publishable_key,
)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


def _key(*origins: str, allow_native: bool = False, agents: tuple[str, ...] = ()) -> PublishableKey:
    return mint_publishable_key(
        "tenant-1", origins, agents=agents, allow_native=allow_native, now=NOW
    ).key


def test_a_minted_key_is_shown_once_and_stored_as_its_hash() -> None:
    minted = mint_publishable_key("tenant-1", ["https://shop.example.com"], now=NOW)
    assert minted.plaintext.startswith("rtpk_")
    assert len(minted.plaintext) >= len("rtpk_") + 22  # at least 128 random bits, base64url
    assert looks_like_publishable_key(minted.plaintext)
    assert not looks_like_api_key(minted.plaintext), "a publishable key is never a secret key"
    assert minted.key.key_hash == hash_api_key(minted.plaintext)
    assert minted.plaintext not in repr(minted.key)
    assert minted.key.hint.startswith("rtpk_")
    assert minted.key.hint.endswith(minted.plaintext[-4:])
    assert minted.key.origins == ("https://shop.example.com",)
    assert (minted.key.tenant_id, minted.key.created_at, minted.key.revoked_at) == (
        "tenant-1",
        NOW,
        None,
    )


@pytest.mark.parametrize(
    "candidate",
    ["", "rtpk_", "rtpk_short", "rtk_" + "a" * 43, "rtpk_" + "a" * 42 + "!", " rtpk_" + "a" * 43],
)
def test_only_well_shaped_values_look_like_publishable_keys(candidate: str) -> None:
    assert not looks_like_publishable_key(candidate)


@pytest.mark.parametrize(
    ("given", "stored"),
    [
        ("https://shop.example.com", "https://shop.example.com"),
        ("HTTPS://Shop.Example.COM", "https://shop.example.com"),
        ("http://localhost:3000", "http://localhost:3000"),
        ("https://example.com:443", "https://example.com"),
        ("http://example.com:80", "http://example.com"),
        ("https://example.com:8443", "https://example.com:8443"),
        ("http://127.0.0.1:5173", "http://127.0.0.1:5173"),
        ("http://[::1]:8080", "http://[::1]:8080"),
        ("https://*.example.com", "https://*.example.com"),
        ("https://*.Example.co.uk:8443", "https://*.example.co.uk:8443"),
        ("https://xn--bcher-kva.example", "https://xn--bcher-kva.example"),
    ],
)
def test_registered_origins_are_stored_in_one_canonical_form(given: str, stored: str) -> None:
    assert checked_origin_pattern(given) == stored


@pytest.mark.parametrize(
    "refused",
    [
        "*",
        "https://*",
        "*.example.com",
        "https://*.com",  # a bare TLD: every site under it
        "https://*.*.example.com",
        "https://a.*.example.com",
        "https://*example.com",
        "https://example.*",
        "http://*.example.com",  # a wildcard over plain http is refused too
        "https://example.com/",
        "https://example.com/path",
        "https://example.com?q=1",
        "https://example.com#top",
        "https://user:pw@example.com",
        "https://user@example.com",
        "ftp://example.com",
        "ws://example.com",
        "example.com",
        "//example.com",
        "https://",
        "https://exa mple.com",
        "https://-bad.example.com",
        "https://example..com",
        "https://example.com.",
        "https://example.com:0",
        "https://example.com:65536",
        "https://example.com:",
        "https://*.127.0.0.1",
        "https://bücher.example",
        "https://example.com:\u0664\u0664\u0663",  # Arabic-Indic digits are not a port
        "https://\u212aexample.com",  # KELVIN SIGN lower-cases to an ASCII k
        "https://*.[::1]",
        "null",
        "",
        " https://example.com",
    ],
)
def test_origin_patterns_that_are_not_exact_or_a_subdomain_wildcard_are_refused(
    refused: str,
) -> None:
    with pytest.raises(InvalidOrigin) as raised:
        checked_origin_pattern(refused)
    assert refused[:40] in str(raised.value), "the error names the bad value"


def test_an_exact_origin_matches_itself_case_insensitively_and_with_its_default_port() -> None:
    key = _key("https://shop.example.com", "http://localhost:3000")
    assert key.allows_origin("https://shop.example.com")
    assert key.allows_origin("HTTPS://SHOP.EXAMPLE.COM")
    assert key.allows_origin("https://shop.example.com:443")
    assert key.allows_origin("http://localhost:3000")
    assert key.allows_origin("http://LOCALHOST:3000")


@pytest.mark.parametrize(
    "origin",
    [
        "http://shop.example.com",  # scheme
        "https://shop.example.com:8443",  # port
        "http://localhost",  # port
        "http://localhost:3001",
        "https://shop.example.com/",  # an Origin never has a path, not even a slash
        "https://shop.example.com.evil.test",
        "https://evilshop.example.com",
        "https://a.shop.example.com",  # exact means exact: no subdomains
        "https://example.com",
        "null",  # sandboxed iframes, file:// pages, some redirects
        "",
        "https://user@shop.example.com",
        "https://shop.example.com:\u0664\u0664\u0663",
    ],
)
def test_anything_else_is_not_the_exact_origin(origin: str) -> None:
    assert not _key("https://shop.example.com", "http://localhost:3000").allows_origin(origin)


def test_a_wildcard_matches_subdomains_at_any_depth_but_not_the_domain_itself() -> None:
    key = _key("https://*.example.com")
    assert key.allows_origin("https://shop.example.com")
    assert key.allows_origin("https://a.b.c.example.com")
    assert key.allows_origin("https://Shop.Example.com:443")
    assert not key.allows_origin("https://example.com")
    assert not key.allows_origin("http://shop.example.com")
    assert not key.allows_origin("https://shop.example.com:8443")
    assert not key.allows_origin("https://shopexample.com")
    assert not key.allows_origin("https://example.com.evil.test")
    assert not key.allows_origin("https://shop.example.community")


def test_a_wildcard_with_a_port_wants_that_port() -> None:
    key = _key("https://*.example.com:8443")
    assert key.allows_origin("https://shop.example.com:8443")
    assert not key.allows_origin("https://shop.example.com")


def test_no_origin_is_allowed_only_for_native_apps() -> None:
    assert not _key("https://shop.example.com").allows_origin(None)
    native = _key("https://shop.example.com", allow_native=True)
    assert native.allows_origin(None)
    assert not native.allows_origin("null"), "`null` is an opaque origin, not a native app"


def test_a_native_only_key_needs_no_origin_and_allows_none() -> None:
    key = _key(allow_native=True)
    assert key.origins == ()
    assert key.allows_origin(None)
    assert not key.allows_origin("https://shop.example.com")


def test_a_key_needs_an_origin_unless_it_allows_native_apps() -> None:
    with pytest.raises(InvalidOrigin) as raised:
        mint_publishable_key("tenant-1", [], now=NOW)
    assert raised.value.field == "origins"


def test_a_bad_origin_is_named_by_its_position() -> None:
    with pytest.raises(InvalidOrigin) as raised:
        mint_publishable_key("t", ["https://ok.example.com", "https://bad.example.com/"], now=NOW)
    assert raised.value.field == "origins[1]"
    assert "https://bad.example.com/" in str(raised.value)


def test_origins_and_agents_are_kept_once_in_the_order_given() -> None:
    key = _key(
        "https://b.example.com",
        "HTTPS://B.example.com:443",
        "https://a.example.com",
        agents=("support", "sales", "support"),
    )
    assert key.origins == ("https://b.example.com", "https://a.example.com")
    assert key.agents == ("support", "sales")


def test_a_key_without_agents_may_dispatch_any_and_one_with_agents_only_those() -> None:
    assert _key("https://a.example.com").allows_agent("anything")
    limited = _key("https://a.example.com", agents=("support",))
    assert limited.allows_agent("support")
    assert not limited.allows_agent("sales")
    assert not limited.allows_agent("Support")


def test_a_revoked_key_is_not_usable() -> None:
    key = _key("https://a.example.com")
    assert key.usable
    assert not dataclasses.replace(key, revoked_at=NOW).usable


def test_a_wildcard_pattern_sent_as_an_origin_is_no_origin() -> None:
    minted = mint_publishable_key("t", ["https://*.example.com"], now=datetime.now(UTC))
    assert not minted.key.allows_origin("https://*.example.com")
    assert minted.key.allows_origin("https://a.example.com")
