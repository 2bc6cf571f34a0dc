"""The HTTP server's application: the API with the web app beside it.

`ledger serve` runs `create_app` (uvicorn's factory). The API and the web app
are independent entrances; only this composition root knows both.
"""

from __future__ import annotations

import functools
from datetime import timedelta

from fastapi import FastAPI

from api.main import create_app as create_api
from app.bootstrap import Ledger, build
from app.logging import configure_logging
from app.settings import Settings
from demo.dataset import demo_staff
from store.sessions import SqlSessionStore
from web.app import install
from web.config import OidcClientConfig, WebConfig
from web.oidc import OidcClient
from web.sessions import Sessions


def create_app(ledger: Ledger | None = None, *, run_projections: bool | None = None) -> FastAPI:
    if ledger is None:
        # Started on its own (uvicorn --factory): log with the ledger's redaction.
        configure_logging()
    led = ledger or build()
    app = create_api(led, run_projections=run_projections)
    install_web(app, led)
    return app


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
        # Development signs in as the demo data set's staff; production offers nobody.
        people=tuple if config.production else functools.cache(demo_staff),
        oidc=OidcClient(config.oidc) if config.oidc else None,
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
    return WebConfig(production=web.production, secure_cookies=web.secure_cookies, oidc=oidc)
