"""The compliance report for Statsforvalteren (JSON, HTML, PDF) and the plan
PDF export.

`build_report` (model) is pure; the read service gathers its inputs for one
case under the read policy, folds the case's view and writes the access log
(`reads.cases.CaseReads.report`); `render` turns the report into the bytes
of one format.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import orjson

from audit.report.html import render_html
from audit.report.model import build_report
from audit.report.pdf import render_pdf
from audit.report.plan import PlanPdf, render_plan_pdf


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


def render(report: dict[str, Any], fmt: str) -> bytes:
    return FORMATS[fmt].render(report)


def filename(case_id: Any, fmt: str) -> str:
    return f"samsvarsrapport-{case_id}.{FORMATS[fmt].extension}"


__all__ = [
    "FORMATS",
    "PlanPdf",
    "build_report",
    "filename",
    "render",
    "render_html",
    "render_json",
    "render_pdf",
    "render_plan_pdf",
]
