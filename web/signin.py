"""Signing in and out.

Production: OpenID Connect (authorization code flow with PKCE) against the
configured provider. Development (not `production`): a page listing the demo
data set's people, one button each; it answers 404 in production. Either way
the person gets a new session (rotation) and the one they came with ends.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Annotated

import structlog
from fastapi import APIRouter, Depends, Form, Query, Request, Response

from ledger.identity import InvalidClaim, actor_from_claims
from ledger.profiles import MUNICIPALITY_NAMES
from ledger.values import Actor, Role
from web.labels import ROLE_NAMES
from web.oidc import OidcClient, SignInFailed
from web.page import (
    CurrentSession,
    PageError,
    PageRoute,
    clear_session_cookie,
    csrf_protect,
    not_found,
    redirect,
    render,
    set_session_cookie,
    web_of,
)
from web.sessions import Session

log = structlog.get_logger("ledger.web")

router = APIRouter(route_class=PageRoute, dependencies=[Depends(csrf_protect)], include_in_schema=False)

# The order roles are offered in on the development page.
ROLE_ORDER = (
    Role.KE_CASEWORKER,
    Role.UNIT_LEADER,
    Role.COORDINATOR,
    Role.SERVICE_PROVIDER,
    Role.CITIZEN,
    Role.GUARDIAN,
)


def _failed() -> PageError:
    return PageError(
        400,
        "Innloggingen ble ikke fullført",
        "Vi fikk ikke bekreftet hvem du er. Start innloggingen på nytt; hjelper ikke det, kontakt brukerstøtte.",
    )


@router.get("/logg-inn")
def sign_in_page(request: Request, utlopt: Annotated[bool, Query()] = False) -> Response:
    """Where a person who is not signed in lands."""
    web = web_of(request)
    return render(
        request,
        "sign_in.html",
        {"oidc": web.oidc is not None, "dev_sign_in": web.config.dev_sign_in, "expired": utlopt},
    )


@router.get("/logg-inn/oidc")
def oidc_start(request: Request, session: CurrentSession) -> Response:
    """Sends the browser to the provider, remembering what its answer must match."""
    web = web_of(request)
    if web.oidc is None:
        raise not_found()
    try:
        url, pending = web.oidc.begin(_redirect_url(request, web.oidc))
    except SignInFailed as e:
        log.warning("web.oidc_unavailable", reason=str(e))
        raise PageError(
            503, "Innlogging er ikke tilgjengelig", "Vi får ikke kontakt med innloggingstjenesten. Prøv igjen senere."
        ) from None
    session = web.sessions.begin_sign_in(session, pending)
    response = redirect(url)
    set_session_cookie(request, response, session)
    return response


@router.get("/logg-inn/oidc/tilbake", name="oidc_callback")
def oidc_callback(
    request: Request,
    session: CurrentSession,
    code: Annotated[str | None, Query(max_length=2000)] = None,
    state: Annotated[str | None, Query(max_length=200)] = None,
    error: Annotated[str | None, Query(max_length=200)] = None,
    iss: Annotated[str | None, Query(max_length=500)] = None,
) -> Response:
    """The provider's answer: a code to exchange for the person's verified claims."""
    web = web_of(request)
    if web.oidc is None:
        raise not_found()
    pending = session.pending if session else None
    if error is not None:
        log.info("web.oidc_error", error=error)
        raise PageError(400, "Innloggingen ble avbrutt", "Innloggingen ble avbrutt hos innloggingstjenesten.")
    if pending is None or not code or not state:
        raise _failed()
    try:
        claims = web.oidc.finish(
            pending, code=code, state=state, redirect_url=_redirect_url(request, web.oidc), iss=iss
        )
        actor = actor_from_claims(claims, web.config.municipalities)
    except SignInFailed as e:
        log.warning("web.oidc_refused", reason=str(e))
        raise _failed() from None
    except InvalidClaim as e:
        log.warning("web.oidc_claims_refused", claim=e.claim)
        raise PageError(
            403,
            "Du har ikke tilgang",
            "Innloggingen gikk bra, men brukeren din har ingen rolle eller kommune i koordineringsprotokollen.",
        ) from None
    return _signed_in(request, session, actor)


@router.get("/logg-inn/utvikling")
def dev_sign_in_page(request: Request, session: CurrentSession) -> Response:
    """Development only: sign in as one of the demo data set's people."""
    web = web_of(request)
    if not web.config.dev_sign_in:
        raise not_found()
    if session is None:
        # The form needs a CSRF token, and the token needs a session.
        session = web.sessions.start()
        request.state.web_session = session
    groups: dict[str, dict[Role, list[Actor]]] = defaultdict(lambda: defaultdict(list))
    for person in web.people():
        groups[person.municipality][person.role].append(person)
    municipalities = [
        {
            "number": number,
            "name": MUNICIPALITY_NAMES.get(number, number),
            "roles": [
                {"name": ROLE_NAMES.get(role, role.value), "people": roles[role]}
                for role in (*ROLE_ORDER, *(r for r in roles if r not in ROLE_ORDER))
                if roles.get(role)
            ],
        }
        for number, roles in sorted(groups.items(), key=lambda item: MUNICIPALITY_NAMES.get(item[0], item[0]))
    ]
    cases = {person: str(case_id) for person, case_id in web.person_cases().items()}
    response = render(request, "dev_sign_in.html", {"municipalities": municipalities, "cases": cases})
    set_session_cookie(request, response, session)
    return response


@router.post("/logg-inn/utvikling")
def dev_sign_in(request: Request, session: CurrentSession, person: Annotated[str, Form(max_length=200)]) -> Response:
    web = web_of(request)
    if not web.config.dev_sign_in:
        raise not_found()
    actor = next((p for p in web.people() if p.id == person), None)
    if actor is None:
        raise PageError(400, "Personen finnes ikke", "Velg en av personene på innloggingssiden.")
    case_id = web.person_cases().get(actor.id)
    # A guardian's "Min plan" is found by its link (no index of a guardian's children): go straight there.
    return _signed_in(request, session, actor, then=f"/min-plan?sak={case_id}" if case_id else "/")


@router.post("/logg-ut")
def sign_out(request: Request, session: CurrentSession) -> Response:
    """Ends the session here (the provider's own session is not touched)."""
    if session is not None:
        web_of(request).sessions.end(session)
        request.state.web_session = None
    response = render(request, "signed_out.html")
    clear_session_cookie(request, response)
    return response


def _signed_in(request: Request, previous: Session | None, actor: Actor, then: str = "/") -> Response:
    web = web_of(request)
    session = web.sessions.sign_in(previous, actor)
    # A citizen's or guardian's subject may itself identify the person: logged by role only, as reads are.
    log.info("web.signed_in", who=actor.reference().id, role=actor.role.value, municipality=actor.municipality)
    response = redirect(then)
    set_session_cookie(request, response, session)
    return response


def _redirect_url(request: Request, oidc: OidcClient) -> str:
    return oidc.config.redirect_url or str(request.url_for("oidc_callback"))
