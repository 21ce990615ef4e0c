"""The committed demo bundle is what its source and lock file build, byte for byte."""

import subprocess
from pathlib import Path

import pytest

from entrypoints.http.demo import STATIC_DIR
from tests.browser.conftest import DEMO_WEB

pytestmark = pytest.mark.browser


def test_the_committed_bundle_is_rebuilt_identically(browser_tools: str, tmp_path: Path) -> None:
    rebuilt = tmp_path / "demo.js"
    subprocess.run(["node", "build.mjs", str(rebuilt)], cwd=DEMO_WEB, check=True)
    assert rebuilt.read_bytes() == (STATIC_DIR / "demo.js").read_bytes(), (
        "entrypoints/http/static/demo.js is stale: run `make demo-assets` and commit it"
    )
