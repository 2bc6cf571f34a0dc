"""Security headers on every response (issue #10), added by one pure ASGI middleware around the
whole application, the API's answers and the web app's pages alike.

A header a response already carries is left as it is: the web app's pages set their own
Content-Security-Policy (web/page.py: PAGE_HEADERS) and this never weakens it. What is added:

* `Content-Security-Policy: default-src 'none'; frame-ancestors 'none'`: an API answer is data,
  never a document to run (the interactive documentation has a policy of its own, `DOCS_CSP`);
* `X-Content-Type-Options: nosniff`, `Referrer-Policy: no-referrer`;
* `Cache-Control: no-store` on every answer under /v1 but the health checks: they carry national
  ids, health information and who read what, which no browser or proxy may keep;
* `Strict-Transport-Security` when the request came over HTTPS or the deployment says it is
  served over HTTPS only (LEDGER_ASSUME_HTTPS, behind a proxy that ends TLS).
"""

from __future__ import annotations

from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

API_CSP = "default-src 'none'; frame-ancestors 'none'"
# Swagger UI and ReDoc (development only, see README) load their script and styles from a CDN
# and start with an inline script; nothing else is allowed.
DOCS_CSP = (
    "default-src 'none'; script-src 'unsafe-inline' https://cdn.jsdelivr.net; "
    "style-src 'unsafe-inline' https://cdn.jsdelivr.net https://fonts.googleapis.com; "
    "font-src https://fonts.gstatic.com; img-src 'self' data: https://fastapi.tiangolo.com https://cdn.jsdelivr.net; "
    "connect-src 'self'; worker-src blob:; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
HSTS = "max-age=31536000; includeSubDomains"
DOCS_PATHS = ("/docs", "/redoc")
UNCACHED_EXCEPT = ("/v1/health",)


def personal(path: str) -> bool:
    """Whether an answer on `path` may carry personal data: everything under /v1 but health."""
    return path.startswith("/v1") and not path.startswith(UNCACHED_EXCEPT)


class SecurityHeaders:
    def __init__(self, app: ASGIApp, *, assume_https: bool = False) -> None:
        self.app = app
        self.assume_https = assume_https

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        path: str = scope["path"]
        https = self.assume_https or scope.get("scheme") == "https"

        async def with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                headers.setdefault("Content-Security-Policy", DOCS_CSP if path.startswith(DOCS_PATHS) else API_CSP)
                headers.setdefault("X-Content-Type-Options", "nosniff")
                headers.setdefault("Referrer-Policy", "no-referrer")
                if personal(path):  # never weaker, whatever a route said
                    headers["Cache-Control"] = "no-store"
                if https:
                    headers.setdefault("Strict-Transport-Security", HSTS)
            await send(message)

        await self.app(scope, receive, with_headers)
