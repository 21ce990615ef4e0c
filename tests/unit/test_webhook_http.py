"""LiveKit webhooks over HTTP, signed for real with livekit.api, against fakes."""

import time
from datetime import UTC, datetime

import httpx
import pytest

from adapters.livekit.settings import LiveKitSettings
from domain.call import CallStatus
from tests.support.livekit_webhooks import agent_joined_body, signed_headers, webhook_body
from tests.support.world import TEST_LIVEKIT, Seeded, World

WEBHOOK = "/v1/livekit/webhook"


async def _queued_call(client: httpx.AsyncClient, seeded: Seeded) -> dict[str, str]:
    response = await client.post(
        "/v1/realtime/token",
        json={"agent_id": seeded.agent.id},
        headers={"Authorization": f"Bearer {seeded.api_key}"},
    )
    body: dict[str, str] = response.json()
    return body


async def _deliver(
    client: httpx.AsyncClient, body: bytes, settings: LiveKitSettings = TEST_LIVEKIT
) -> httpx.Response:
    return await client.post(WEBHOOK, content=body, headers=signed_headers(body, settings))


async def test_the_callers_join_and_leave_move_the_call(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    call = await _queued_call(client, seeded)
    room, caller = call["room_name"], call["participant_identity"]

    joined = await _deliver(client, webhook_body("participant_joined", room, caller))
    assert (joined.status_code, joined.json()) == (200, {"outcome": "applied"})
    assert world.calls.items[call["call_id"]].status is CallStatus.IN_PROGRESS
    agent = await _deliver(client, agent_joined_body(room, created_at=1_800_000_000))
    assert agent.json() == {"outcome": "applied"}

    left = await _deliver(client, webhook_body("participant_left", room, caller))
    assert left.json() == {"outcome": "applied"}
    stored = world.calls.items[call["call_id"]]
    assert (stored.status, stored.end_reason) == (CallStatus.ENDED, "participant_left")
    assert stored.agent_joined_at == datetime.fromtimestamp(1_800_000_000, UTC)


async def test_a_call_its_agent_never_joined_ends_saying_so_an_avatar_is_no_agent(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    call = await _queued_call(client, seeded)
    room, caller = call["room_name"], call["participant_identity"]
    await _deliver(client, webhook_body("participant_joined", room, caller))
    avatar = agent_joined_body(room, "avatar-1", attributes={"lk.publish_on_behalf": "agent-1"})

    assert (await _deliver(client, avatar)).json() == {"outcome": "irrelevant"}
    await _deliver(client, webhook_body("participant_left", room, caller))

    stored = world.calls.items[call["call_id"]]
    assert (stored.status, stored.end_reason, stored.agent_joined_at) == (
        CallStatus.ENDED,
        "agent_never_joined",
        None,
    )
    shown = await client.get(
        f"/v1/calls/{call['call_id']}", headers={"Authorization": f"Bearer {seeded.api_key}"}
    )
    assert (shown.json()["end_reason"], shown.json()["agent_joined_at"]) == (
        "agent_never_joined",
        None,
    )


async def test_a_tampered_body_is_401_and_changes_nothing(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    call = await _queued_call(client, seeded)
    body = webhook_body("participant_joined", call["room_name"], call["participant_identity"])
    headers = signed_headers(body, TEST_LIVEKIT)
    tampered = body.replace(b"participant_joined", b"participant_left")

    response = await client.post(WEBHOOK, content=tampered, headers=headers)

    assert response.status_code == 401
    assert response.json()["code"] == "invalid_signature"
    assert world.calls.items[call["call_id"]].status is CallStatus.QUEUED


@pytest.mark.parametrize(
    "settings",
    [
        LiveKitSettings(
            TEST_LIVEKIT.url, TEST_LIVEKIT.api_key, "another-secret-long-enough-for-it"
        ),
        LiveKitSettings(TEST_LIVEKIT.url, "APIsomeoneelse", TEST_LIVEKIT.api_secret),
    ],
)
async def test_a_wrong_key_or_secret_is_401(
    client: httpx.AsyncClient, seeded: Seeded, world: World, settings: LiveKitSettings
) -> None:
    call = await _queued_call(client, seeded)
    body = webhook_body("participant_joined", call["room_name"], call["participant_identity"])
    response = await _deliver(client, body, settings)
    assert response.status_code == 401
    assert world.calls.items[call["call_id"]].status is CallStatus.QUEUED


async def test_a_missing_signature_is_401(client: httpx.AsyncClient) -> None:
    body = webhook_body("room_finished", "webrtc_x")
    response = await client.post(WEBHOOK, content=body)
    assert response.status_code == 401


async def test_a_replayed_delivery_is_applied_once(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    call = await _queued_call(client, seeded)
    room, caller = call["room_name"], call["participant_identity"]
    joined = webhook_body("participant_joined", room, caller, event_id="EV_join")
    await _deliver(client, joined)
    await _deliver(client, webhook_body("participant_left", room, caller))

    replay = await _deliver(client, joined)

    assert replay.json() == {"outcome": "duplicate"}
    assert world.calls.items[call["call_id"]].status is CallStatus.ENDED


async def test_out_of_order_delivery_never_moves_a_call_backwards(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    call = await _queued_call(client, seeded)
    room, caller = call["room_name"], call["participant_identity"]

    finished_at = int(time.time())
    await _deliver(client, webhook_body("room_finished", room, created_at=finished_at))
    late_join = await _deliver(
        client, webhook_body("participant_joined", room, caller, created_at=finished_at - 5)
    )

    assert late_join.json() == {"outcome": "unchanged"}
    stored = world.calls.items[call["call_id"]]
    assert (stored.status, stored.joined_at) == (CallStatus.ENDED, None)


async def test_a_rejoin_after_the_call_ended_reopens_it_until_the_caller_leaves_again(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    """Join, leave, the room finishes; the same token joins again (LiveKit re-creates the room
    and dispatches the agent again): that session is tracked, and the first join is kept."""
    call = await _queued_call(client, seeded)
    room, caller = call["room_name"], call["participant_identity"]
    start = int(time.time())
    sequence = [
        ("participant_joined", caller, start),
        ("participant_left", caller, start + 30),
        ("room_finished", None, start + 50),
        ("participant_joined", caller, start + 70),
    ]
    outcomes = []
    for event, identity, at in sequence:
        response = await _deliver(client, webhook_body(event, room, identity, created_at=at))
        outcomes.append(response.json()["outcome"])
    reopened = world.calls.items[call["call_id"]]
    await _deliver(client, agent_joined_body(room, created_at=start + 72))  # dispatched again

    await _deliver(client, webhook_body("participant_left", room, caller, created_at=start + 95))
    await _deliver(client, webhook_body("room_finished", room, created_at=start + 115))
    ended = world.calls.items[call["call_id"]]

    assert outcomes == ["applied", "applied", "unchanged", "applied"]
    assert (reopened.status, reopened.ended_at, reopened.end_reason) == (
        CallStatus.IN_PROGRESS,
        None,
        None,
    )
    assert reopened.joined_at == datetime.fromtimestamp(start, UTC)
    assert (ended.status, ended.end_reason) == (CallStatus.ENDED, "participant_left")
    assert ended.ended_at == datetime.fromtimestamp(start + 95, UTC)
    assert ended.joined_at == datetime.fromtimestamp(start, UTC)


async def test_a_refused_resume_rejoining_in_the_second_of_the_leave_keeps_the_call_going(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    """livekit-client, refused a resume, joins from scratch as a new session (a new SID): its
    leave and its join are stamped in the same second. The first session's join told again
    changes nothing."""
    call = await _queued_call(client, seeded)
    room, caller = call["room_name"], call["participant_identity"]
    at = int(time.time())
    first_join = webhook_body("participant_joined", room, caller, created_at=at, sid="PA_one")
    sequence = [
        first_join,
        webhook_body("participant_left", room, caller, created_at=at + 30, sid="PA_one"),
        webhook_body("participant_joined", room, caller, created_at=at + 30, sid="PA_two"),
        first_join,
        webhook_body("participant_joined", room, caller, created_at=at + 30, sid="PA_one"),
    ]

    outcomes = [(await _deliver(client, body)).json()["outcome"] for body in sequence]

    assert outcomes == ["applied", "applied", "applied", "duplicate", "unchanged"]
    stored = world.calls.items[call["call_id"]]
    assert (stored.status, stored.ended_at, stored.caller_sid) == (
        CallStatus.IN_PROGRESS,
        None,
        "PA_two",
    )
    assert stored.joined_at == datetime.fromtimestamp(at, UTC)
    started = [m.at for m in world.calls.marks[call["call_id"]] if m.type.value == "call.started"]
    assert started == [datetime.fromtimestamp(at, UTC), datetime.fromtimestamp(at + 30, UTC)]


async def test_the_counted_sessions_join_told_again_leaves_the_call_ended(
    client: httpx.AsyncClient, seeded: Seeded, world: World
) -> None:
    call = await _queued_call(client, seeded)
    room, caller = call["room_name"], call["participant_identity"]
    at = int(time.time())
    joined = webhook_body("participant_joined", room, caller, created_at=at, sid="PA_one")
    await _deliver(client, joined)
    await _deliver(
        client, webhook_body("participant_left", room, caller, created_at=at, sid="PA_one")
    )

    again = await _deliver(client, joined)

    assert again.json() == {"outcome": "duplicate"}
    assert world.calls.items[call["call_id"]].status is CallStatus.ENDED


async def test_unknown_rooms_other_participants_and_other_events_get_200(
    client: httpx.AsyncClient, seeded: Seeded
) -> None:
    call = await _queued_call(client, seeded)
    unknown = await _deliver(client, webhook_body("participant_joined", "somebody_elses_room", "x"))
    agent = await _deliver(
        client, webhook_body("participant_joined", call["room_name"], "agent-AJ_123")
    )
    other = await _deliver(client, webhook_body("track_published", call["room_name"], "x"))
    assert [r.status_code for r in (unknown, agent, other)] == [200, 200, 200]
    assert [r.json()["outcome"] for r in (unknown, agent, other)] == [
        "unknown_room",
        "irrelevant",
        "ignored",
    ]


@pytest.mark.parametrize("created_at", [2**63 - 1, -(2**62)])
async def test_an_impossible_event_time_falls_back_to_the_clock(
    client: httpx.AsyncClient, seeded: Seeded, world: World, created_at: int
) -> None:
    call = await _queued_call(client, seeded)
    room, caller = call["room_name"], call["participant_identity"]
    body = webhook_body("participant_joined", room, caller, created_at=created_at)

    response = await _deliver(client, body)

    assert (response.status_code, response.json()) == (200, {"outcome": "applied"})
    assert world.calls.items[call["call_id"]].joined_at == world.clock.now()
