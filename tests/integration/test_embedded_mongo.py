import socket
from pathlib import Path

import pytest
from pymongo import AsyncMongoClient

from adapters.embedded_mongo import EmbeddedMongo

pytestmark = pytest.mark.integration


def _listening(port: int) -> bool:
    with socket.socket() as sock:
        return sock.connect_ex(("127.0.0.1", port)) == 0


async def test_starts_answers_and_stops(tmp_path: Path) -> None:
    with EmbeddedMongo(tmp_path / "mongo") as embedded:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(embedded.uri)
        assert (await client.admin.command("ping"))["ok"] == 1
        await client.close()
        port = embedded.port
    assert not _listening(port)
    assert not (tmp_path / "mongo" / "server.json").exists()


def test_a_second_process_reuses_the_running_server(tmp_path: Path) -> None:
    with EmbeddedMongo(tmp_path / "mongo") as first:
        second = EmbeddedMongo(tmp_path / "mongo").start()
        assert second.port == first.port
        assert not second.owned
        second.stop()
        assert _listening(first.port)


def test_data_survives_a_restart(tmp_path: Path) -> None:
    import asyncio

    async def write_then_read(uri: str, write: bool) -> object:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(uri)
        if write:
            await client.db.things.insert_one({"_id": "kept"})
        found = await client.db.things.find_one({"_id": "kept"})
        await client.close()
        return found

    with EmbeddedMongo(tmp_path / "mongo") as embedded:
        asyncio.run(write_then_read(embedded.uri, write=True))
    with EmbeddedMongo(tmp_path / "mongo") as embedded:
        assert asyncio.run(write_then_read(embedded.uri, write=False)) == {"_id": "kept"}


def _modes(data_dir: Path) -> dict[str, int]:
    return {
        str(path.relative_to(data_dir.parent)): path.stat().st_mode & 0o777
        for path in [data_dir, *data_dir.rglob("*")]
    }


async def test_only_the_owner_can_read_the_data_directory_and_its_files(tmp_path: Path) -> None:
    data_dir = tmp_path / "mongo"
    with EmbeddedMongo(data_dir) as embedded:
        client: AsyncMongoClient[dict[str, object]] = AsyncMongoClient(embedded.uri)
        await client.db.things.insert_one({"_id": "private"})
        await client.close()
        modes = _modes(data_dir)

    assert modes["mongo"] == 0o700
    files = {name: mode for name, mode in modes.items() if name != "mongo"}
    assert "mongo/db.sqlite" in files
    assert "mongo/server.json" in files
    assert {name: mode & 0o077 for name, mode in files.items()} == dict.fromkeys(files, 0)


def test_files_left_readable_by_an_earlier_version_are_tightened(tmp_path: Path) -> None:
    data_dir = tmp_path / "mongo"
    data_dir.mkdir(mode=0o755)
    (data_dir / "db.sqlite").touch(mode=0o644)
    (data_dir / "db.sqlite").chmod(0o644)
    with EmbeddedMongo(data_dir):
        modes = _modes(data_dir)
    assert modes["mongo"] == 0o700
    assert modes["mongo/db.sqlite"] == 0o600
