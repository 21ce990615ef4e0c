"""Name lookups for webhooks on c-ares, against a DNS server on loopback (issue 20, item 3):
one tenant's names that never answer tie up nothing another tenant's lookups need, and
answers are cached for their TTL in a bounded cache."""

import asyncio

import pytest

from adapters.webhooks.resolver import DnsResolver
from tests.support.dns_server import AAAA, serving_dns

pytestmark = pytest.mark.integration
PUBLIC = "93.184.215.14"


class Ticking:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


async def test_hung_lookups_of_one_tenant_leave_another_tenants_lookups_answered() -> None:
    async with serving_dns({"hooks.b.test": PUBLIC}) as dns:
        resolver = DnsResolver(nameservers=[dns.nameserver], timeout_seconds=3.0)
        hanging = [asyncio.create_task(resolver.addresses(f"n{n}.a.hang.test")) for n in range(100)]
        await dns.silenced(100)

        answered = await resolver.addresses("hooks.b.test")
        still_hanging = sum(1 for task in hanging if not task.done())
        refused = await asyncio.gather(*hanging)
        await resolver.close()

    assert answered == [PUBLIC]
    assert still_hanging == 100  # B was answered while all of A's lookups were in flight
    assert refused == [[]] * 100  # each hung lookup ends, bounded by its own timeout


async def test_answers_are_cached_for_their_ttl_in_a_bounded_cache() -> None:
    clock = Ticking()
    names = {"a.b.test": PUBLIC, "c.b.test": PUBLIC, "d.b.test": PUBLIC}
    async with serving_dns(names, ttl=1) as dns:
        resolver = DnsResolver(nameservers=[dns.nameserver], cache_entries=2, clock=clock)
        first = await resolver.addresses("a.b.test")
        cached = await resolver.addresses("a.b.test")
        asked_while_fresh = dns.asked_for("a.b.test")
        clock.now += 2
        await asyncio.sleep(1.5)  # c-ares keeps a cache of its own, on the real clock
        await resolver.addresses("a.b.test")
        asked_after_ttl = dns.asked_for("a.b.test")
        await resolver.addresses("c.b.test")
        await resolver.addresses("d.b.test")  # a.b.test is the least recently used: evicted
        await asyncio.sleep(1.5)
        await resolver.addresses("a.b.test")
        asked_after_eviction = dns.asked_for("a.b.test")
        await resolver.close()

    assert first == cached == [PUBLIC]
    assert asked_while_fresh == 1
    assert asked_after_ttl == 2
    assert asked_after_eviction == 3
    assert ("a.b.test", AAAA) in dns.asked  # IPv6 is asked for too


async def test_literals_need_no_lookup_and_unknown_names_resolve_to_nothing() -> None:
    async with serving_dns({}) as dns:
        resolver = DnsResolver(nameservers=[dns.nameserver])
        v4 = await resolver.addresses("93.184.215.14")
        v6 = await resolver.addresses("2606:4700::1111")
        unknown = await resolver.addresses("nowhere.b.test")
        await resolver.close()

    assert v4 == ["93.184.215.14"]
    assert v6 == ["2606:4700::1111"]
    assert unknown == []
    assert {name for name, _ in dns.asked} == {"nowhere.b.test"}
