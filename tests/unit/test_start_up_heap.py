import gc
import subprocess
import sys
import textwrap

from entrypoints.start_up_heap import freeze_start_up_objects


def test_what_exists_is_frozen_and_what_comes_later_is_still_collected() -> None:
    class Node:
        def __init__(self) -> None:
            self.me = self

    kept = [Node() for _ in range(100)]
    frozen_before = gc.get_freeze_count()
    try:
        freeze_start_up_objects()
        assert gc.get_freeze_count() >= frozen_before + len(kept)
        Node()  # a cycle made after the freeze, unreachable at once
        assert gc.collect() >= 1
    finally:
        gc.unfreeze()


def test_the_served_app_is_built_and_then_frozen() -> None:
    """In a process of its own, as a server worker builds it: the freeze is permanent there."""
    probe = textwrap.dedent(
        """
        import gc
        from entrypoints.asgi import app_from_env
        assert gc.get_freeze_count() == 0
        app_from_env()
        print(gc.get_freeze_count())
        """
    )
    env = {
        "MONGODB_URI": "mongodb://127.0.0.1:9/?serverSelectionTimeoutMS=1",
        "LIVEKIT_URL": "wss://livekit.example.invalid",
        "LIVEKIT_API_KEY": "APIstartupheap",
        "LIVEKIT_API_SECRET": "a-long-enough-secret-for-the-start-up-heap-test",
        "PATH": "/usr/bin:/bin",
    }
    done = subprocess.run(
        [sys.executable, "-c", probe], env=env, capture_output=True, text=True, timeout=60
    )
    assert done.returncode == 0, done.stderr
    assert int(done.stdout.split()[-1]) > 10_000  # the app, its routes, the drivers
