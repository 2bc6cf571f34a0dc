"""The compliance report for Statsforvalteren (JSON, HTML, PDF) and the plan
PDF export.

`build_report` (model) is pure; `case_report` gathers its inputs from a
ledger for one case that the caller has already read under the read policy
(`api.reading.read_case`, which writes the access log) and folded into its
view (`projections.case_view.fold`); `render` turns the report into the
bytes of one format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from audit.compliance import evaluate
from audit.report.html import render_html
from audit.report.model import build_report
from audit.report.pdf import render_pdf
from audit.report.plan import PlanPdf, render_plan_pdf
from audit.report.proof import case_proof


@dataclass(frozen=True)
class Format:
    media_type: str
    extension: str
    render: Callable[[dict[str, Any]], bytes]


def render_json(report: dict[str, Any]) -> bytes:
    return orjson.dumps(report, option=orjson.OPT_INDENT_2)


FORMATS: dict[str, Format] = {
    "json": Format("application/json", "json", render_json),
    "html": Format("text/html; charset=utf-8", "html", render_html),
    "pdf": Format("application/pdf", "pdf", render_pdf),
}


def case_report(ledger: Any, events: list[Any], case: Any, view: dict[str, Any]) -> dict[str, Any]:
    """The report of a case, judged under its municipality's profile at the ledger's clock."""
    profile = ledger.app.profile(case.municipality)
    now = ledger.clock()
    return build_report(
        view,
        events,
        evaluate(events, profile, now),
        ledger.access_log.entries(case.id),
        case_proof(ledger.integrity, case.id),
        profile=profile,
        now=now,
    )


def render(report: dict[str, Any], fmt: str) -> bytes:
    return FORMATS[fmt].render(report)


def filename(case_id: Any, fmt: str) -> str:
    return f"samsvarsrapport-{case_id}.{FORMATS[fmt].extension}"


__all__ = [
    "FORMATS",
    "PlanPdf",
    "build_report",
    "case_report",
    "filename",
    "render",
    "render_html",
    "render_json",
    "render_pdf",
    "render_plan_pdf",
]
