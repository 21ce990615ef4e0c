import pytest

from domain.webhook_delivery import DEFAULT_RETRY_SECONDS, RetrySchedule
from entrypoints.settings import ConfigurationError, Settings

BASE = {"MONGODB_URI": "mongodb://db.example.com"}


def test_webhook_settings_default_to_the_documented_schedule_and_public_targets() -> None:
    settings = Settings.from_env(BASE)
    assert settings.webhook_allow_private_targets is False
    assert RetrySchedule.parse(settings.webhook_retry_seconds).delays == DEFAULT_RETRY_SECONDS
    assert 2.5 * 86_400 < sum(DEFAULT_RETRY_SECONDS) < 3.5 * 86_400


def test_webhook_settings_are_read_from_the_environment() -> None:
    settings = Settings.from_env(
        {
            **BASE,
            "WEBHOOK_ALLOW_PRIVATE_TARGETS": "true",
            "WEBHOOK_RETRY_SECONDS": "0.05, 0.1",
            "WEBHOOK_TIMEOUT_SECONDS": "0.5",
            "WEBHOOK_CONCURRENCY_PER_ENDPOINT": "2",
        }
    )
    assert settings.webhook_allow_private_targets is True
    assert RetrySchedule.parse(settings.webhook_retry_seconds).delays == (0.05, 0.1)
    assert settings.webhook_timeout_seconds == 0.5
    assert settings.webhook_concurrency_per_endpoint == 2


@pytest.mark.parametrize(
    ("name", "value"),
    [
        ("WEBHOOK_ALLOW_PRIVATE_TARGETS", "maybe"),
        ("WEBHOOK_RETRY_SECONDS", "5,soon"),
        ("WEBHOOK_RETRY_SECONDS", "5,-1"),
        ("WEBHOOK_TIMEOUT_SECONDS", "0"),
        ("WEBHOOK_TIMEOUT_SECONDS", "600"),
        ("WEBHOOK_CONCURRENCY_PER_ENDPOINT", "0"),
    ],
)
def test_a_bad_webhook_setting_is_refused_by_name(name: str, value: str) -> None:
    with pytest.raises(ConfigurationError, match=name):
        Settings.from_env({**BASE, name: value})


def test_webhook_dns_servers_are_addresses_with_an_optional_port() -> None:
    env = {"WEBHOOK_DNS_SERVERS": "127.0.0.1:5353, 9.9.9.9,[::1]:53,2620:fe::fe"}
    assert Settings.from_env(env).webhook_dns_servers == (
        "127.0.0.1:5353",
        "9.9.9.9",
        "[::1]:53",
        "2620:fe::fe",
    )
    assert Settings.from_env({}).webhook_dns_servers == ()
    for bad in ("dns.example.com", "127.0.0.1:0", "[::1]x", "1.2.3.4:99999"):
        with pytest.raises(ConfigurationError):
            Settings.from_env({"WEBHOOK_DNS_SERVERS": bad})
