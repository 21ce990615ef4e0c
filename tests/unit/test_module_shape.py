"""Modules a reader can hold, and port names that say what they return."""

import inspect
import typing
from pathlib import Path

import domain.ports
from domain.pagination import Page

ROOT = Path(__file__).resolve().parents[2]
MAX_LINES = 300


def test_no_production_module_is_over_300_lines() -> None:
    sizes = {
        str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
        for layer in ("domain", "application", "adapters", "entrypoints")
        for path in (ROOT / layer).rglob("*.py")
    }
    assert {name: n for name, n in sizes.items() if n > MAX_LINES} == {}


def test_a_port_method_named_page_returns_a_page_and_one_named_list_a_list() -> None:
    ports = [p for p in vars(domain.ports).values() if inspect.isclass(p)]
    wrong = []
    for port in ports:
        for name, method in vars(port).items():
            if not name.startswith(("list_", "page_")) or not callable(method):
                continue
            returned = typing.get_origin(typing.get_type_hints(method)["return"])
            wanted = Page if name.startswith("page_") else list
            if returned is not wanted:
                wrong.append(f"{port.__name__}.{name}")
    assert wrong == []
