from entrypoints.storage import MongoStorage
from tests.fakes.storage import FakeStorage
from tests.support.world import fake_world


def test_the_fake_storage_group_replaces_every_repository_of_the_real_one() -> None:
    wired = set(MongoStorage.providers) - {"settings", "metrics", "db", "unreadable"}
    assert set(FakeStorage.providers) == wired


def test_the_container_reaches_the_fakes_through_its_own_names() -> None:
    world = fake_world()
    assert world.container.calls() is world.calls
    assert world.container.store() is world.store
    assert world.container.agents()._inner is world.agents  # behind the read-through cache
