"""The LiveKit stand-in itself, with the real livekit-client in Chromium and tokens signed
here: a whole call with the scripted agent on loopback only, and what livekit-server
refuses (issue 17, items 1, 2 and 6)."""

import http.server
import threading
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
from livekit.api import (
    AccessToken,
    RoomAgentDispatch,
    RoomConfiguration,
    TokenVerifier,
    VideoGrants,
    WebhookReceiver,
)
from livekit.protocol import rtc
from websockets.sync.client import ClientConnection, connect

from tests.browser.call_pages import agent_states, call_page, entries, hold_call
from tests.livekit_standin import (
    AgentScript,
    CallRpc,
    DeleteRoom,
    Hear,
    LiveKitStandIn,
    Reason,
    Say,
    State,
    Wait,
    WaitForAudio,
)
from tests.livekit_standin.fixture import StartStandIn
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.browser
SCRIPT = AgentScript(
    steps=(
        State("listening"),
        WaitForAudio(10),
        State("thinking"),
        Hear(("I", "I need"), "I need help"),
        State("speaking"),
        Say("Hello, how can I help you today?"),
        CallRpc("show_card", "42"),
        State("listening"),
        Wait(0.5),
        DeleteRoom(),
    ),
    rpc_methods={"lookup": lambda payload: f"found {payload}"},
)


def token(room: str, identity: str = "caller_1", agent: str | None = "desk", **grants: Any) -> str:
    access = AccessToken(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret).with_identity(identity)
    access = access.with_grants(VideoGrants(room_join=grants.get("room_join", True), room=room))
    if agent is not None:
        access = access.with_room_config(
            RoomConfiguration(agents=[RoomAgentDispatch(agent_name=agent)])
        )
    return access.to_jwt()


@pytest.fixture
def page_with(livekit_standin: StartStandIn) -> Iterator[Any]:
    """(stand-in, page URL, plan) for a page whose backend hands out `tokens[0]`."""
    standin = livekit_standin(agents={"desk": SCRIPT})
    tokens: list[str] = []
    with call_page(lambda: {"server_url": standin.url, "client_token": tokens[0]}) as page:
        plan = {"backend": page.replace("/call.html", "/backend"), "timeoutMs": 30000}
        yield standin, page, plan, tokens


@pytest.mark.timeout(120)
def test_a_whole_call_with_the_scripted_agent_stays_on_loopback(
    browser_tools: str, page_with: Any, loopback_network: bool
) -> None:
    standin, page, plan, tokens = page_with
    tokens.append(token("webrtc_1"))

    seen = hold_call(browser_tools, page, {**plan, "rpcToAgent": "lookup"})

    agent = standin.agent("webrtc_1")
    assert agent.error is None
    assert agent.hearing["caller_1"].heard, "the fake microphone's beep reached the stand-in"
    assert [e["agent"] for e in entries(seen, "participant")] == [True]
    assert agent_states(seen) == [
        "listening",
        "thinking",
        "speaking",
        "listening",
    ]
    assert entries(seen, "level"), "the agent's tone was heard through WebAudio"
    said = [
        (e["from"], e["text"], e["attributes"]["lk.transcription_final"])
        for e in entries(seen, "transcript")
    ]
    assert said == [
        ("caller_1", "I", "false"),
        ("caller_1", "I need", "false"),
        ("caller_1", "I need help", "true"),
        (agent.identity, "Hello, how can I help you today?", "true"),
    ]
    [heard, *_] = entries(seen, "transcript")
    assert heard["attributes"]["lk.transcribed_track_id"] == agent.hearing_track("caller_1")
    assert [e["payload"] for e in entries(seen, "rpc_in")] == ["42"]
    assert agent.rpc_answers == {"show_card": "shown 42"}
    assert [e["answer"] for e in entries(seen, "rpc_answer")] == ["found ping"]
    assert [e["reason"] for e in entries(seen, "disconnected")] == [Reason.ROOM_DELETED]
    [ice] = entries(seen, "ice")
    page_pairs = [(p["local"], p["remote"]) for p in ice["report"] if p["side"] == "pair"]
    assert page_pairs
    assert set(page_pairs) == {("127.0.0.1", "127.0.0.1")}
    pairs = standin.ice_pairs()
    assert pairs
    assert {(p.local, p.remote) for p in pairs} == {("127.0.0.1", "127.0.0.1")}
    if loopback_network:
        gathered = {p["address"] for p in ice["report"] if p["side"] == "gathered"}
        assert gathered <= {"127.0.0.1", "::1"}, gathered
    standin.wait_for(lambda: standin.finished("webrtc_1"), "room_finished")
    assert [(w.event, w.identity) for w in standin.webhooks("webrtc_1")] == [
        ("room_started", ""),
        ("participant_joined", "caller_1"),
        ("participant_joined", agent.identity),
        ("participant_left", "caller_1"),
        ("participant_left", agent.identity),
        ("room_finished", ""),
    ]


