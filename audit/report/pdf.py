"""Blocks drawn as a PDF; the compliance report as a PDF."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime
from typing import Any

from audit.report.blocks import Block, Heading, Pairs, Paragraph
from audit.report.document import Document, bytes_of
from audit.report.labels import REPORT_TITLE
from audit.report.layout import intro_lines, report_blocks


def draw(document: Document, blocks: Iterable[Block]) -> None:
    for block in blocks:
        if isinstance(block, Heading):
            document.heading(block.text, block.level, block.tone)
        elif isinstance(block, Paragraph):
            document.paragraph(block.text, bold=bool(block.tone))
        elif isinstance(block, Pairs):
            document.pairs(block.rows)
        else:
            document.table(block.headings, block.widths, block.rows, 7.5 if block.fixed else 8, one_line=block.fixed)


def render_document(
    title: str,
    intro: Sequence[str],
    sections: Iterable[tuple[str, list[Block]]],
    made_at: datetime,
    footer: str,
    *,
    author: str = "",
) -> bytes:
    document = Document(title=title, footer=footer, made_at=made_at, author=author)
    document.title_block(title, intro)
    for heading, blocks in sections:
        document.heading(heading)
        draw(document, blocks)
    return bytes_of(document)


def render_pdf(report: dict[str, Any]) -> bytes:
    """The report as a PDF; the same report gives the same bytes (dated by its evaluation time)."""
    return render_document(
        REPORT_TITLE,
        intro_lines(report),
        report_blocks(report),
        datetime.fromisoformat(report["generated_at"]),
        f"{REPORT_TITLE}, sak {report['case_id']}",
    )
