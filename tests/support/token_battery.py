"""One battery of good and bad token requests (tests/unit/test_token_path.py sends it down the
lean path and down the router): each case builds its request from the seeded keys and agents."""

import json
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

from entrypoints.http.app import MAX_BODY_BYTES

SITE = "https://shop.example.com"


@dataclass
class Seeds:
    key: str
    agent_id: str
    dispatch_name: str
    other_agent_id: str
    publishable: str


@dataclass
class Request:
    method: str
    path: str
    headers: dict[str, str]
    content: bytes = b""


Case = Callable[[Seeds], Request]


def _post(path: str, body: Any, key: str | None, **headers: str) -> Request:
    content = body if isinstance(body, bytes) else json.dumps(body).encode()
    auth = {"authorization": f"Bearer {key}"} if key is not None else {}
    return Request("POST", path, {"content-type": "application/json", **auth, **headers}, content)


def _realtime(body: Callable[[Seeds], Any], key: str | None = "", **headers: str) -> Case:
    def case(s: Seeds) -> Request:
        return _post("/v1/realtime/token", body(s), s.key if key == "" else key, **headers)

    return case


def _livekit(body: Callable[[Seeds], Any], secret: bool = False, **headers: str) -> Case:
    def case(s: Seeds) -> Request:
        key = s.key if secret else s.publishable
        return _post("/v1/livekit/token", body(s), key, **{"origin": SITE, **headers})

    return case


def _sdk(s: Seeds, **more: Any) -> dict[str, Any]:
    return {"room_config": {"agents": [{"agent_name": s.dispatch_name}]}, **more}


BATTERY: dict[str, Case] = {
    "good": _realtime(lambda s: {"agent_id": s.agent_id}),
    "good, metadata": _realtime(lambda s: {"agent_id": s.agent_id, "metadata": {"a": "b:c"}}),
    "good, alias": lambda s: replace(
        _realtime(lambda s: {"agent_id": s.agent_id})(s), path="/v1/webrtc/token"
    ),
    "no key": _realtime(lambda s: {"agent_id": s.agent_id}, key=None),
    "unknown key": _realtime(lambda s: {"agent_id": s.agent_id}, key="rtk_" + "x" * 43),
    "not a bearer": lambda s: replace(
        _realtime(lambda s: {"agent_id": s.agent_id})(s),
        headers={"content-type": "application/json", "authorization": "Basic abc"},
    ),
    "missing agent": _realtime(lambda s: {"agent_id": "00000000-0000-4000-8000-000000000000"}),
    "another tenant's agent": _realtime(lambda s: {"agent_id": s.other_agent_id}),
    "unknown field": _realtime(lambda s: {"agent_id": s.agent_id, "agentId": s.agent_id}),
    "wrong type": _realtime(lambda s: {"agent_id": 7}),
    "no agent_id": _realtime(lambda s: {"metadata": {}}),
    "not JSON": _realtime(lambda s: b'{"agent_id": '),
    "not an object": _realtime(lambda s: b"[]"),
    "duplicate key": _realtime(
        lambda s: b'{"agent_id": "%s", "agent_id": "%s"}' % ((s.agent_id.encode(),) * 2)
    ),
    "nested duplicate": _realtime(
        lambda s: b'{"agent_id": "%s", "metadata": {"a": 1, "a": 2}}' % s.agent_id.encode()
    ),
    "escaped colon": _realtime(
        lambda s: b'{"agent_id": "%s", "metadata": {"\\u003a": 1}}' % s.agent_id.encode()
    ),
    "NaN": _realtime(lambda s: b'{"agent_id": "%s", "metadata": {"x": NaN}}' % s.agent_id.encode()),
    "huge number": _realtime(
        lambda s: b'{"agent_id": "%s", "metadata": {"x": 1e999}}' % s.agent_id.encode()
    ),
    "not UTF-8 in a string": _realtime(
        lambda s: b'{"agent_id": "%s", "metadata": {"k": "\xed\xa0\x80"}}' % s.agent_id.encode()
    ),
    "reserved metadata key": _realtime(lambda s: {"agent_id": s.agent_id, "metadata": {"$x": 1}}),
    "too deep": _realtime(
        lambda s: (
            b'{"agent_id": "%s", "metadata": ' % s.agent_id.encode()
            + b'{"a":' * 5000
            + b"1"
            + b"}" * 5001
        )
    ),
    "too large": _realtime(
        lambda s: {"agent_id": s.agent_id, "metadata": {"x": "y" * (MAX_BODY_BYTES + 1)}}
    ),
    "text/plain": _realtime(lambda s: {"agent_id": s.agent_id}, **{"content-type": "text/plain"}),
    "json with charset": _realtime(
        lambda s: {"agent_id": s.agent_id}, **{"content-type": "application/json; charset=utf-8"}
    ),
    "idempotency key": _realtime(lambda s: {"agent_id": s.agent_id}, **{"idempotency-key": "k-1"}),
    "bad idempotency key": _realtime(
        lambda s: {"agent_id": s.agent_id}, **{"idempotency-key": "a b"}
    ),
    "bad content-length": _realtime(
        lambda s: {"agent_id": s.agent_id}, **{"content-length": str(MAX_BODY_BYTES + 1)}
    ),
    "get": lambda s: Request("GET", "/v1/realtime/token", {"authorization": f"Bearer {s.key}"}),
    "trailing slash": lambda s: replace(
        _realtime(lambda s: {"agent_id": s.agent_id})(s), path="/v1/realtime/token/"
    ),
    "livekit good": _livekit(lambda s: _sdk(s, participant_name="Ada")),
    "livekit good, metadata": _livekit(
        lambda s: {
            "room_config": {"agents": [{"agent_name": s.dispatch_name, "metadata": '{"p":1}'}]}
        }
    ),
    "livekit secret key": _livekit(lambda s: _sdk(s), secret=True),
    "livekit other origin": _livekit(lambda s: _sdk(s), origin="https://evil.example.net"),
    "livekit no origin": lambda s: _post("/v1/livekit/token", _sdk(s), s.publishable),
    "livekit bad key": lambda s: _post("/v1/livekit/token", _sdk(s), "rtpk_nope", origin=SITE),
    "livekit room name": _livekit(lambda s: _sdk(s, room_name="mine")),
    "livekit unknown field": _livekit(lambda s: _sdk(s, roomName="mine")),
    "livekit unknown agent": _livekit(
        lambda s: {"room_config": {"agents": [{"agent_name": "nobody"}]}}
    ),
    "livekit bad metadata": _livekit(
        lambda s: {"room_config": {"agents": [{"agent_name": s.dispatch_name, "metadata": "[1"}]}}
    ),
    "livekit not UTF-8": _livekit(lambda s: b'{"participant_name": "\xff"}'),
    "livekit duplicate in metadata": _livekit(
        lambda s: {
            "room_config": {
                "agents": [{"agent_name": s.dispatch_name, "metadata": '{"p":1,"p":2}'}]
            }
        }
    ),
    "livekit two agents": _livekit(
        lambda s: {"room_config": {"agents": [{"agent_name": "a"}, {"agent_name": "b"}]}}
    ),
    "livekit identity": _livekit(lambda s: _sdk(s, participant_identity="me")),
    "livekit preflight": lambda s: Request(
        "OPTIONS",
        "/v1/livekit/token",
        {"origin": SITE, "access-control-request-method": "POST"},
    ),
}
GOOD = {"good", "good, metadata", "good, alias", "livekit good", "livekit good, metadata"}
GOOD |= {"livekit secret key"}
