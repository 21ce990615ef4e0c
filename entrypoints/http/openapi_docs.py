from typing import Any

from litestar.enums import RequestEncodingType
from litestar.openapi.spec import Example
from litestar.params import BodyKwarg

BEARER: list[dict[str, list[str]]] = [{"bearerAuth": []}]
SANDBOX_ID: list[dict[str, list[str]]] = [{"sandboxId": []}]


def json_body(**examples: dict[str, Any]) -> BodyKwarg:
    """A JSON request body documented with named examples."""
    return BodyKwarg(
        media_type=RequestEncodingType.JSON,
        examples=[Example(summary=name.replace("_", " "), value=v) for name, v in examples.items()],
    )


TOKEN_BODY = json_body(
    with_metadata={
        "agent_id": "550e8400-e29b-41d4-a716-446655440000",
        "metadata": {"source": "web-app", "user_id": "usr_456"},
    },
    minimal={"agent_id": "550e8400-e29b-41d4-a716-446655440000"},
)
AGENT_BODY = json_body(
    new_agent={
        "name": "Front desk",
        "dispatch_name": "front-desk",
        "default_metadata": {"language": "en"},
    }
)
AGENT_CHANGES = json_body(rename={"name": "Reception"}, redispatch={"dispatch_name": "desk-v2"})
PUBLISHABLE_KEY_BODY = json_body(
    web_page={
        "origins": ["https://shop.example.com", "https://*.preview.example.com"],
        "agents": ["front-desk"],
        "description": "shop front, production",
    },
    native_app={"allow_native": True, "agents": ["front-desk"]},
)

TOKEN_SOURCE_BODY = json_body(
    as_livekit_client_sends_it={
        "participant_name": "Ada",
        "room_config": {"agents": [{"agent_name": "front-desk", "metadata": '{"plan": "pro"}'}]},
    },
    the_keys_only_agent={},
)
WEBHOOK_ENDPOINT_BODY = json_body(
    every_event={"url": "https://hooks.example.com/realtime", "description": "production"},
    ends_only={"url": "https://hooks.example.com/ended", "events": ["call.ended", "call.expired"]},
)
WEBHOOK_ENDPOINT_CHANGES = json_body(
    pause={"disabled": True}, move={"url": "https://hooks.example.com/v2"}
)
