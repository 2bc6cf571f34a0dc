"""What every page of the web app shares: the app's parts (`Web`), the
signed-in session, CSRF checks, rendering, the error pages and the security
headers.

Pages are routes of `PageRoute`, so every answer of the web app, error pages
included, carries the same headers, and a refusal raised anywhere in a page
(a missing sign-in, a failed CSRF check, a malformed form) becomes a page in
Norwegian rather than the API's problem+json.
"""

from __future__ import annotations

from collections.abc import Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass
from typing import Annotated, Any
from uuid import UUID

import structlog
from fastapi import Depends, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.responses import RedirectResponse
from fastapi.routing import APIRoute
from fastapi.templating import Jinja2Templates

from commands.application import LedgerApplication
from ledger.profiles import MUNICIPALITY_NAMES
from ledger.values import Actor
from reads.service import ReadService
from web.config import WebConfig
from web.labels import ROLE_NAMES
from web.oidc import OidcClient
from web.sessions import Session, Sessions

log = structlog.get_logger("ledger.web")

SAFE_METHODS = frozenset({"GET", "HEAD", "OPTIONS"})
CSRF_FIELD = "csrf_token"
CSRF_HEADER = "X-CSRF-Token"

# No inline script or style anywhere (htmx's own indicator style is turned off
# in the page's htmx-config); Designsystemet draws some icons as data: URLs.
CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "style-src 'self'",
        "img-src 'self' data:",
        "font-src 'self'",
        "connect-src 'self'",
        "form-action 'self'",
        "frame-ancestors 'none'",
        "base-uri 'none'",
        "object-src 'none'",
    )
)
PAGE_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
    # Every page names the person signed in, and most show a case: nothing is kept by the browser or a proxy.
    "Cache-Control": "no-store",
}


@dataclass
class Web:
    """The web app's parts, built by the composition root."""

    config: WebConfig
    sessions: Sessions
    templates: Jinja2Templates
    # The people the development sign-in offers (the demo data set's staff).
    people: Callable[[], Sequence[Actor]]
    oidc: OidcClient | None = None
    # The command and read services the pages use (None only in tests of sign-in alone).
    commands: LedgerApplication | None = None
    reads: ReadService | None = None
    # The case each of `people` who is a person or guardian opens "Min plan" on, by their id.
    person_cases: Callable[[], Mapping[str, UUID]] = dict


class PageError(Exception):
    """A page that answers with an error page: a Norwegian title and text."""

    def __init__(self, status: int, title: str, text: str) -> None:
        super().__init__(title)
        self.status = status
        self.title = title
        self.text = text


def not_found() -> PageError:
    return PageError(404, "Siden finnes ikke", "Adressen du fulgte, finnes ikke her.")


class SignInRequired(Exception):
    """The page needs a signed-in person; `expired` when a session ran out."""

    def __init__(self, expired: bool) -> None:
        super().__init__("sign-in required")
        self.expired = expired


def web_of(request: Request) -> Web:
    web: Web = request.app.state.web
    return web


# --------------------------------------------------------------- sessions
def current_session(request: Request) -> Session | None:
    """The live session of this request's cookie (looked up once per request)."""
    if not hasattr(request.state, "web_session"):
        web = web_of(request)
        request.state.web_session = web.sessions.find(request.cookies.get(web.config.cookie_name))
    session: Session | None = request.state.web_session
    return session


def signed_in(request: Request) -> Session:
    session = current_session(request)
    if session is None or session.actor is None:
        cookie = request.cookies.get(web_of(request).config.cookie_name)
        raise SignInRequired(expired=cookie is not None and session is None)
    return session


CurrentSession = Annotated[Session | None, Depends(current_session)]
SignedIn = Annotated[Session, Depends(signed_in)]


def secure_request(request: Request) -> bool:
    return web_of(request).config.secure_cookies or request.url.scheme == "https"


def set_session_cookie(request: Request, response: Response, session: Session) -> None:
    # No Max-Age: the cookie goes when the browser closes; the server's time-outs decide before that.
    response.set_cookie(
        web_of(request).config.cookie_name,
        session.token,
        httponly=True,
        samesite="lax",
        secure=secure_request(request),
        path="/",
    )


def clear_session_cookie(request: Request, response: Response) -> None:
    response.delete_cookie(
        web_of(request).config.cookie_name, httponly=True, samesite="lax", secure=secure_request(request), path="/"
    )


# ------------------------------------------------------------------- CSRF
async def csrf_protect(request: Request) -> None:
    """Every unsafe request carries the session's CSRF token, in the form
    (`csrf_token`) or, for htmx, in the `X-CSRF-Token` header."""
    if request.method in SAFE_METHODS:
        return
    token = request.headers.get(CSRF_HEADER)
    if token is None and request.headers.get("content-type", "").startswith(
        ("application/x-www-form-urlencoded", "multipart/form-data")
    ):
        value = (await request.form()).get(CSRF_FIELD)
        token = value if isinstance(value, str) else None
    if not web_of(request).sessions.csrf_matches(current_session(request), token):
        log.info("web.csrf_refused", path=request.url.path)
        raise PageError(
            403,
            "Skjemaet kunne ikke sendes",
            "Skjemaet manglet et gyldig sikkerhetsmerke, så ingenting ble lagret. "
            "Det skjer når siden har stått åpen lenge eller du er logget ut. Last inn siden på nytt og prøv igjen.",
        )


# -------------------------------------------------------------- rendering
def render(
    request: Request, template: str, context: dict[str, Any] | None = None, *, status_code: int = 200
) -> Response:
    session = current_session(request)
    actor = session.actor if session else None
    base = {
        "actor": actor,
        "role_name": ROLE_NAMES.get(actor.role, actor.role.value) if actor else None,
        "municipality_name": MUNICIPALITY_NAMES.get(actor.municipality, actor.municipality) if actor else None,
        "csrf_token": session.csrf_token if session else None,
        # Called by the layout only, so a partial page (htmx) leaves the message for the next full one.
        "take_flash": (lambda: web_of(request).sessions.take_flash(session)) if session else (lambda: None),
    }
    return web_of(request).templates.TemplateResponse(
        request, template, {**base, **(context or {})}, status_code=status_code
    )


def redirect(url: str) -> RedirectResponse:
    # 303: after a form post the browser fetches the next page with GET.
    return RedirectResponse(url, status_code=303)


class PageRoute(APIRoute):
    """A web page: its refusals become pages, and every answer gets the page headers."""

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def page(request: Request) -> Response:
            try:
                response = await handler(request)
            except SignInRequired as e:
                response = redirect("/logg-inn?utlopt=1" if e.expired else "/logg-inn")
                if e.expired:
                    clear_session_cookie(request, response)
            except PageError as e:
                response = render(request, "error.html", {"title": e.title, "text": e.text}, status_code=e.status)
            except RequestValidationError:
                response = render(
                    request,
                    "error.html",
                    {"title": "Skjemaet var ikke fullstendig", "text": "Gå tilbake, fyll ut skjemaet og prøv igjen."},
                    status_code=400,
                )
            response.headers.update(PAGE_HEADERS)
            return response

        return page