@pytest.mark.timeout(60)
def test_livekit_refuses_what_livekit_refuses(livekit_standin: StartStandIn) -> None:
    standin = livekit_standin(agents={"desk": SCRIPT})
    base = standin.url.replace("ws://", "http://")
    other_secret = AccessToken(TEST_LIVEKIT.api_key, "another-secret-another-secret-xx")
    forged = (
        other_secret.with_identity("x").with_grants(VideoGrants(room_join=True, room="r")).to_jwt()
    )

    answers = {
        "forged": httpx.get(f"{base}/rtc/validate", params={"access_token": forged}),
        "no join": httpx.get(
            f"{base}/rtc/validate", params={"access_token": token("r", room_join=False)}
        ),
        "none": httpx.get(f"{base}/rtc/v1/validate"),
        "good, v1": httpx.get(f"{base}/rtc/v1/validate", params={"access_token": token("r")}),
        "good": httpx.get(f"{base}/rtc/validate", params={"access_token": token("r")}),
    }

    assert {k: a.status_code for k, a in answers.items()} == {
        "forged": 401,
        "no join": 401,
        "none": 401,
        "good, v1": 404,
        "good": 200,
    }
    assert "requested room does not exist" not in answers["good, v1"].text
    assert standin.hub.rooms == {}


def _signal(standin: LiveKitStandIn, access_token: str) -> ClientConnection:
    url = f"{standin.url}/rtc?access_token={access_token}&protocol=16"
    return connect(url, open_timeout=5, close_timeout=2)


def _next(ws: ClientConnection, case: str) -> rtc.SignalResponse:
    """The next response of that kind (offers and updates in between are skipped)."""
    deadline = time.monotonic() + 5
    while time.monotonic() < deadline:
        response = rtc.SignalResponse.FromString(ws.recv(timeout=5))  # type: ignore[arg-type]
        if response.WhichOneof("message") == case:
            return response
    raise TimeoutError(case)


@pytest.mark.timeout(60)
def test_a_second_connection_with_the_same_identity_replaces_the_first(
    livekit_standin: StartStandIn,
) -> None:
    standin = livekit_standin()
    with _signal(standin, token("r1", agent=None)) as first:
        joined = _next(first, "join").join
        assert joined.participant.identity == "caller_1"
        assert joined.server_info.protocol > 0
        assert joined.ping_interval > 0
        with _signal(standin, token("r1", agent=None)) as second:
            assert _next(second, "join").join.participant.sid != joined.participant.sid
            assert _next(first, "leave").leave.reason == Reason.DUPLICATE_IDENTITY
            second.send(rtc.SignalRequest(ping_req=rtc.Ping(timestamp=7)).SerializeToString())
            assert _next(second, "pong_resp").pong_resp.last_ping_timestamp == 7
            assert list(standin.hub.rooms["r1"].members) == ["caller_1"]


@pytest.mark.timeout(60)
def test_a_caller_who_never_connects_media_is_aborted_and_the_room_finishes(
    livekit_standin: StartStandIn,
) -> None:
    received: list[tuple[str, str, str]] = []
    verifier = WebhookReceiver(TokenVerifier(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret))

    class Hook(http.server.BaseHTTPRequestHandler):
        def do_POST(self) -> None:
            body = self.rfile.read(int(self.headers["content-length"])).decode()
            event = verifier.receive(body, self.headers["authorization"])
            received.append((event.event, event.id, self.headers["content-type"]))
            self.send_response(200)
            self.end_headers()

        def log_message(self, *_: Any) -> None:
            return

    hook = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook.serve_forever, daemon=True).start()
    url = f"http://127.0.0.1:{hook.server_address[1]}/"
    standin = livekit_standin(agents={"desk": SCRIPT}, webhook_url=url)
    try:
        with _signal(standin, token("r2", agent="nobody")) as ws:
            _next(ws, "join")
        standin.wait_for(lambda: standin.finished("r2"), "room_finished")
        standin.wait_webhooks_delivered()
    finally:
        hook.shutdown()
        hook.server_close()

    sent = standin.webhooks("r2")
    assert [(w.event, w.identity) for w in sent] == [
        ("room_started", ""),
        ("participant_connection_aborted", "caller_1"),
        ("room_finished", ""),
    ]
    assert received == [(w.event, w.id, "application/webhook+json") for w in sent]
    assert standin.agents_in("r2") == [], "an unknown dispatch name brings no agent"
