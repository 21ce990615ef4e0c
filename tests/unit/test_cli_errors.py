"""The CLI tells each kind of refusal by its base class: not found, invalid, not available."""

import click
import pytest

from domain import errors
from domain.errors import (
    AgentNotFound,
    Conflict,
    DispatchNameTaken,
    Invalid,
    InvalidOrigin,
    NotFound,
    StorageUnavailable,
    TenantNotFound,
)
from entrypoints.cli.common import domain_errors_told


def _raised(error: Exception) -> click.ClickException:
    with pytest.raises(click.ClickException) as told, domain_errors_told():
        raise error
    return told.value


def test_every_missing_thing_is_a_not_found_and_every_refused_input_an_invalid() -> None:
    bases = (NotFound, Invalid, Conflict)
    classes = [c for c in vars(errors).values() if isinstance(c, type) and c not in bases]
    assert {c.__name__ for c in classes if c.__name__.endswith("NotFound")} == {
        c.__name__ for c in classes if issubclass(c, NotFound)
    }
    assert {c.__name__ for c in classes if c.__name__.startswith("Invalid")} == {
        c.__name__ for c in classes if issubclass(c, Invalid)
    }
    assert issubclass(DispatchNameTaken, Conflict)


@pytest.mark.parametrize(
    ("error", "exit_code", "said"),
    [
        (TenantNotFound("t-1"), 1, "not found: tenant t-1"),
        (AgentNotFound("desk"), 1, "not found: agent desk"),
        (AgentNotFound(), 1, "not found: agent"),
        (InvalidOrigin("ftp://x", "is not http or https"), 2, "'--origin'"),
        (DispatchNameTaken("desk"), 1, "dispatch name not available: desk"),
        (StorageUnavailable("timed out"), 1, "MongoDB: timed out"),
    ],
)
def test_each_refusal_is_told_without_a_traceback(
    error: Exception, exit_code: int, said: str
) -> None:
    told = _raised(error)
    assert told.exit_code == exit_code
    shown = told.format_message() + str(getattr(told, "param_hint", ""))
    assert said in shown
