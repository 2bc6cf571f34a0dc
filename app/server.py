"""The HTTP server's application: the API with the web app beside it.

`create_app` builds the ledger (or takes one a test built), puts the API in
front of its command and read services and installs the web app beside it.
The API and the web app are independent entrances; only this composition
root knows both. Run with `ledger serve`, or
`uvicorn app.server:create_app --factory`.
"""

from __future__ import annotations

import functools
import gc
import os
from datetime import timedelta

from fastapi import FastAPI

from api.auth import TokenVerifier
from api.main import build_api
from app.bootstrap import Ledger, build
from app.logging import configure_logging
from app.settings import Settings
from demo.sign_in import demo_people, demo_person_cases
from store.sessions import SqlSessionStore
from web.app import install
from web.config import OidcClientConfig, WebConfig
from web.oidc import OidcClient
from web.sessions import Sessions


def create_app(ledger: Ledger | None = None, *, run_projections: bool | None = None) -> FastAPI:
    """`run_projections` (default: LEDGER_PROJECTIONS != "external") keeps the
    projections up to date in a background thread of this process."""
    if ledger is None:
        # Started on its own (uvicorn --factory): log with the ledger's
        # redaction, as `ledger serve` does. Tests pass their own ledger.
        configure_logging()
    # A serving process: short database waits, so a lost database is a quick 503 (store.config.Timeouts).
    led = ledger or build(Settings.from_env(service=True))
    if run_projections is None:
        run_projections = os.environ.get("LEDGER_PROJECTIONS", "inline") != "external"
    app = build_api(led.app, led.reads, token_verifier(led.settings), led.directory, led.settings.edge)
    install_web(app, led)
    if run_projections:
        stop = led.projections.start_background()
        app.router.on_shutdown.append(stop.set)
    if ledger is None:
        settle()
    return app


# Container objects allocated between two young collections (Python's default: 700). A page of a
# large case makes tens of thousands; at 700 it set off ~20 young, 2 middle and now and then a full
# collection per request.
YOUNG_COLLECTION = 20_000


def settle() -> None:
    """Called once a serving process has built what it keeps for its lifetime (the modules, the
    app, the ledger's services): those objects are moved out of the garbage collector's sight
    (`gc.freeze`), so a full collection, which the many objects of a large case's page set off now
    and then, walks only what was made since, not the hundreds of thousands the process started
    with; and the young generation is let grow larger before it is collected, so full collections
    come less often. On the case page of a 1,000-event case a full collection took up to 0.28 s
    under load (the page's p95), 0.03 s frozen, and the larger young generation took another
    tenth off p50 and p95 (bench/web_case.py). Tests, which build many apps, do neither."""
    gc.collect()
    gc.freeze()
    _, middle, old = gc.get_threshold()
    gc.set_threshold(YOUNG_COLLECTION, middle, old)


def token_verifier(settings: Settings) -> TokenVerifier:
    return TokenVerifier(
        secret=settings.jwt_secret,
        jwks_url=settings.oidc_jwks_url,
        max_lifetime=settings.edge.token_max_lifetime,
        municipalities=frozenset(settings.edge.municipalities),
        **({"issuer": settings.oidc_issuer} if settings.oidc_issuer else {}),
        **({"audience": settings.oidc_audience} if settings.oidc_audience else {}),
    )


def install_web(app: FastAPI, ledger: Ledger) -> None:
    settings = ledger.settings
    config = web_config(settings)
    sessions = Sessions(
        SqlSessionStore.for_recorder(ledger.app.recorder),
        ledger.clock,
        idle=timedelta(minutes=settings.web.session_idle_minutes),
        absolute=timedelta(hours=settings.web.session_max_hours),
    )
    install(
        app,
        config=config,
        sessions=sessions,
        # Development signs in as the demo data set's staff and people; production offers nobody.
        people=tuple if config.production else functools.cache(demo_people),
        person_cases=dict if config.production else functools.cache(demo_person_cases),
        oidc=OidcClient(config.oidc) if config.oidc else None,
        commands=ledger.app,
        reads=ledger.reads,
    )


def web_config(settings: Settings) -> WebConfig:
    web = settings.web
    oidc = None
    if web.oidc_client_id and settings.oidc_issuer:
        oidc = OidcClientConfig(
            issuer=settings.oidc_issuer,
            client_id=web.oidc_client_id,
            client_secret=web.oidc_client_secret,
            redirect_url=web.oidc_redirect_url,
            scopes=web.oidc_scopes,
        )
    return WebConfig(
        production=web.production,
        secure_cookies=web.secure_cookies,
        oidc=oidc,
        municipalities=frozenset(settings.edge.municipalities),
    )
