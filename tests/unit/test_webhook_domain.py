from datetime import UTC, datetime, timedelta

import pytest

from domain.errors import InvalidWebhookEvent, InvalidWebhookUrl
from domain.webhook_delivery import (
    Attempt,
    DeliveryStatus,
    RetrySchedule,
    WebhookDelivery,
    WebhookEvent,
)
from domain.webhook_endpoint import (
    WebhookEndpoint,
    WebhookEventType,
    checked_url,
    event_types,
    refused_address,
)

NOW = datetime(2026, 3, 1, 9, 30, tzinfo=UTC)


@pytest.mark.parametrize(
    "address",
    [
        "127.0.0.1",
        "10.0.0.1",
        "172.16.5.4",
        "192.168.0.1",
        "169.254.169.254",
        "100.100.100.200",
        "224.0.0.1",
        "0.0.0.0",  # noqa: S104 (an address refused, not bound)
        "::1",
        "fe80::1",
        "fd00:ec2::254",
        "::ffff:127.0.0.1",
    ],
)
def test_non_public_addresses_are_refused(address: str) -> None:
    assert refused_address(address)


@pytest.mark.parametrize("address", ["93.184.215.14", "2606:4700::1111"])
def test_public_addresses_are_allowed(address: str) -> None:
    assert not refused_address(address)


def test_private_targets_allow_http_and_loopback_only_when_asked() -> None:
    assert checked_url("http://127.0.0.1:8080/hook", allow_private=True)
    with pytest.raises(InvalidWebhookUrl):
        checked_url("http://127.0.0.1:8080/hook", allow_private=False)
    with pytest.raises(InvalidWebhookUrl):
        checked_url("ftp://hooks.example.com/", allow_private=True)
    with pytest.raises(InvalidWebhookUrl):
        checked_url("https://hooks.example.com:99999/", allow_private=False)


def test_unknown_event_types_are_named_by_position() -> None:
    assert event_types(["call.ended", "call.ended", "call.created"]) == (
        WebhookEventType.CALL_ENDED,
        WebhookEventType.CALL_CREATED,
    )
    with pytest.raises(InvalidWebhookEvent) as refused:
        event_types(["call.ended", "call.paused"])
    assert refused.value.field == "events[1]"


def _delivery() -> WebhookDelivery:
    endpoint = WebhookEndpoint.register(
        "t", "https://hooks.example.com/", (), NOW, allow_private=False
    )
    event = WebhookEvent("evt_1", "t", WebhookEventType.CALL_CREATED, NOW, {"id": "c"})
    return WebhookDelivery.of(event, endpoint)


def test_failures_are_retried_on_the_schedule_then_fail() -> None:
    schedule = RetrySchedule((5, 300), jitter=0)
    delivery = _delivery()
    first = delivery.after_attempt(Attempt(NOW, 10, status_code=500), schedule)
    second = first.after_attempt(Attempt(NOW, 10, error="timeout"), schedule)
    third = second.after_attempt(Attempt(NOW, 10, status_code=502), schedule)

    assert first.next_attempt_at == NOW + timedelta(seconds=5)
    assert second.next_attempt_at == NOW + timedelta(seconds=300)
    assert (third.status, third.next_attempt_at) == (DeliveryStatus.FAILED, None)


def test_a_2xx_delivers_and_410_fails_at_once() -> None:
    schedule = RetrySchedule((5,), jitter=0)
    delivered = _delivery().after_attempt(Attempt(NOW, 1, status_code=299), schedule)
    gone = _delivery().after_attempt(Attempt(NOW, 1, status_code=410), schedule)
    assert (delivered.status, delivered.next_attempt_at) == (DeliveryStatus.DELIVERED, None)
    assert (gone.status, gone.next_attempt_at) == (DeliveryStatus.FAILED, None)


def test_jitter_only_stretches_a_delay_by_up_to_its_share() -> None:
    schedule = RetrySchedule((100,), jitter=0.1)
    delays = {(schedule.after(1, NOW) or NOW) - NOW for _ in range(50)}
    assert all(timedelta(seconds=100) <= d <= timedelta(seconds=110) for d in delays)
    assert len(delays) > 1


