"""pytest fixtures: `loopback_network` (a network namespace holding only `lo` for the
module, when run as root) and `livekit_standin` (a factory starting stand-ins on free
ports, stopped after the test). tests/browser/conftest.py imports both."""

import ctypes
import os
import shutil
import subprocess
from collections.abc import Callable, Iterator, Mapping
from typing import Any

import pytest

from tests.livekit_standin.script import AgentScript
from tests.livekit_standin.server import LiveKitStandIn
from tests.support.world import TEST_LIVEKIT

CLONE_NEWNET = 0x40000000
StartStandIn = Callable[..., LiveKitStandIn]


def _libc_call(name: str, *args: int) -> None:
    libc = ctypes.CDLL(None, use_errno=True)
    if getattr(libc, name)(*args) != 0:
        raise OSError(ctypes.get_errno(), f"{name} failed")


@pytest.fixture(scope="module")
def loopback_network() -> Iterator[bool]:
    """True inside a fresh network namespace with only `lo` up: every server, thread and
    subprocess started after this (by the main thread) sees no other interface, so no
    packet (signalling, ICE or media) can use the machine's LAN address. Request it before
    any fixture that starts a server. Without root: False, and the stand-in's own loopback
    rules (network.py) are all there is."""
    if os.geteuid() != 0 or shutil.which("ip") is None:
        yield False
        return
    home = os.open("/proc/thread-self/ns/net", os.O_RDONLY)
    try:
        try:
            _libc_call("unshare", CLONE_NEWNET)
        except OSError:  # root without CAP_SYS_ADMIN (some containers)
            yield False
            return
        try:
            subprocess.run(["ip", "link", "set", "lo", "up"], check=True, timeout=10)
            yield True
        finally:
            _libc_call("setns", home, CLONE_NEWNET)
    finally:
        os.close(home)


@pytest.fixture
def livekit_standin(loopback_network: bool) -> Iterator[StartStandIn]:
    """`livekit_standin(agents={"desk": AgentScript(...)}, webhook_url=...)` starts one
    (TEST_LIVEKIT's key and secret unless given); each is stopped when the test ends."""
    started: list[LiveKitStandIn] = []

    def start(
        agents: Mapping[str, AgentScript] | None = None,
        webhook_url: str | None = None,
        api_key: str = TEST_LIVEKIT.api_key,
        api_secret: str = TEST_LIVEKIT.api_secret,
        **options: Any,
    ) -> LiveKitStandIn:
        standin = LiveKitStandIn(api_key, api_secret, agents, webhook_url, **options).start()
        started.append(standin)
        return standin

    yield start
    for standin in started:
        standin.stop()
