"""/schema (Swagger UI): every file from elsewhere pinned by version and SHA-384, under a CSP."""

from html.parser import HTMLParser

import httpx

ASSET_ORIGIN = "https://cdn.jsdelivr.net/"


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.tags: list[tuple[str, dict[str, str | None]]] = []
        self.inline_scripts: list[str] = []
        self._in_script = False

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        self.tags.append((tag, dict(attrs)))
        self._in_script = tag == "script"

    def handle_endtag(self, tag: str) -> None:
        self._in_script = False

    def handle_data(self, data: str) -> None:
        if self._in_script and data.strip():
            self.inline_scripts.append(data)


def _tags(page: str) -> _Tags:
    parser = _Tags()
    parser.feed(page)
    return parser


def _directives(policy: str) -> dict[str, list[str]]:
    parts = [directive.split() for directive in policy.split(";") if directive.strip()]
    return {name: values for name, *values in parts}


async def test_every_asset_from_the_cdn_is_pinned_by_version_and_integrity(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/schema")
    assert page.status_code == 200
    parsed = _tags(page.text)
    external = [
        attrs
        for tag, attrs in parsed.tags
        if (attrs.get("src") or attrs.get("href") or "").startswith(("http:", "https:", "//"))
    ]

    assert len(external) == 3  # Swagger UI's stylesheet, bundle and standalone preset
    for attrs in external:
        url = attrs.get("src") or attrs.get("href") or ""
        assert url.startswith(ASSET_ORIGIN + "npm/swagger-ui-dist@5."), url
        assert (attrs.get("integrity") or "").startswith("sha384-"), url
        assert attrs.get("crossorigin") == "anonymous", url
    assert parsed.inline_scripts == []


async def test_the_schema_page_has_a_csp_that_runs_only_its_own_and_the_pinned_scripts(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/schema")
    policy = _directives(page.headers["content-security-policy"])

    assert policy["default-src"] == ["'none'"]
    assert policy["script-src"] == ["'self'", ASSET_ORIGIN.rstrip("/")]
    assert policy["connect-src"] == ["'self'"]
    assert policy["frame-ancestors"] == ["'none'"]
    assert policy["base-uri"] == ["'none'"]
    assert not [value for values in policy.values() for value in values if value == "*"]
    assert page.headers["x-content-type-options"] == "nosniff"


async def test_the_page_starts_swagger_ui_with_a_script_the_service_serves(
    client: httpx.AsyncClient,
) -> None:
    page = await client.get("/schema")
    local = [
        attrs
        for tag, attrs in _tags(page.text).tags
        if tag == "script" and (attrs.get("src") or "").startswith("/")
    ]
    assert [attrs["data-spec-url"] for attrs in local] == ["/schema/openapi.json"]

    script = await client.get(local[0]["src"] or "")
    assert script.status_code == 200
    assert script.headers["content-type"].startswith("text/javascript")
    assert "SwaggerUIBundle(" in script.text
    assert "dataset.specUrl" in script.text
