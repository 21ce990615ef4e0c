"""The node drivers (drive_*.mjs) that hold a page in Chromium and print what it saw as JSON."""

import json
import subprocess
from pathlib import Path
from typing import Any

from tests.support.live import base_env


def run_driver(driver: Path, chromium: str, page: str, plan: dict[str, Any], timeout: float) -> Any:
    done = subprocess.run(
        ["node", str(driver), page, json.dumps(plan)],
        env={**base_env(), "CHROMIUM": chromium},
        capture_output=True,
        text=True,
        timeout=timeout,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
