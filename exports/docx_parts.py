"""Word building blocks for the draft report, on python-docx: styles that a template may lack,
headings, tables with a repeating header row (fast for long tables), pictures sized to the page,
shaded boxes, the page-number footer and a filled-in table of contents field."""

from __future__ import annotations

import io
import struct
import weakref
from copy import deepcopy
from typing import Sequence

from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_ALIGN_PARAGRAPH, WD_BREAK
from docx.oxml import OxmlElement
from docx.oxml.ns import qn
from docx.shared import Cm, Pt

CHART_WIDTH_CM = 16.0
TABLE_POINTS = 9


# The styles each document is known to have, by (name, type): python-docx finds a style by name
# by reading every style's XML, and a report asks for the same few styles hundreds of times (a
# third of building a report by force, its charts apart). A style is only ever added while a
# report is built, never removed or renamed, so a name once found or added stays true.
_known: weakref.WeakKeyDictionary = weakref.WeakKeyDictionary()  # a document's part -> {(name, type)}


def style(document, name: str, kind=WD_STYLE_TYPE.PARAGRAPH, base: str | None = None) -> str:
    """``name`` if the document (or the inspectorate's template) has the style; otherwise it is
    added, based on ``base`` or Normal, so a template lacking it still works."""
    known = _known.setdefault(document.part, set())
    if (name, kind) in known:
        return name
    styles = document.styles
    if not any(style.name == name and style.type == kind for style in styles):
        style = styles.add_style(name, kind)
        if kind == WD_STYLE_TYPE.PARAGRAPH:
            style.base_style = styles[base] if base and base in [s.name for s in styles] else \
                styles.default(WD_STYLE_TYPE.PARAGRAPH)
    known.add((name, kind))
    return name


def heading(document, text: str, level: int):
    return document.add_paragraph(text, style=style(document, f"Heading {level}"))


def repeat_header(row) -> None:
    """Mark a table row as its header: Word repeats it at the top of every page."""
    tr_pr = row._tr.get_or_add_trPr()
    el = OxmlElement("w:tblHeader")
    el.set(qn("w:val"), "true")
    tr_pr.append(el)


def table(document, header: Sequence[str], rows: Sequence[Sequence], *, widths: Sequence[float] | None = None,
          numeric: Sequence[int] = ()):
    """A table with a bold, repeating header row. Rows are added by copying one prepared row's
    XML (python-docx's ``add_row`` re-reads the grid per row: slow for the figures annex)."""
    t = document.add_table(rows=1, cols=len(header))
    grid = style(document, "Table Grid", WD_STYLE_TYPE.TABLE)
    t.style = document.styles[grid]
    head = t.rows[0]
    repeat_header(head)
    for cell, text in zip(head.cells, header):
        cell.text = ""
        run = cell.paragraphs[0].add_run(str(text))
        run.bold = True
        run.font.size = Pt(TABLE_POINTS)
    # Widths in the grid and in every cell (LibreOffice reads the grid, Word the cells), scaled
    # to the page's text width.
    section = document.sections[-1]
    usable = section.page_width - section.left_margin - section.right_margin
    weights = list(widths) if widths else [1.0] * len(header)
    t.autofit = False
    for column, cell, w in zip(t.columns, head.cells, weights):
        column.width = cell.width = int(usable * w / sum(weights))
    if not rows:
        return t
    blank = deepcopy(head._tr)
    for tr_pr in blank.xpath("./w:trPr"):
        blank.remove(tr_pr)
    for tc in blank.xpath("./w:tc"):
        for p in tc.xpath("./w:p"):
            for r in p.xpath("./w:r"):
                p.remove(r)
    body = t._tbl
    for values in rows:
        tr = deepcopy(blank)
        for i, (tc, value) in enumerate(zip(tr.xpath("./w:tc"), values)):
            p = tc.xpath("./w:p")[0]
            if i in numeric:
                jc = OxmlElement("w:jc")
                jc.set(qn("w:val"), "right")
                p.get_or_add_pPr().append(jc)
            if value is not None and value != "":
                r = OxmlElement("w:r")
                r.append(small_run_properties())
                t_el = OxmlElement("w:t")
                t_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                t_el.text = str(value)
                r.append(t_el)
                p.append(r)
        body.append(tr)
    return t


