"""Micro-benchmark: one join token from livekit-api's AccessToken (the reference issuer)
against our direct HS256 signer (the production issuer). `python -m benchmarks.signing`."""

import json
import timeit
from datetime import UTC, datetime, timedelta

from adapters.livekit.issuer import LiveKitTokenIssuer
from adapters.livekit.settings import LiveKitSettings
from domain.agent import Agent
from domain.call import Call
from domain.ports import TokenIssuer
from tests.fakes.access_token_issuer import AccessTokenIssuer

SETTINGS = LiveKitSettings(
    url="wss://livekit.bench.invalid",
    api_key="APIbenchkey",
    api_secret="bench-secret-that-is-long-enough-for-hs256",
)


def _per_token_us(issuer: TokenIssuer, call: Call, agent: Agent, number: int) -> float:
    best = min(timeit.repeat(lambda: issuer.issue(call, agent), number=number, repeat=5))
    return round(best / number * 1e6, 2)


def measure_signers(number: int = 5_000) -> dict[str, float]:
    now = datetime.now(UTC)
    agent = Agent.create("tenant", "Support", "support-agent", now)
    call = Call.queue_webrtc(
        tenant_id="tenant",
        agent_id=agent.id,
        metadata={},
        now=now,
        join_window=timedelta(seconds=600),
    )
    access_token = _per_token_us(AccessTokenIssuer(SETTINGS), call, agent, number)
    direct = _per_token_us(LiveKitTokenIssuer(SETTINGS), call, agent, number)
    return {
        "access_token_us": access_token,
        "direct_hs256_us": direct,
        "speedup": round(access_token / direct, 1),
    }


if __name__ == "__main__":
    print(json.dumps(measure_signers(), indent=2))
