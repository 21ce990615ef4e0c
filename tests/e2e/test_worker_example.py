import json
import subprocess
import sys
from pathlib import Path
from typing import Any

import pytest
from livekit.api import TokenVerifier
from pymongo.database import Database

from tests.e2e.conftest import Tenant
from tests.support.world import TEST_LIVEKIT

pytestmark = pytest.mark.e2e
WORKER = Path(__file__).parents[2] / "examples" / "worker.py"


def test_the_embedding_example_issues_a_token_without_http(
    env: dict[str, str], acme: Tenant, db: Database[dict[str, Any]]
) -> None:
    done = subprocess.run(
        [sys.executable, str(WORKER), acme.api_key, acme.agent_id],
        env=env,
        capture_output=True,
        text=True,
        check=True,
    )
    issued = json.loads(done.stdout)

    claims = TokenVerifier(TEST_LIVEKIT.api_key, TEST_LIVEKIT.api_secret).verify(
        issued["client_token"]
    )
    assert claims.video is not None
    assert claims.video.room == issued["room_name"]
    call = db.calls.find_one({"_id": issued["call_id"]})
    assert call is not None
    assert call["metadata"] == {"source": "worker", "type": "webrtc"}
    assert acme.api_key not in done.stdout + done.stderr