def small_run_properties():
    """Run properties for table text (``TABLE_POINTS``): tables hold many figures."""
    rpr = OxmlElement("w:rPr")
    sz = OxmlElement("w:sz")
    sz.set(qn("w:val"), str(TABLE_POINTS * 2))
    rpr.append(sz)
    return rpr


def png_size(data: bytes) -> tuple[int, int]:
    """Width and height in pixels, from the PNG header."""
    return struct.unpack(">II", data[16:24])


def picture(document, png: bytes, caption: str) -> None:
    width_px, _ = png_size(png)
    width_cm = min(CHART_WIDTH_CM, width_px / 2 / 96 * 2.54)  # charts are rendered at scale 2, 96 dpi
    document.add_picture(io.BytesIO(png), width=Cm(width_cm))
    document.add_paragraph(caption, style=style(document, "Caption"))


# --- sections -------------------------------------------------------------------------------



def fill_contents(document, title: str) -> None:
    """Word's own table of contents field (headings 1 and 2), its entries already written in,
    so LibreOffice and a PDF show them; Word adds the page numbers when the field is updated."""
    title = next(p for p in document.paragraphs if p.text == title)
    headings = [p for p in document.paragraphs if p.style is not None and p.style.name in ("Heading 1", "Heading 2")]
    if not headings:
        return
    anchor = title
    entries = []
    for h in headings:
        level = 1 if h.style.name == "Heading 1" else 2
        entry = document.add_paragraph(style=style(document, f"toc {level}"))
        entry.paragraph_format.space_after = Pt(2)
        if level == 2:
            entry.paragraph_format.left_indent = Cm(0.6)
        entry.add_run(h.text)
        anchor._p.addnext(entry._p)  # moved from the end of the document to after the title
        anchor = entry
        entries.append(entry)

    def field_run(kind: str, instr: str | None = None):
        run = OxmlElement("w:r")
        if instr is not None:
            el = OxmlElement("w:instrText")
            el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
            el.text = instr
        else:
            el = OxmlElement("w:fldChar")
            el.set(qn("w:fldCharType"), kind)
        run.append(el)
        return run

    first, last = entries[0]._p, entries[-1]._p
    ppr = first.find(qn("w:pPr"))
    at = list(first).index(ppr) + 1 if ppr is not None else 0
    for i, run in enumerate([field_run("begin"), field_run("", 'TOC \\o "1-2" \\u'), field_run("separate")]):
        first.insert(at + i, run)
    last.append(field_run("end"))
    page_break = document.add_paragraph()
    page_break.add_run().add_break(WD_BREAK.PAGE)
    anchor._p.addnext(page_break._p)



def shade(cell, fill: str) -> None:
    tc_pr = cell._tc.get_or_add_tcPr()
    shading = OxmlElement("w:shd")
    shading.set(qn("w:val"), "clear")
    shading.set(qn("w:color"), "auto")
    shading.set(qn("w:fill"), fill)
    tc_pr.append(shading)



def page_footer(document) -> None:
    """"Draft – page N" at the foot of every page (Word's PAGE field; a template keeps its own)."""
    p = document.sections[0].footer.paragraphs[0]
    p.alignment = WD_ALIGN_PARAGRAPH.CENTER
    p.add_run("Draft \u2013 page ")
    field = OxmlElement("w:fldSimple")
    field.set(qn("w:instr"), "PAGE")
    run = OxmlElement("w:r")
    text = OxmlElement("w:t")
    text.text = "1"
    run.append(text)
    field.append(run)
    p._p.append(field)
