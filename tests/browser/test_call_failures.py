"""What goes wrong in a call (issue 17.8), each through the service as deployed, the
stand-in and Chromium, asserting what the page saw, what MongoDB holds and what the
tenant's endpoint received."""

import time
import uuid
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any

import pytest

from tests.browser.call_pages import call_page, entries, hold_call
from tests.browser.livekit_under_test import StandInLiveKit
from tests.browser.whole_call_world import Tenant, World, as_json, room_of, serving
from tests.livekit_standin import AgentScript, LiveKitStandIn, Reason, State, Wait
from tests.support.mongo import mongo_server
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.browser
RUN = uuid.uuid4().hex[:8]
STAYS = AgentScript(steps=(State("listening"), Wait(120)))
DESKS = {name: f"desk-{RUN}-{name}" for name in ("tab", "drop", "token", "redeliver", "refused")}
NOBODY = f"desk-{RUN}-nobody"  # no agent of this name is ever dispatched
QUIET = 1.5  # longer than the service's relay poll (0.2 s) and a retry (0.2 s)


@dataclass
class Faults:
    world: World
    standin: LiveKitStandIn
    page: str
    answers: list[dict[str, Any]]
    shop: Tenant

    def tenant(self, desk: str) -> Tenant:
        """The module's tenant, with a new agent called `desk` whose token the page gets."""
        agent_id = self.world.agent(self.shop, desk)
        self.answers.clear()
        self.answers.append(self.world.seed_token(self.shop, agent_id))
        return self.shop

    def plan(self, **more: Any) -> dict[str, Any]:
        return {"backend": self.page.replace("/call.html", "/backend"), "timeoutMs": 30000, **more}


@pytest.fixture(scope="module")
def faults(
    loopback_network: bool, browser_tools: str, tmp_path_factory: pytest.TempPathFactory
) -> Iterator[Faults]:
    agents = dict.fromkeys(DESKS.values(), STAYS)
    with (
        LiveKitStandIn(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret, agents) as standin,
        mongo_server(tmp_path_factory.mktemp("faults-mongo")) as (uri, _kind),
        serving(StandInLiveKit(standin), uri, tmp_path_factory.mktemp("home")) as world,
    ):
        answers: list[dict[str, Any]] = []
        with call_page(lambda: answers[0]) as page:
            shop = world.tenant(page.removesuffix("/call.html"))
            yield Faults(world, standin, page, answers, shop)


def _caller_events(standin: LiveKitStandIn, call_id: str, identity: str) -> list[str]:
    return [w.event for w in standin.webhooks(f"webrtc_{call_id}") if w.identity == identity]


def _types(events: list[dict[str, Any]]) -> list[tuple[str, int]]:
    return [(e["type"], e["sequence"]) for e in events]


@pytest.mark.timeout(120)
def test_a_rejected_token_connects_nowhere_and_moves_nothing(
    browser_tools: str, faults: Faults
) -> None:
    tenant = faults.tenant(DESKS["token"])
    issued = faults.answers[0]
    header, claims, signature = issued["client_token"].split(".")
    faults.answers[0] = {**issued, "client_token": f"{header}.{claims}.{signature[::-1]}"}

    seen = hold_call(browser_tools, faults.page, faults.plan())

    [failed] = entries(seen, "connect_failed")
    assert failed["status"] == 401, as_json(seen)
    assert not entries(seen, "connected")
    assert faults.standin.hub.refusals, "the stand-in refused the token"
    assert issued["room_name"] not in faults.standin.hub.rooms
    time.sleep(QUIET)
    assert _types(tenant.receiver.of_call(issued["call_id"])) == [("call.created", 1)]
    assert faults.world.call(tenant, issued["call_id"])["status"] == "queued"


@pytest.mark.timeout(120)
def test_no_agent_ever_joins_and_the_caller_hangs_up(browser_tools: str, faults: Faults) -> None:
    tenant = faults.tenant(NOBODY)

    seen = hold_call(browser_tools, faults.page, faults.plan(hangUpAfterMs=1500))

    call_id = room_of(seen).removeprefix("webrtc_")
    assert entries(seen, "connected"), as_json(seen)
    assert not entries(seen, "participant")
    assert [e["reason"] for e in entries(seen, "disconnected")] == [Reason.CLIENT_INITIATED]
    assert faults.standin.agents_in(room_of(seen)) == []
    events = tenant.receiver.wait_for(call_id, 3)
    assert _types(events) == [("call.created", 1), ("call.started", 2), ("call.ended", 3)]
    call = faults.world.call(tenant, call_id)
    assert (call["status"], call["end_reason"], call["agent_joined_at"]) == (
        "ended",
        "agent_never_joined",
        None,
    )
    assert events[-1]["data"]["end_reason"] == "agent_never_joined"


@pytest.mark.timeout(120)
def test_the_caller_closes_the_tab_mid_call(browser_tools: str, faults: Faults) -> None:
    tenant = faults.tenant(DESKS["tab"])

    seen = hold_call(browser_tools, faults.page, faults.plan(closeTabWhen="level"))

    assert seen["closed"] is True
    room = room_of(seen)
    call_id = room.removeprefix("webrtc_")
    assert entries(seen, "level"), "the call was under way when the tab closed"
    faults.standin.wait_for(lambda: faults.standin.finished(room), "the room to finish")
    gone = [w.event for w in faults.standin.webhooks(room) if w.identity == f"caller_{call_id}"]
    assert gone[-1] in {"participant_left", "participant_connection_aborted"}
    events = tenant.receiver.wait_for(call_id, 3)
    assert _types(events) == [("call.created", 1), ("call.started", 2), ("call.ended", 3)]
    call = faults.world.call(tenant, call_id)
    assert call["status"] == "ended"
    assert call["end_reason"] in {"participant_left", "participant_connection_aborted"}
    assert call["agent_joined_at"] is not None


