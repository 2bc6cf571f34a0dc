"""The compliance report as one HTML page (bokmål, UTF-8, print CSS).

Every value goes through Jinja's autoescape: free text in a case (a goal, a
note) is whatever a user typed, and must never become markup.
"""

from __future__ import annotations

from functools import cache
from typing import Any

from jinja2 import Environment, PackageLoader, StrictUndefined

from audit.report.labels import REPORT_TITLE
from audit.report.layout import intro_lines, report_blocks


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("audit.report", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )


def render_html(report: dict[str, Any]) -> bytes:
    page = (
        _environment()
        .get_template("report.html")
        .render(
            title=REPORT_TITLE, intro=intro_lines(report), sections=report_blocks(report), case_id=report["case_id"]
        )
    )
    # A lone surrogate cannot be UTF-8: show a replacement character rather than fail.
    return page.encode("utf-8", "replace")
