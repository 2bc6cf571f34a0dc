"""A4 PDF/A-2u documents in Norwegian with an embedded TrueType font (fpdf2).

Shared by the compliance report, the plan export, the minutes of a meeting
and the closing letter: documents fit for the municipality's archive
(`pdfa.py` says what that takes). The same input gives the same bytes: the
creation date comes from the data (`made_at`), never the clock, and nothing
else in the file depends on when or where it was made. The plan export and
the archive depend on that (a document's sha256 is recorded and checked when
it is rendered again).
"""

from __future__ import annotations

import functools
import logging
import re
from collections.abc import Iterable, Sequence
from datetime import datetime
from importlib import resources
from typing import Any

from fontTools.ttLib import TTFont
from fpdf import FPDF, FPDF_VERSION
from fpdf.enums import OutputIntentSubType, XPos, YPos
from fpdf.output import PDFICCProfile

from audit.report import pdfa

# fontTools (which fpdf2 subsets the embedded font with) logs every step at
# INFO: dozens of lines per document in the ledger's log.
logging.getLogger("fontTools").setLevel(logging.WARNING)

FONT = "DejaVu"
_FONTS = resources.files("audit.report") / "fonts"
# Characters that have no glyph and no place in a document: C0/C1 controls
# (other than newline) and lone surrogates. Free text reaches here as typed.
_UNPRINTABLE = re.compile("[\x00-\x09\x0b-\x1f\x7f-\x9f\ud800-\udfff]")
_LINE = 4.6  # mm per line of body text
_TONES = {"breach": (164, 0, 0), "pending": (138, 90, 0)}  # a check's status, as in the HTML
_HEADING_FILL = (235, 235, 235)


def clean(value: Any) -> str:
    """Text as the document prints it: None as empty, control characters as spaces, and a
    character the font has no glyph for as U+FFFD (PDF/A forbids showing the .notdef glyph)."""
    if value is None:
        return ""
    text = _UNPRINTABLE.sub(" ", value if isinstance(value, str) else str(value))
    if text.isascii():
        return text  # DejaVu Sans covers printable ASCII
    covered = _covered()
    return "".join(c if ord(c) in covered else _MISSING for c in text)


_MISSING = "\ufffd"


@functools.cache
def _covered() -> frozenset[int]:
    """Code points both embedded faces (regular and bold) have a glyph for."""
    maps = []
    for name in ("DejaVuSans.ttf", "DejaVuSans-Bold.ttf"):
        with resources.as_file(_FONTS / name) as path:
            maps.append(set(TTFont(path, lazy=True).getBestCmap()))
    return frozenset(maps[0] & maps[1])


