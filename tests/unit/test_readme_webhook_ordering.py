"""The README's receiver snippet keeps a call's latest state whatever the order and repeats."""

import re
from pathlib import Path
from typing import Any

README = (Path(__file__).parents[2] / "README.md").read_text()


def _snippet(heading: str) -> str:
    section = README[README.index(f"\n{heading}\n") :]
    found = re.search(r"```python\n(.*?)```", section, re.DOTALL)
    assert found is not None
    return found.group(1)


def _event(call_id: str, sequence: int, kind: str) -> dict[str, Any]:
    return {"type": kind, "sequence": sequence, "data": {"id": call_id}}


def test_the_receiver_snippet_keeps_the_latest_event_of_each_call() -> None:
    scope: dict[str, Any] = {}
    exec(_snippet("#### Ordering and duplicates"), scope)  # noqa: S102 - our own README
    created, started, ended = (
        _event("c1", 1, "call.created"),
        _event("c1", 2, "call.started"),
        _event("c1", 3, "call.ended"),
    )
    other = _event("c2", 1, "call.created")

    news = [scope["keep_latest"](e) for e in (started, created, other, ended, started, ended)]

    assert news == [True, False, True, True, False, False]
    assert scope["latest"] == {"c1": ended, "c2": other}
