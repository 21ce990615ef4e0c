"""The `realtime-tokens` commands run in the test's own process (click's CliRunner), for tests
of what a command does rather than of the process: a subprocess costs seconds of imports,
this costs the command. `tests/support/live.py` keeps the subprocess for the process itself
(serve, signals, exit codes of the real executable)."""

import json
import os
import subprocess
from concurrent.futures import ThreadPoolExecutor
from typing import Any

from click.testing import CliRunner

from entrypoints.cli import main
from tests.support.live import SERVICE_ENV_PREFIXES


def cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess[str]:
    """`live.cli`'s answer. A command that raised anything but its exit is a failed test here
    (a subprocess would have printed a traceback and exited 1)."""
    overrides: dict[str, str | None] = {
        k: None for k in os.environ if k.startswith(SERVICE_ENV_PREFIXES)
    }
    overrides.update(env)
    with ThreadPoolExecutor(1) as thread:  # its own event loop, even from an async test
        result = thread.submit(
            CliRunner().invoke, main, list(args), env=overrides, catch_exceptions=True
        ).result()
    if result.exception is not None and not isinstance(result.exception, SystemExit):
        raise AssertionError(f"realtime-tokens {' '.join(args)} raised") from result.exception
    return subprocess.CompletedProcess(list(args), result.exit_code, result.stdout, result.stderr)


def cli_json(env: dict[str, str], *args: str) -> Any:
    done = cli(env, *args, "--json")
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)
