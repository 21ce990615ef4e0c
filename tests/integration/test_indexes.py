from typing import Any

import pytest
from pymongo.asynchronous.database import AsyncDatabase

from adapters.mongo.indexes import INDEXES, ensure_indexes, is_embedded_server

pytestmark = pytest.mark.integration


async def test_indexes_are_created_idempotently(mongo_db: AsyncDatabase[dict[str, Any]]) -> None:
    await ensure_indexes(mongo_db)
    await ensure_indexes(mongo_db)

    embedded = await is_embedded_server(mongo_db)
    for collection, models in INDEXES.items():
        present = await mongo_db[collection].index_information()
        # Compare fields and uniqueness: nx-27017 keeps neither names nor directions.
        shapes = {
            (tuple(field for field, _ in index["key"]), bool(index.get("unique")))
            for index in present.values()
        }
        for model in models:
            fields = tuple(model.document["key"])
            if embedded and len(fields) > 1 and "_id" in fields:
                continue
            assert (fields, bool(model.document.get("unique"))) in shapes, (collection, fields)


async def test_key_hashes_are_unique_at_the_database(
    mongo_db: AsyncDatabase[dict[str, Any]],
) -> None:
    from pymongo.errors import DuplicateKeyError

    await ensure_indexes(mongo_db)
    await mongo_db.api_keys.insert_one({"_id": "a", "key_hash": "h"})
    with pytest.raises(DuplicateKeyError):
        await mongo_db.api_keys.insert_one({"_id": "b", "key_hash": "h"})