class Document(FPDF):
    """A4 portrait, DejaVu Sans, a running footer with the document's name and page numbers."""

    def __init__(self, *, title: str, footer: str, made_at: datetime, author: str = "") -> None:
        super().__init__(format="A4", enforce_compliance=pdfa.COMPLIANCE)
        self.footer_text = clean(footer)
        self.set_creation_date(made_at)  # also seeds the file /ID, which is a digest of the content
        self.set_title(clean(title))
        self.set_lang(pdfa.LANGUAGE)
        self.set_producer(f"fpdf2 {FPDF_VERSION}")
        self.set_xmp_metadata(
            pdfa.xmp(title=clean(title), made_at=made_at, producer=f"fpdf2 {FPDF_VERSION}", author=clean(author))
        )
        self.add_output_intent(
            OutputIntentSubType.PDFA,
            output_condition_identifier=pdfa.SRGB_IDENTIFIER,
            output_condition=pdfa.SRGB_IDENTIFIER,
            registry_name="http://www.color.org",
            dest_output_profile=PDFICCProfile(contents=pdfa.srgb_profile(), n=3, alternate="DeviceRGB"),
            info=pdfa.SRGB_IDENTIFIER,
        )
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=16)
        with resources.as_file(_FONTS / "DejaVuSans.ttf") as regular:
            self.add_font(FONT, "", str(regular))
        with resources.as_file(_FONTS / "DejaVuSans-Bold.ttf") as bold:
            self.add_font(FONT, "B", str(bold))
        self.add_page()
        self.set_font(FONT, size=9)

    def footer(self) -> None:
        self.set_y(-11)
        self.set_font(FONT, size=7)
        self.set_text_color(90)
        self.cell(0, 4, f"{self.footer_text} – side {self.page_no()} av {{nb}}", align="C")
        self.set_text_color(0)

    # ------------------------------------------------------------ blocks
    def title_block(self, title: str, lines: Iterable[str]) -> None:
        self.set_font(FONT, "B", 16)
        self.multi_cell(0, 8, clean(title), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=9)
        for line in lines:
            self.multi_cell(0, _LINE, clean(line), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.ln(2)

    def heading(self, text: str, level: int = 1, tone: str = "") -> None:
        if self.will_page_break(24 if level == 1 else 14):
            self.add_page()  # a heading never stands alone at the foot of a page
        self.ln(3 if level == 1 else 1.5)
        self.set_font(FONT, "B", 12.5 if level == 1 else 10)
        self.set_text_color(*_TONES.get(tone, (0, 0, 0)))
        self.multi_cell(0, 6 if level == 1 else 5, clean(text), new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)
        if level == 1:
            self.set_draw_color(150)
            self.line(self.l_margin, self.get_y(), self.w - self.r_margin, self.get_y())
            self.ln(1.5)
        self.set_font(FONT, size=9)

    def paragraph(self, text: Any, *, bold: bool = False, size: float = 9) -> None:
        self.set_font(FONT, "B" if bold else "", size)
        self.lines(self.l_margin, self.epw, _LINE, self.wrap(clean(text), self.epw - 2 * self.c_margin))
        self.set_font(FONT, size=9)

    def pairs(self, rows: Iterable[tuple[str, Any]], label_width: float = 48) -> None:
        """Label and value, one pair a line; empty values are left out."""
        for label, value in rows:
            text = clean(value)
            if not text:
                continue
            if self.will_page_break(_LINE):
                self.add_page()
            self.set_font(FONT, "B", 9)
            self.put(self.l_margin, label_width, _LINE, self.fit(clean(label), label_width - 2 * self.c_margin))
            self.set_font(FONT, size=9)
            width = self.epw - label_width
            self.lines(self.l_margin + label_width, width, _LINE, self.wrap(text, width - 2 * self.c_margin))

    def lines(self, x: float, width: float, height: float, lines: Sequence[str]) -> None:
        """Lines of text one under the other from the current y, on as many pages as they need."""
        for line in lines:
            if self.will_page_break(height):
                self.add_page()
            self.put(x, width, height, line)
            self.ln(height)

    def put(self, x: float, width: float, height: float, text: str) -> None:
        """One line of finished text in a box at (x, current y), placed as fpdf2's cell places it.

        A cell lays its text out afresh (styles, bidirectional runs, shaping) on every call: most of
        the time of a long report went there. Text here is already cut to fit and has no markup,
        so it is written with the plain text operator."""
        if text:
            self.text(x + self.c_margin, self.y + 0.5 * height + 0.3 * self.font_size, text)

    def table(
        self,
        headings: Sequence[str],
        widths: Sequence[float],
        rows: Iterable[Sequence[Any]],
        size: float = 8,
        *,
        one_line: bool = False,
    ) -> None:
        """A table drawn line by line in fixed column widths: cells wrap at word boundaries (or, with
        `one_line`, are cut with "…"), a row may run on over a page break, and the heading row
        repeats on every page. Hand-made because fpdf2's own table measures and lays out each cell
        several times: seconds for the thousands of rows (evaluations, the timeline) a long case has."""
        height = size * 0.48
        titles = [clean(h) for h in headings]
        self._table_row(titles, widths, size, height, "B", one_line=True, fill=True)
        for row in rows:
            if self.will_page_break(height):
                self.add_page()
                self._table_row(titles, widths, size, height, "B", one_line=True, fill=True)
            self._table_row([clean(c) for c in row], widths, size, height, "", one_line=one_line, headings=titles)
        self.set_font(FONT, size=9)
        self.ln(1.5)

    def _table_row(
        self,
        cells: Sequence[str],
        widths: Sequence[float],
        size: float,
        height: float,
        style: str,
        *,
        one_line: bool,
        fill: bool = False,
        headings: Sequence[str] = (),
    ) -> None:
        self.set_font(FONT, style, size)
        room = 2 * self.c_margin  # the space kept around a cell's text, as fpdf2 keeps it
        columns = list(zip(cells, widths, strict=True))
        wrapped = [[self.fit(c, w - room)] if one_line else self.wrap(c, w - room) for c, w in columns]
        for i in range(max(len(lines) for lines in wrapped)):
            if i and self.will_page_break(height):
                self.add_page()  # a long row runs on, under the headings again
                self._table_row(headings, widths, size, height, "B", one_line=True, fill=True)
                self.set_font(FONT, style, size)
            if fill:
                self.set_fill_color(*_HEADING_FILL)
                self.rect(self.l_margin, self.y, sum(widths), height, style="F")
                # Text is painted in the fill colour: when the two differ fpdf2 wraps every line of
                # text in a colour change of its own.
                self.set_fill_color(0)
            x = self.l_margin
            for lines, width in zip(wrapped, widths, strict=True):
                if i < len(lines) and lines[i]:
                    self.put(x, width, height, lines[i])
                x += width
            self.ln(height)
        self.set_draw_color(200)
        self.line(self.l_margin, self.get_y(), self.l_margin + sum(widths), self.get_y())

    def wrap(self, text: str, width: float) -> list[str]:
        """Greedy word wrap to `width` mm in the current font; a word wider than a line is split."""
        space = self.width(" ")
        lines: list[str] = []
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for word in paragraph.split(" "):
                needed = self.width(word)
                if line and used + space + needed <= width:
                    line, used = f"{line} {word}", used + space + needed
                    continue
                if line:
                    lines.append(line)
                while needed > width:
                    cut = self._fitting(word, width)
                    lines.append(word[:cut])
                    word = word[cut:]
                    needed = self.width(word)
                line, used = word, needed
            lines.append(line)
        return lines

    def fit(self, text: str, width: float) -> str:
        """`text` cut with "…" to fit `width` mm in the current font."""
        if self.width(text) <= width:
            return text
        return text[: self._fitting(text, width - self.width("…"))] + "…"

    def _fitting(self, text: str, width: float) -> int:
        """How many leading characters of `text` fit in `width` mm (at least one)."""
        font: Any = self.current_font
        widths = font.cw
        scale = self.font_size_pt * 0.001 / self.k
        used = 0.0
        for count, char in enumerate(text):
            used += widths[ord(char)] * scale
            if used > width:
                return max(count, 1)
        return len(text)

    def width(self, text: str) -> float:
        """The width of plain text in mm, as get_string_width gives it without its per-call
        preparation of styled, bidirectional text (which dominated long tables in a profile)."""
        font: Any = self.current_font  # a TTFFont: the embedded DejaVu faces
        return sum(map(font.cw.__getitem__, map(ord, text))) * self.font_size_pt * 0.001 / self.k


def bytes_of(document: FPDF) -> bytes:
    return bytes(document.output())
