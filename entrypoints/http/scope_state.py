from typing import Any

from litestar.types import Scope


def scope_state(scope: Scope) -> dict[str, Any]:
    """Per-request values shared by middleware, handlers and before_send hooks."""
    state: dict[str, Any] = scope.setdefault("state", {})
    return state
