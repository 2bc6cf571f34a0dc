"""Puts the web app into a FastAPI application: its pages, its own static
files and the front-end packages' files, served from `node_modules`.

Only the files pages load are reachable (by folder and suffix): not the
packages' manifests, and nothing of the test tools installed beside them.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from pathlib import Path
from uuid import UUID

import jinja2
from fastapi import FastAPI, HTTPException
from fastapi.staticfiles import StaticFiles
from fastapi.templating import Jinja2Templates
from starlette.responses import Response
from starlette.types import Scope

from commands.application import LedgerApplication
from ledger.values import Actor
from reads.service import ReadService
from web import case_page, command_pages, display, min_plan_page, overview_page, signin, start, worklist_page
from web.config import WebConfig
from web.forms.jinja import install_helpers
from web.oidc import OidcClient
from web.page import Web
from web.sessions import Sessions
from web.templating import PageEnvironment

HERE = Path(__file__).resolve().parent

# URL folder -> (folder inside node_modules, suffixes served).
VENDOR = {
    "designsystemet": ("@digdir/designsystemet-css/dist", (".css",)),
    "inter": ("@fontsource-variable/inter", (".css", ".woff2")),
    "htmx": ("htmx.org/dist", (".js",)),
}


class _Files(StaticFiles):
    """Static files limited to some suffixes, sent with `nosniff`."""

    def __init__(self, directory: Path, suffixes: tuple[str, ...]) -> None:
        # check_dir=False: without `npm ci` the app still starts; pages then lack their styles.
        super().__init__(directory=directory, check_dir=False)
        self.suffixes = suffixes

    async def get_response(self, path: str, scope: Scope) -> Response:
        if not path.endswith(self.suffixes):
            raise HTTPException(404)
        response = await super().get_response(path, scope)
        response.headers["X-Content-Type-Options"] = "nosniff"
        return response


def install(
    app: FastAPI,
    *,
    config: WebConfig,
    sessions: Sessions,
    people: Callable[[], Sequence[Actor]] = tuple,
    oidc: OidcClient | None = None,
    commands: LedgerApplication | None = None,
    reads: ReadService | None = None,
    person_cases: Callable[[], Mapping[str, UUID]] = dict,
) -> Web:
    """Adds the pages and their static files to `app`. `people` lists whom the
    development sign-in offers; `oidc` signs people in through a provider;
    `commands` and `reads` are the services the pages give commands to and read with;
    `person_cases` the case each person or guardian of `people` opens "Min plan" on."""
    env = PageEnvironment(
        loader=jinja2.FileSystemLoader(HERE / "templates"),
        autoescape=True,
        undefined=jinja2.StrictUndefined,  # a misspelt name in a template fails the test that renders it
        trim_blocks=True,
        lstrip_blocks=True,
        # Compiled once per process and kept; in development a changed template file is compiled
        # again (a stat per template a page uses), in production the files are never looked at again.
        auto_reload=not config.production,
    )
    install_helpers(env)
    display.install(env)
    web = Web(
        config=config,
        sessions=sessions,
        templates=Jinja2Templates(env=env),
        people=people,
        oidc=oidc,
        commands=commands,
        reads=reads,
        person_cases=person_cases,
    )
    app.state.web = web
    # First: `/saker/ny` must be matched before any `/saker/{case_id}` page.
    app.include_router(command_pages.router)
    app.include_router(case_page.router)
    app.include_router(case_page.downloads)
    app.include_router(signin.router)
    app.include_router(start.router)
    for screen in (overview_page, worklist_page, min_plan_page):
        app.include_router(screen.router)
    app.mount("/static/web", _Files(HERE / "static", (".css", ".js")), name="web-static")
    for name, (folder, suffixes) in VENDOR.items():
        app.mount(f"/static/vendor/{name}", _Files(config.node_modules / folder, suffixes), name=f"vendor-{name}")
    return web
