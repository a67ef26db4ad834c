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


def remember_style_ids(document) -> None:
    """Resolve each style name to its id once for this document. python-docx resolves the name
    on every paragraph, run and table given a style: it reads every style's XML to find the
    name, then every style again to learn whether it is the type's default (the default gets no
    id). A draft report asks that some five hundred times: a third of writing it
    (docs/waits.md). The answer cannot change while a report is built: styles are only added,
    never renamed, removed or made the default, and a name not found (an error) is not kept.
    The document's XML is the same as without it (tests/test_report_progress.py)."""
    part = document.part
    if getattr(part, "_fieldwork_style_ids", None) is not None:
        return
    resolve = part.get_style_id  # python-docx's own, bound to this part
    ids: dict = {}

    def get_style_id(style_or_name, style_type):
        if not isinstance(style_or_name, str):  # a style object, or None: python-docx's path
            return resolve(style_or_name, style_type)
        key = (style_or_name, style_type)
        if key not in ids:
            ids[key] = resolve(style_or_name, style_type)
        return ids[key]

    part._fieldwork_style_ids = ids
    part.get_style_id = get_style_id  # this document part only; python-docx's class is untouched


def style_id(document, name: str, kind=WD_STYLE_TYPE.PARAGRAPH) -> str | None:
    """The id of the style ``name`` (None for the type's default), through the document's
    remembered ids when ``remember_style_ids`` was called."""
    return document.part.get_style_id(name, kind)


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
    t.style = style(document, "Table Grid", WD_STYLE_TYPE.TABLE)  # by name: its id is remembered
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
    for i, tc in enumerate(blank.xpath("./w:tc")):
        for p in tc.xpath("./w:p"):
            for r in p.xpath("./w:r"):
                p.remove(r)
            if i in numeric:  # right-aligned once here, copied with the row
                jc = OxmlElement("w:jc")
                jc.set(qn("w:val"), "right")
                p.get_or_add_pPr().append(jc)
    # One prepared run, copied for each cell: making every element anew (and finding each row's
    # cells by XPath) was most of a long table's time (docs/waits.md). Same XML as before.
    run = OxmlElement("w:r")
    run.append(small_run_properties())
    t_el = OxmlElement("w:t")
    t_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
    run.append(t_el)
    tc_tag, p_tag = qn("w:tc"), qn("w:p")
    body = t._tbl
    for values in rows:
        tr = deepcopy(blank)
        for tc, value in zip(tr.iterchildren(tc_tag), values):
            if value is not None and value != "":
                r = deepcopy(run)
                r[-1].text = str(value)
                next(tc.iterchildren(p_tag)).append(r)
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
    # the headings by their style's id in the XML: ``paragraph.style`` looks every style up anew
    levels = {}
    for n in (2, 1):
        try:
            levels[style_id(document, f"Heading {n}")] = n
        except (KeyError, ValueError):  # a template without that heading style: no such headings
            pass
    levels.pop(None, None)  # a template whose default paragraph style is a heading: not a heading here
    headings = [(p, levels[p._p.style]) for p in document.paragraphs if p._p.style in levels]
    if not headings:
        return
    anchor = title
    entries = []
    for h, level in headings:
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