@pytest.mark.parametrize(
    "url",
    [
        "https://93.184.215.14/\u001b[2J",  # a terminal escape: httpx refuses it at send time
        "https://hooks.example.com/\x00",
        "https://hooks.example.com/a\x7fb",
        "https://hooks.example.com/\tin",
        "https://hooks.example.com/in\r\nX-Injected: 1",
        "https://hooks.exa mple.com/",
        "https://hööks.example.com/",
        "https://hooks.example.com/ä",
        "https://HOOKS.example.com/in",  # not canonical: hosts are lower case
        "https://hooks..example.com/",
        "https://-hooks.example.com/",
        "https://hooks_x.example.com/",
        "https://hooks.example.com\\@evil.example/",
        "https://hooks.example.com/%zz",
        "https://hooks.example.com/<script>",
        "https://hooks.example.com/{x}",
        "https://hooks.example.com:0/",
        "https://hooks.example.com:/",
        "https:/hooks.example.com/",
        "https://hooks.example.com/" + "a" * 2048,
        "https://" + "a" * 64 + ".example.com/",
    ],
)
def test_urls_that_are_not_plain_canonical_https_are_refused(url: str) -> None:
    with pytest.raises(InvalidWebhookUrl):
        checked_url(url, allow_private=False)


@pytest.mark.parametrize(
    "url",
    [
        "https://hooks.example.com/in",
        "https://hooks.example.com:8443/in?tenant=a&x=%20y#",
        "https://xn--hks-qla.example.com/in",  # punycode is plain ASCII
        "https://93.184.215.14/",
        "https://[2606:4700::1111]/hook",
        "https://hooks.example.com./trailing-dot",
        "https://a.example/~user/p;x=1/@:!$&'()*+,=",
    ],
)
def test_plain_https_urls_are_accepted(url: str) -> None:
    assert checked_url(url.removesuffix("#"), allow_private=False) == url.removesuffix("#")


@pytest.mark.parametrize(
    "address",
    [
        "2002:7f00:1::",  # 6to4 of 127.0.0.1 (Python's ipaddress calls it global)
        "2002:a9fe:a9fe::",  # 6to4 of the metadata address 169.254.169.254
        "2002:a00:1::1",  # 6to4 of 10.0.0.1
        "2001:0:4136:e378:8000:63bf:80ff:fffe",  # Teredo, client 127.0.0.1
        "2001:0:a00:1:8000:63bf:a245:280f",  # Teredo, server 10.0.0.1
        "64:ff9b::7f00:1",  # NAT64 of 127.0.0.1
        "64:ff9b::a9fe:a9fe",  # NAT64 of 169.254.169.254
        "64:ff9b:1::5db8:d70e",  # local-use NAT64 (RFC 8215): a private translator
        "::7f00:1",  # IPv4-compatible (deprecated), 127.0.0.1
        "::5db8:d70e",  # IPv4-compatible, even of a public address
        "::ffff:0:5db8:d70e",  # SIIT IPv4-translated
        "2606:4700::5efe:7f00:1",  # ISATAP interface id of 127.0.0.1
        "2606:4700::200:5efe:a9fe:a9fe",  # ISATAP (universal bit) of 169.254.169.254
        "::ffff:a9fe:a9fe",  # IPv4-mapped metadata address
    ],
)
def test_tunnelled_forms_of_non_public_addresses_are_refused(address: str) -> None:
    assert refused_address(address)
    with pytest.raises(InvalidWebhookUrl):
        checked_url(f"https://[{address}]/hook", allow_private=False)


@pytest.mark.parametrize(
    "address",
    [
        "2002:5db8:d70e::1",  # 6to4 of 93.184.215.14
        "64:ff9b::5db8:d70e",  # DNS64/NAT64 of a public address: how IPv6-only hosts reach it
        "2606:4700::5efe:5db8:d70e",  # ISATAP of a public address
    ],
)
def test_tunnelled_forms_of_public_addresses_are_allowed(address: str) -> None:
    assert not refused_address(address)
