import shutil
import subprocess
from pathlib import Path

import pytest

from tests.livekit_standin.fixture import livekit_standin, loopback_network

pytestmark = pytest.mark.browser
ROOT = Path(__file__).parents[2]
DEMO_WEB = ROOT / "entrypoints" / "http" / "demo_web"
OUTPUT = ROOT / "build" / "browser"
__all__ = ["livekit_standin", "loopback_network"]


@pytest.fixture(scope="session")
def browser_tools() -> str:
    """Chromium, Node.js and the npm packages, installed by `make browser-deps` if missing."""
    subprocess.run(["make", "--no-print-directory", "browser-deps"], cwd=ROOT, check=True)
    chromium = shutil.which("chromium")
    assert chromium is not None, "make browser-deps did not install chromium"
    assert shutil.which("node") is not None, "make browser-deps did not install node"
    return chromium
