"""What every command shares: settings, running a use case in a container (domain errors
become usage errors or messages), printing a view or a line for people."""

import asyncio
import json
import os
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from datetime import datetime
from typing import TypeVar

import click
import msgspec

from domain.errors import (
    Conflict,
    Invalid,
    InvalidOrigin,
    InvalidWebhookEvent,
    InvalidWebhookUrl,
    NotFound,
    StorageError,
)
from domain.pagination import MAX_LIMIT, Page, PageRequest
from entrypoints.container import Container
from entrypoints.logs import printable
from entrypoints.runtime import resolved_database, running_container
from entrypoints.settings import ConfigurationError, Settings

T = TypeVar("T")
_OPTION_OF: dict[type[Invalid], str] = {
    InvalidOrigin: "'--origin'",
    InvalidWebhookUrl: "'URL'",
    InvalidWebhookEvent: "'--event'",
}


def settings_from_env(dev: bool = False) -> Settings:
    try:
        return Settings.from_env(os.environ, dev=dev)
    except ConfigurationError as error:
        raise click.UsageError(str(error)) from error


def run(action: Callable[[Container], Awaitable[T]], settings: Settings | None = None) -> T:
    async def in_container(resolved: Settings) -> T:
        async with running_container(resolved) as container:
            return await action(container)

    with domain_errors_told(), resolved_database(settings or settings_from_env()) as resolved:
        return asyncio.run(in_container(resolved))


@contextmanager
def domain_errors_told() -> Iterator[None]:
    """A refused command is a message (exit 1) or a usage error (exit 2), never a traceback."""
    try:
        yield
    except NotFound as error:
        raise click.ClickException(f"not found: {error.what} {error}".rstrip()) from error
    except Invalid as error:
        raise click.BadParameter(str(error), param_hint=_OPTION_OF.get(type(error))) from error
    except Conflict as error:
        raise click.ClickException(f"{error.what} not available: {error}") from error
    except StorageError as error:
        raise click.ClickException(f"MongoDB: {error}") from error


def emit(as_json: bool, payload: object, human: str) -> None:
    """`payload`: the resource's view (entrypoints/views.py), exactly as the API answers it.
    The JSON is ASCII (every control, C1 and bidi character escaped) and every human line
    goes through printable(), since stored data (a URL, a description) may carry terminal
    escapes."""
    if as_json:
        click.echo(json.dumps(msgspec.to_builtins(payload)))
    else:
        click.echo("\n".join(printable(line) for line in human.split("\n")))


json_option = click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")


async def every_page(
    list_page: Callable[[str, PageRequest], Awaitable[Page[T]]], tenant_id: str
) -> list[T]:
    """All of a tenant's items, page after page of a cursor-paged use case."""
    page = await list_page(tenant_id, PageRequest(limit=MAX_LIMIT))
    found = list(page.items)
    while page.next is not None:
        page = await list_page(tenant_id, PageRequest(limit=MAX_LIMIT, after=page.next))
        found += page.items
    return found


def iso(moment: datetime | None) -> str | None:
    return None if moment is None else moment.isoformat()
