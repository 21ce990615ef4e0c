"""Issue a realtime token from a worker, with no HTTP: e.g. an outbound-call scheduler.

    MONGODB_URI=... LIVEKIT_URL=... LIVEKIT_API_KEY=... LIVEKIT_API_SECRET=... \
        python examples/worker.py <api key> <agent id>
"""

import asyncio
import json
import os
import sys
import uuid

from application.issue_token import IssueTokenCommand
from entrypoints.runtime import resolved_database, running_container
from entrypoints.settings import Settings


async def issue(settings: Settings, api_key: str, agent_id: str) -> dict[str, str]:
    async with running_container(settings) as container:
        issued = await container.issue_token_with_api_key()(
            api_key,
            IssueTokenCommand(agent_id=uuid.UUID(agent_id), metadata={"source": "worker"}),
        )
    return {
        "call_id": issued.call_id,
        "room_name": issued.room_name,
        "server_url": issued.server_url,
        "client_token": issued.client_token,
    }


def main() -> None:
    api_key, agent_id = sys.argv[1:3]
    with resolved_database(Settings.from_env(os.environ)) as settings:
        print(json.dumps(asyncio.run(issue(settings, api_key, agent_id))))


if __name__ == "__main__":
    main()
