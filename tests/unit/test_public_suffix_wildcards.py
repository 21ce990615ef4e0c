"""A wildcard origin over a public suffix would let every site under it use the key: any
GitHub Pages site for `https://*.github.io`, any British company for `https://*.co.uk`
(issue 20, item 9). The Public Suffix List comes from a package that ships it."""

import httpx
import pytest

from adapters.public_suffixes import BundledPublicSuffixList
from tests.support.http import assert_problem, bearer
from tests.support.world import Seeded, World

KEYS = "/v1/publishable-keys"
SHOP = "https://shop.example.com"


@pytest.mark.parametrize(
    "wildcard",
    [
        "https://*.github.io",
        "https://*.co.uk",
        "https://*.CO.UK",
        "https://*.s3.amazonaws.com",
        "https://*.pages.dev",
        "https://*.com.au:8443",
        "https://*.gov.uk",
    ],
)
async def test_a_wildcard_over_a_public_suffix_is_400_and_nothing_is_stored(
    client: httpx.AsyncClient, seeded: Seeded, world: World, wildcard: str
) -> None:
    refused = await client.post(
        KEYS, json={"origins": [SHOP, wildcard]}, headers=bearer(seeded.api_key)
    )

    problem = assert_problem(refused, 400, "invalid_origin")
    assert problem["errors"][0]["field"] == "origins[1]"
    assert "public suffix" in problem["errors"][0]["message"]
    assert world.publishable_keys.items == {}


@pytest.mark.parametrize(
    "wildcard",
    ["https://*.example.com", "https://*.alice.github.io", "https://*.shop.co.uk"],
)
async def test_a_wildcard_over_a_registrable_domain_is_still_accepted(
    client: httpx.AsyncClient, seeded: Seeded, wildcard: str
) -> None:
    created = await client.post(KEYS, json={"origins": [wildcard]}, headers=bearer(seeded.api_key))
    assert created.status_code == 201, created.text
    assert created.json()["origins"] == [wildcard]


def test_the_bundled_list_knows_icann_and_private_suffixes() -> None:
    suffixes = BundledPublicSuffixList()
    for public in ("com", "co.uk", "github.io", "s3.amazonaws.com", "blogspot.com", "ck"):
        assert suffixes.is_public_suffix(public), public
    for registrable in ("example.com", "alice.github.io", "shop.co.uk", "www.ck"):
        assert not suffixes.is_public_suffix(registrable), registrable
