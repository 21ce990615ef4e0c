"""/schema: Swagger UI from jsDelivr at a pinned version, each file checked by the browser
against the SHA-384 of the npm package's own file (Subresource Integrity), started by a
script this service serves, under a Content-Security-Policy that allows nothing else."""

from html import escape
from typing import Any

from litestar import Request, get
from litestar.openapi.plugins import SwaggerRenderPlugin
from litestar.router import Router

SWAGGER_UI_VERSION = "5.18.2"
ASSET_ORIGIN = "https://cdn.jsdelivr.net"
_ASSETS = f"{ASSET_ORIGIN}/npm/swagger-ui-dist@{SWAGGER_UI_VERSION}"
# From the files of swagger-ui-dist-5.18.2.tgz (npm), which jsDelivr serves byte for byte.
_CSS = "sha384-rcbEi6xgdPk0iWkAQzT2F3FeBJXdG+ydrawGlfHAFIZG7wU6aKbQaRewysYpmrlW"
_BUNDLE = "sha384-NXtFPpN61oWCuN4D42K6Zd5Rt2+uxeIT36R7kpXBuY9tLnZorzrJ4ykpqwJfgjpZ"
_PRESET = "sha384-qr68CD0cvHa88PmVu7e1a58Ego4qvKtcvcLdS2a8Mo5zILI01gyIV9jVwJk7X2NU"
_STARTER = "swagger-starter"

SCHEMA_PAGE_CSP = "; ".join(
    [
        "default-src 'none'",
        f"script-src 'self' {ASSET_ORIGIN}",
        f"style-src {ASSET_ORIGIN} 'unsafe-inline'",  # Swagger UI sets style attributes
        "img-src 'self' data:",  # its icons are data: SVGs
        "connect-src 'self'",  # the schema, and "Try it out" against this service
        "base-uri 'none'",
        "form-action 'none'",
        "frame-ancestors 'none'",
    ]
)

_STARTER_JS = """\
window.ui = SwaggerUIBundle({
  url: document.currentScript.dataset.specUrl,
  dom_id: "#swagger-container",
  deepLinking: true,
  showExtensions: true,
  showCommonExtensions: true,
  presets: [SwaggerUIBundle.presets.apis, SwaggerUIBundle.SwaggerUIStandalonePreset],
});
"""


@get(
    "/swagger-starter.js",
    name=_STARTER,
    media_type="text/javascript",
    include_in_schema=False,
    sync_to_thread=False,
)
def swagger_starter() -> str:
    return _STARTER_JS


class PinnedSwaggerUI(SwaggerRenderPlugin):
    def __init__(self) -> None:
        super().__init__(version=SWAGGER_UI_VERSION, favicon="", style="")

    def receive_router(self, router: Router) -> None:
        router.register(swagger_starter)

    def render(self, request: Request[Any, Any, Any], openapi_schema: dict[str, Any]) -> bytes:
        title = escape(str(openapi_schema["info"]["title"]))
        spec_url = escape(self.get_openapi_json_route(request))
        starter_url = escape(request.app.route_reverse(_STARTER))
        return f"""<!DOCTYPE html>
<html>
  <head>
    <title>{title}</title>
    <meta charset="utf-8">
    <meta name="viewport" content="width=device-width, initial-scale=1">
    <link rel="stylesheet" {_pinned("href", "swagger-ui.css", _CSS)}>
    <script {_pinned("src", "swagger-ui-bundle.js", _BUNDLE)}></script>
    <script {_pinned("src", "swagger-ui-standalone-preset.js", _PRESET)}></script>
  </head>
  <body>
    <div id="swagger-container"></div>
    <script src="{starter_url}" data-spec-url="{spec_url}"></script>
  </body>
</html>
""".encode()


def _pinned(attribute: str, file: str, integrity: str) -> str:
    return f'{attribute}="{_ASSETS}/{file}" integrity="{integrity}" crossorigin="anonymous"'
