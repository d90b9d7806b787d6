"""The PDF writer: DejaVu Sans (shipped in ``zhurnal.data``, Cyrillic), the title and
subtitle, the table with its header repeated on every page, «Стр. 1 из N», the footer
and the signature lines.

The table is drawn here (not with ``FPDF.table``): one pass, each cell wrapped to its
column by words (a word longer than the column is broken), at most ``MAX_LINES`` lines a
cell, the rest cut with «…», so a row never outgrows a page and a 30 × 15 sheet takes a
fraction of a second.
"""

from __future__ import annotations

from importlib import resources
from typing import Any

from zhurnal.core.reports.table import Report
from zhurnal.core.reports.writers import text_of

MAX_LINES = 6
PAD = 0.8  # mm inside a cell
FONT = "DejaVu"


def _pdf_class() -> type:
    from fpdf import FPDF

    class ReportPDF(FPDF):
        footer_text = ""

        def footer(self) -> None:
            self.set_y(-12)
            self.set_font(FONT, size=7)
            self.cell(0, 5, f"{self.footer_text}    Стр. {self.page_no()} из {{nb}}", align="R")

    return ReportPDF


def _add_fonts(pdf: Any) -> None:
    fonts = resources.files("zhurnal.data").joinpath("fonts")
    for style, name in (("", "DejaVuSans.ttf"), ("B", "DejaVuSans-Bold.ttf")):
        with resources.as_file(fonts.joinpath(name)) as font_path:
            pdf.add_font(FONT, style, fname=str(font_path))


def wrap(pdf: Any, text: str, width: float) -> list[str]:
    """``text`` in lines of at most ``width`` mm in the current font; cut to ``MAX_LINES``."""
    lines: list[str] = []
    current = ""
    for word in text.split():
        candidate = f"{current} {word}" if current else word
        if pdf.get_string_width(candidate) <= width:
            current = candidate
            continue
        if current:
            lines.append(current)
        while len(word) > 1 and pdf.get_string_width(word) > width:
            cut = len(word) - 1
            while cut > 1 and pdf.get_string_width(word[:cut]) > width:
                cut -= 1
            lines.append(word[:cut])
            word = word[cut:]
        current = word
        if len(lines) > MAX_LINES:
            break
    if current:
        lines.append(current)
    if len(lines) > MAX_LINES:
        last = lines[MAX_LINES - 1]
        while last and pdf.get_string_width(last + "…") > width:
            last = last[:-1]
        lines = [*lines[: MAX_LINES - 1], last + "…"]
    return lines or [""]


def _row(pdf: Any, cells: list[list[str]], widths: list[float], aligns: list[str], lh: float):
    height = max(len(lines) for lines in cells) * lh + 2 * PAD
    x, y = pdf.l_margin, pdf.get_y()
    for lines, width, align in zip(cells, widths, aligns, strict=True):
        pdf.rect(x, y, width, height)
        for i, line in enumerate(lines):
            pdf.set_xy(x + PAD, y + PAD + i * lh)
            pdf.cell(width - 2 * PAD, lh, line, align=align)
        x += width
    pdf.set_xy(pdf.l_margin, y + height)


def _table(pdf: Any, report: Report, size: float) -> None:
    total = sum(max(c.width, 2) for c in report.columns)
    widths = [pdf.epw * max(c.width, 2) / total for c in report.columns]
    inner = [w - 2 * PAD for w in widths]
    lh = size * 0.42
    aligns = ["L" if c.kind == "text" else "C" for c in report.columns]
    pdf.set_font(FONT, "B", size)
    header = [wrap(pdf, c.title, w) for c, w in zip(report.columns, inner, strict=True)]
    header_height = max(len(lines) for lines in header) * lh + 2 * PAD

    def draw_header() -> None:
        pdf.set_font(FONT, "B", size)
        _row(pdf, header, widths, ["C"] * len(widths), lh)
        pdf.set_font(FONT, size=size)

    pdf.set_auto_page_break(False)
    bottom = pdf.h - pdf.b_margin
    if pdf.get_y() + header_height + lh + 2 * PAD > bottom:
        pdf.add_page()
    draw_header()
    for values in report.rows:
        cells = [
            wrap(pdf, text_of(v, c), w)
            for v, c, w in zip(values, report.columns, inner, strict=True)
        ]
        height = max(len(lines) for lines in cells) * lh + 2 * PAD
        if pdf.get_y() + height > bottom:
            pdf.add_page()
            draw_header()
        _row(pdf, cells, widths, aligns, lh)
    pdf.set_auto_page_break(True, margin=pdf.b_margin)


def to_pdf(report: Report) -> bytes:
    pdf = _pdf_class()(
        orientation="landscape" if report.landscape else "portrait", unit="mm", format="A4"
    )
    pdf.footer_text = report.title
    pdf.set_title(report.title)
    pdf.set_creator("zhurnal")
    if "chain_head" in report.extra:
        pdf.set_keywords(f"chain_head={report.extra['chain_head']}")
    _add_fonts(pdf)
    pdf.set_margins(10, 10, 10)
    pdf.set_auto_page_break(True, margin=15)
    pdf.add_page()
    pdf.set_font(FONT, "B", 13)
    pdf.multi_cell(0, 6, report.title, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.set_font(FONT, size=9)
    for line in report.subtitle:
        pdf.multi_cell(0, 5, line, new_x="LMARGIN", new_y="NEXT", align="L")
    pdf.ln(2)
    columns = len(report.columns)
    _table(pdf, report, 8 if columns <= 12 else 7 if columns <= 20 else 6)
    pdf.ln(3)
    pdf.set_font(FONT, size=8)
    for line in report.footer:
        pdf.multi_cell(0, 4.5, line, new_x="LMARGIN", new_y="NEXT", align="L")
    if report.signatures:
        pdf.ln(4)
        pdf.set_font(FONT, size=10)
        for role in report.signatures:
            pdf.multi_cell(0, 9, role.line, new_x="LMARGIN", new_y="NEXT", align="L")
    return bytes(pdf.output())