@pytest.mark.timeout(120)
def test_livekit_drops_the_signalling_socket_and_the_client_resumes(
    browser_tools: str, faults: Faults
) -> None:
    tenant = faults.tenant(DESKS["drop"])
    identity = faults.answers[0]["participant_identity"]
    call_id = faults.answers[0]["call_id"]
    standin = faults.standin

    with ThreadPoolExecutor(1) as pool:
        running = pool.submit(
            hold_call, browser_tools, faults.page, faults.plan(hangUpAfterMs=5000)
        )
        agent = standin.agent(f"webrtc_{call_id}")
        standin.wait_for(agent.heard.is_set, "the caller's microphone at the agent")
        standin.drop_signalling(identity)
        seen = running.result(timeout=90)

    assert identity in standin.hub.resumed, as_json(seen)
    assert entries(seen, "signal_reconnecting") or entries(seen, "reconnecting")
    assert entries(seen, "reconnected"), as_json(seen)
    assert [e["reason"] for e in entries(seen, "disconnected")] == [Reason.CLIENT_INITIATED], (
        as_json(seen)
    )
    events = tenant.receiver.wait_for(call_id, 3)
    time.sleep(QUIET)
    events = tenant.receiver.of_call(call_id)
    assert _types(events) == [("call.created", 1), ("call.started", 2), ("call.ended", 3)]
    call = faults.world.call(tenant, call_id)
    assert (call["status"], call["end_reason"]) == ("ended", "participant_left")
    caller_events = [
        w.event for w in standin.webhooks(f"webrtc_{call_id}") if w.identity == identity
    ]
    assert caller_events == ["participant_joined", "participant_left"], as_json(seen)


@pytest.mark.timeout(120)
def test_livekit_refuses_the_resume_and_the_client_rejoins_as_a_new_session(
    browser_tools: str, faults: Faults
) -> None:
    """livekit-client, refused, joins from scratch: LiveKit tells the old session's leave and
    the new one's join, most often stamped in one second. The call goes on, and says so."""
    tenant = faults.tenant(DESKS["refused"])
    identity = faults.answers[0]["participant_identity"]
    call_id = faults.answers[0]["call_id"]
    standin = faults.standin
    standin.hub.refuse_resume = True
    try:
        with ThreadPoolExecutor(1) as pool:
            running = pool.submit(
                hold_call, browser_tools, faults.page, faults.plan(hangUpAfterMs=6000)
            )
            agent = standin.agent(f"webrtc_{call_id}")
            standin.wait_for(agent.heard.is_set, "the caller's microphone at the agent")
            standin.drop_signalling(identity)
            standin.wait_for(
                lambda: (
                    _caller_events(standin, call_id, identity)[:3]
                    == ["participant_joined", "participant_left", "participant_joined"]
                ),
                "the caller's new session",
            )
            standin.wait_webhooks_delivered()
            during = faults.world.call(tenant, call_id)
            seen = running.result(timeout=90)
    finally:
        standin.hub.refuse_resume = False

    assert identity not in standin.hub.resumed, as_json(seen)
    assert during["status"] == "in_progress", as_json(during)
    events = tenant.receiver.wait_for(call_id, 5)
    time.sleep(QUIET)
    assert _types(tenant.receiver.of_call(call_id)) == [
        ("call.created", 1),
        ("call.started", 2),
        ("call.ended", 3),
        ("call.started", 4),
        ("call.ended", 5),
    ], as_json(events)
    call = faults.world.call(tenant, call_id)
    assert (call["status"], call["end_reason"]) == ("ended", "participant_left")


@pytest.mark.timeout(120)
def test_a_redelivered_livekit_webhook_is_applied_once(browser_tools: str, faults: Faults) -> None:
    tenant = faults.tenant(DESKS["redeliver"])
    identity = faults.answers[0]["participant_identity"]
    call_id = faults.answers[0]["call_id"]
    room = f"webrtc_{call_id}"
    seen = hold_call(browser_tools, faults.page, faults.plan(hangUpAfterMs=1000))
    assert entries(seen, "connected"), as_json(seen)
    faults.standin.wait_for(lambda: faults.standin.finished(room), "the room to finish")
    before = faults.world.call(tenant, call_id)
    tenant.receiver.wait_for(call_id, 3)

    again = [
        faults.standin.redeliver("participant_joined", room, identity),
        faults.standin.redeliver("participant_left", room, identity),
        faults.standin.redeliver("room_finished", room),
    ]
    faults.standin.wait_webhooks_delivered()
    time.sleep(QUIET)

    assert [item.status for item in again] == [200, 200, 200]
    assert faults.world.call(tenant, call_id) == before
    assert _types(tenant.receiver.of_call(call_id)) == [
        ("call.created", 1),
        ("call.started", 2),
        ("call.ended", 3),
    ]
