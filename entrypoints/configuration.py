"""How a setting is declared once: its variable, default, parser, bounds and meaning. Reading,
validation, the README's configuration table and `serve --help` all come from the declaration
(`entrypoints/settings.py` holds the declarations)."""

import re
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from typing import Generic, TypeVar

T = TypeVar("T")
N = TypeVar("N", int, float)
Check = Callable[[T], str | None]  # what is wrong with a value, or None

TRUE, FALSE = ("1", "true", "yes", "on"), ("0", "false", "no", "off")


class ConfigurationError(ValueError):
    pass


def flag(raw: str) -> bool:
    """The one boolean parser: 1/true/yes/on or 0/false/no/off, in any case."""
    word = raw.strip().lower()
    if word not in TRUE + FALSE:
        raise ValueError(f"must be one of {'/'.join(TRUE)} or {'/'.join(FALSE)}, not {raw!r}")
    return word in TRUE


def whole_number(raw: str) -> int:
    try:
        return int(raw.strip())
    except ValueError:
        raise ValueError(f"must be a whole number, not {raw!r}") from None


def number(raw: str) -> float:
    try:
        return float(raw.strip())
    except ValueError:
        raise ValueError(f"must be a number, not {raw!r}") from None


def text(raw: str) -> str:
    return raw


def at_least(low: N, meaning: str = "") -> Check[N]:
    return lambda value: None if value >= low else f"must be {low:g}{meaning} or more"


def within(low: N, high: N, *, above_low: bool = False) -> Check[N]:
    def check(value: N) -> str | None:
        inside = (low < value if above_low else low <= value) and value <= high
        lowest = f"over {low:g}" if above_low else f"{low:g}"
        return None if inside else f"must be {lowest}, at most {high:g}"

    return check


def accepted_by(build: Callable[[T], object]) -> Check[T]:
    """Valid when `build` takes the value (its ValueError says why not)."""

    def check(value: T) -> str | None:
        try:
            build(value)
        except ValueError as error:
            return str(error)
        return None

    return check


@dataclass(frozen=True, slots=True)
class Declared(Generic[T]):
    """One environment variable. `field` is the Settings field it fills (None: read where its
    meaning says, declared here so the table and --help name it); an unset or blank variable
    takes the default."""

    env: str
    default: T
    meaning: str
    parse: Callable[[str], T]
    field: str | None = None
    check: Check[T] | None = None
    shown: str | None = None  # the table's default column, when the default alone misleads

    def read(self, env: Mapping[str, str]) -> T:
        raw = env.get(self.env, "")
        if not raw.strip():
            return self.default
        try:
            return self.parse(raw)
        except ValueError as error:
            raise ConfigurationError(f"{self.env}: {error}") from None

    def validate(self, value: T) -> None:
        if self.check is not None and (problem := self.check(value)) is not None:
            raise ConfigurationError(f"{self.env}: {problem}")

    @property
    def default_shown(self) -> str:
        if self.shown is not None:
            return self.shown
        if self.default is None or self.default == "":
            return "*(none)*"
        if isinstance(self.default, bool):
            return f"`{str(self.default).lower()}`"
        if isinstance(self.default, float):
            return f"`{self.default:g}`"
        return f"`{self.default}`"


def markdown_table(declared: Iterable[Declared[object]]) -> str:
    rows = [f"| `{d.env}` | {d.default_shown} | {d.meaning} |" for d in declared]
    return "\n".join(["| variable | default | meaning |", "|---|---|---|", *rows])


def _plain(markdown: str) -> str:
    return re.sub(r"[`*]", "", markdown).replace("\\|", "|")


def help_text(declared: Iterable[Declared[object]]) -> str:
    """For a click epilog: one paragraph per variable."""
    return "\n\n".join(
        f"{d.env} (default {_plain(d.default_shown)}): {_plain(d.meaning)}" for d in declared
    )
