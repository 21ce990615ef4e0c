from datetime import UTC, datetime, timedelta

import pytest
from standardwebhooks import Webhook
from standardwebhooks.webhooks import WebhookVerificationError

from domain.webhook_endpoint import ROTATION_OVERLAP, WebhookEndpoint
from domain.webhook_signature import signed_headers

BODY = '{"type":"call.created","timestamp":"2026-03-01T09:30:15Z","data":{"id":"c"}}'


def _endpoint() -> WebhookEndpoint:
    return WebhookEndpoint.register(
        "tenant-1", "https://hooks.example.com/", (), datetime.now(UTC), allow_private=False
    )


def test_a_delivery_verifies_with_the_standard_webhooks_library() -> None:
    endpoint = _endpoint()
    now = datetime.now(UTC)

    headers = signed_headers("evt_1", BODY, endpoint.signing_secrets(now), now)

    assert Webhook(endpoint.secret).verify(BODY, headers) == {
        "type": "call.created",
        "timestamp": "2026-03-01T09:30:15Z",
        "data": {"id": "c"},
    }
    assert headers["webhook-id"] == "evt_1"
    assert headers["webhook-timestamp"] == str(int(now.timestamp()))
    assert headers["webhook-signature"].startswith("v1,")


def test_another_secret_or_a_changed_body_does_not_verify() -> None:
    endpoint, other = _endpoint(), _endpoint()
    now = datetime.now(UTC)
    headers = signed_headers("evt_1", BODY, endpoint.signing_secrets(now), now)

    with pytest.raises(WebhookVerificationError):
        Webhook(other.secret).verify(BODY, headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(endpoint.secret).verify(BODY.replace("created", "ended"), headers)


def test_during_a_rotation_both_secrets_verify_then_only_the_new_one() -> None:
    before = _endpoint()
    now = datetime.now(UTC)
    after = before.rotated(now)
    headers = signed_headers("evt_1", BODY, after.signing_secrets(now), now)

    assert after.secret != before.secret
    assert headers["webhook-signature"].count("v1,") == 2
    Webhook(before.secret).verify(BODY, headers)
    Webhook(after.secret).verify(BODY, headers)
    assert after.signing_secrets(now + ROTATION_OVERLAP) == [after.secret]
    assert after.signing_secrets(now + ROTATION_OVERLAP - timedelta(seconds=1)) == [
        after.secret,
        before.secret,
    ]


def test_a_secret_is_whsec_and_base64_of_32_random_bytes() -> None:
    import base64

    secret = _endpoint().secret
    assert secret.startswith("whsec_")
    assert len(base64.b64decode(secret.removeprefix("whsec_"))) == 32
    assert _endpoint().secret != secret
