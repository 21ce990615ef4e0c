"""A quicker way to build the frozen value objects made on every token request."""

import dataclasses
from collections.abc import Callable
from typing import Any, TypeVar

T = TypeVar("T")


def positional(cls: type[T]) -> Callable[..., T]:
    """`cls(*values)` with every field given, in field order: the same frozen object, each
    slot set once through its own descriptor, where a frozen dataclass's __init__ looks up
    and calls object.__setattr__ per field and binds keywords (twice the cost or more).
    Only for slotted dataclasses whose __init__ does nothing else (no __post_init__)."""
    fields = dataclasses.fields(cls)  # type: ignore[arg-type]
    if "__slots__" not in vars(cls) or hasattr(cls, "__post_init__"):
        raise TypeError(f"{cls.__name__} is not a plain slotted dataclass")
    if any(not field.init for field in fields):
        raise TypeError(f"{cls.__name__} has a field its __init__ does not take")
    names = [field.name for field in fields]
    scope: dict[str, Any] = {"_new": object.__new__, "_cls": cls}
    scope |= {f"_set_{name}": getattr(cls, name).__set__ for name in names}
    lines = [f"def {cls.__name__}_positional({', '.join(names)}):", "    self = _new(_cls)"]
    lines += [f"    _set_{name}(self, {name})" for name in names]
    lines += ["    return self"]
    exec("\n".join(lines), scope)  # noqa: S102 - dataclasses writes its __init__ the same way
    built: Callable[..., T] = scope[f"{cls.__name__}_positional"]
    return built
