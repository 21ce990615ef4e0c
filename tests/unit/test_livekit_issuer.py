import json
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from livekit.api import TokenVerifier

from adapters.livekit.issuer import CLOCK_SKEW_ALLOWANCE, LiveKitTokenIssuer
from adapters.livekit.settings import LiveKitSettings
from domain.agent import Agent
from domain.call import Call
from tests.fakes.access_token_issuer import AccessTokenIssuer
from tests.support.world import TEST_LIVEKIT


def _call_and_agent(now: datetime) -> tuple[Call, Agent]:
    agent = Agent.create("tenant-1", "Support", "support-agent", now)
    call = Call.queue_webrtc(
        tenant_id="tenant-1",
        agent_id=agent.id,
        metadata={"user_id": "usr_456", "secret_note": "for the backend only"},
        now=now,
        join_window=timedelta(seconds=600),
    )
    return call, agent


@pytest.fixture
def now() -> datetime:
    return datetime.now(UTC).replace(microsecond=0)


def test_token_is_accepted_by_livekits_verifier_with_the_right_grants(now: datetime) -> None:
    call, agent = _call_and_agent(now)
    signed = LiveKitTokenIssuer(TEST_LIVEKIT).issue(call, agent)

    claims = TokenVerifier(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret).verify(signed.token)

    assert signed.server_url == TEST_LIVEKIT.url
    assert claims.identity == call.participant_identity
    assert claims.video is not None
    assert claims.video.room_join is True
    assert claims.video.room == call.room_name
    assert not claims.video.room_admin
    assert not claims.video.room_create
    assert claims.room_config is not None
    [dispatch] = claims.room_config.agents
    assert dispatch.agent_name == "support-agent"
    assert json.loads(dispatch.metadata) == {
        "call_id": call.id,
        "agent_id": agent.id,
        "room_name": call.room_name,
        "type": "webrtc",
    }
    assert claims.attributes == {"call_id": call.id, "agent_id": agent.id}
    assert json.loads(claims.metadata) == {"call_id": call.id, "agent_id": agent.id}


@pytest.mark.parametrize("issuer", [LiveKitTokenIssuer, AccessTokenIssuer])
def test_a_caller_may_publish_a_microphone_only_and_no_data_by_default(
    now: datetime, issuer: type[LiveKitTokenIssuer | AccessTokenIssuer]
) -> None:
    call, agent = _call_and_agent(now)
    token = issuer(TEST_LIVEKIT).issue(call, agent).token

    video = TokenVerifier(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret).verify(token).video

    assert video is not None
    assert video.can_publish_sources == ["microphone"]
    assert video.can_publish_data is False


def test_registered_claims_follow_livekits_rules(now: datetime) -> None:
    call, agent = _call_and_agent(now)
    token = LiveKitTokenIssuer(TEST_LIVEKIT).issue(call, agent).token

    header = jwt.get_unverified_header(token)
    raw = jwt.decode(token, options={"verify_signature": False})

    assert header["alg"] == "HS256"
    assert raw["iss"] == TEST_LIVEKIT.api_key
    assert raw["sub"] == call.participant_identity
    assert raw["exp"] == int(call.expires_at.timestamp())
    assert raw["nbf"] == int((call.created_at - CLOCK_SKEW_ALLOWANCE).timestamp())


def test_the_browser_readable_token_carries_no_tenant_data_or_secrets(now: datetime) -> None:
    call, agent = _call_and_agent(now)
    token = LiveKitTokenIssuer(TEST_LIVEKIT).issue(call, agent).token
    payload = json.dumps(jwt.decode(token, options={"verify_signature": False}))

    for private in ("usr_456", "for the backend only", "tenant-1", TEST_LIVEKIT.api_secret):
        assert private not in payload


def test_a_token_signed_with_another_secret_is_rejected(now: datetime) -> None:
    call, agent = _call_and_agent(now)
    token = LiveKitTokenIssuer(TEST_LIVEKIT).issue(call, agent).token
    with pytest.raises(jwt.InvalidSignatureError):
        TokenVerifier(TEST_LIVEKIT.api_key, "another-secret-of-sufficient-length!!").verify(token)


def test_an_expired_join_window_is_rejected_by_livekit() -> None:
    long_ago = datetime.now(UTC) - timedelta(hours=1)
    call, agent = _call_and_agent(long_ago)
    token = LiveKitTokenIssuer(TEST_LIVEKIT).issue(call, agent).token
    with pytest.raises(jwt.ExpiredSignatureError):
        TokenVerifier(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret).verify(token)


@pytest.mark.parametrize(
    ("settings", "problem"),
    [
        (LiveKitSettings(), "LIVEKIT_URL, LIVEKIT_API_KEY, LIVEKIT_API_SECRET not set"),
        (LiveKitSettings("wss://lk.example", "key", " "), "LIVEKIT_API_SECRET not set"),
        (LiveKitSettings("livekit.example", "key", "secret"), "LIVEKIT_URL is not"),
        (LiveKitSettings("ftp://lk.example", "key", "secret"), "LIVEKIT_URL is not"),
    ],
)
def test_configuration_problems_name_the_variable(settings: LiveKitSettings, problem: str) -> None:
    found = LiveKitTokenIssuer(settings).configuration_problem()
    assert found is not None
    assert found.startswith(problem)


def test_settings_never_show_the_secret() -> None:
    assert TEST_LIVEKIT.api_secret not in repr(TEST_LIVEKIT)
    assert LiveKitTokenIssuer(TEST_LIVEKIT).configuration_problem() is None
