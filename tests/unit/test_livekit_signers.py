"""The production signer writes LiveKit's claims itself; livekit-api's AccessToken is the
reference it must match, claim for claim, as LiveKit's own verifier reads them."""

import dataclasses
from datetime import UTC, datetime, timedelta

import jwt
import pytest
from livekit.api import TokenVerifier

from adapters.livekit.issuer import LiveKitTokenIssuer
from domain.agent import Agent
from domain.call import Call
from domain.caller_permissions import CallerPermissions
from domain.participant import Participant
from tests.fakes.access_token_issuer import AccessTokenIssuer
from tests.support.world import TEST_LIVEKIT

DISPATCH_NAMES = ["support-agent", "a", "Agent_7.v2-eu", "x" * 128]


def _call_and_agent(dispatch_name: str, now: datetime) -> tuple[Call, Agent]:
    agent = Agent.create("tenant-1", "Support", dispatch_name, now)
    call = Call.queue_webrtc(
        tenant_id="tenant-1",
        agent_id=agent.id,
        metadata={"user_id": "usr_456"},
        now=now,
        join_window=timedelta(seconds=600),
    )
    return call, agent


def _both_tokens(dispatch_name: str) -> tuple[str, str]:
    now = datetime.now(UTC).replace(microsecond=123000)
    call, agent = _call_and_agent(dispatch_name, now)
    fast = LiveKitTokenIssuer(TEST_LIVEKIT).issue(call, agent).token
    reference = AccessTokenIssuer(TEST_LIVEKIT).issue(call, agent).token
    return fast, reference


@pytest.mark.parametrize("dispatch_name", DISPATCH_NAMES)
def test_livekits_verifier_reads_the_same_claims_from_both_signers(dispatch_name: str) -> None:
    fast, reference = _both_tokens(dispatch_name)
    verifier = TokenVerifier(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret)

    assert verifier.verify(fast) == verifier.verify(reference)


@pytest.mark.parametrize("dispatch_name", DISPATCH_NAMES)
def test_both_signers_write_the_same_header_and_raw_claims(dispatch_name: str) -> None:
    fast, reference = _both_tokens(dispatch_name)

    def decoded(token: str) -> object:
        return jwt.decode(
            token,
            TEST_LIVEKIT.api_secret,
            algorithms=["HS256"],
            issuer=TEST_LIVEKIT.api_key,
            options={"require": ["exp", "nbf", "sub", "iss"]},
        )

    assert jwt.get_unverified_header(fast) == jwt.get_unverified_header(reference)
    assert decoded(fast) == decoded(reference)


@pytest.mark.parametrize(
    "permissions",
    [
        CallerPermissions(),
        CallerPermissions(("microphone", "camera", "screen_share", "screen_share_audio"), True),
        CallerPermissions(("camera",), can_publish_data=True),
    ],
)
def test_both_signers_grant_the_agents_caller_permissions_alike(
    permissions: CallerPermissions,
) -> None:
    now = datetime.now(UTC)
    call, agent = _call_and_agent("support-agent", now)
    agent = dataclasses.replace(agent, caller_permissions=permissions)
    verifier = TokenVerifier(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret)

    fast = verifier.verify(LiveKitTokenIssuer(TEST_LIVEKIT).issue(call, agent).token)
    reference = verifier.verify(AccessTokenIssuer(TEST_LIVEKIT).issue(call, agent).token)

    assert fast == reference
    assert fast.video is not None
    assert fast.video.can_publish_sources == list(permissions.can_publish_sources)
    assert fast.video.can_publish_data is permissions.can_publish_data


@pytest.mark.parametrize(
    "participant",
    [
        Participant(name="Ada Lovelace"),
        Participant(name="Ada", metadata='{"plan":"pro"}', attributes={"team": "blue"}),
        Participant(identity="user-42@example", attributes={"lang": "en", "tier": "gold"}),
    ],
)
def test_both_signers_carry_what_the_caller_said_about_itself_alike(
    participant: Participant,
) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    agent = Agent.create("tenant-1", "Support", "support-agent", now)
    call = Call.queue_webrtc(
        tenant_id="tenant-1",
        agent_id=agent.id,
        metadata={},
        now=now,
        join_window=timedelta(seconds=600),
        participant=participant,
    )
    verifier = TokenVerifier(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret)

    fast = verifier.verify(LiveKitTokenIssuer(TEST_LIVEKIT).issue(call, agent).token)
    reference = verifier.verify(AccessTokenIssuer(TEST_LIVEKIT).issue(call, agent).token)

    assert fast == reference
    assert fast.identity == (participant.identity or f"caller_{call.id}")
    assert fast.name == (participant.name or "")
    assert fast.attributes == {**participant.attributes, "call_id": call.id, "agent_id": agent.id}
    if participant.metadata:
        assert fast.metadata == participant.metadata
