"""The draft report's progress: each step said in words, in order, through a plain callable
(exports/report_steps.py), and the document the same whether python-docx resolves each style
name itself or once per document (exports/docx_parts.remember_style_ids, docs/waits.md)."""

from __future__ import annotations

import io
import zipfile
from datetime import datetime, timezone

import docx
import pytest

from exports import docx_parts, report_docx, report_steps, reporting
from fieldwork import db
from fieldwork.services.permissions import Actor

pytestmark = pytest.mark.slow  # a draft report with its charts: seconds of CPU

LEAD = Actor("lead1", "lead")


def test_steps_without_a_callback_say_nothing_and_with_one_never_go_back():
    report_steps.Steps(None).start("anything")  # no callable: nothing to tell, no error
    heard = []
    steps = report_steps.Steps(lambda done, total, words: heard.append((done, total, words)))
    steps.start(report_steps.COUNTING)
    steps.plan(3)
    for words in ("a", "", "c"):  # "": a step with nothing to do, counted without a word
        steps.start(words)
    steps.finish()
    assert heard == [(0, 1, report_steps.COUNTING), (1, 4, "a"), (3, 4, "c"), (4, 4, report_steps.DONE)]


def test_every_step_is_said_in_order_before_it_starts(demo_engine):
    heard = []
    with db.session_scope(demo_engine) as s:
        data = reporting.draft_report(s, LEAD, "case_review", by="force",
                                      progress=lambda done, total, words: heard.append((done, total, words)))
    assert data[:2] == b"PK"
    words = [w for _, _, w in heard]
    charts = [w for w in words if w.startswith("Drawing the charts")]
    assert charts and charts == [report_steps.drawing(n, len(charts)) for n in range(1, len(charts) + 1)]
    silent = (report_docx.notes_annex, report_docx._extra_sections)  # nothing to write: counted, not said
    sections = [report_docx.SECTION_WORDS[s] for s in report_docx.SECTIONS if s not in silent]
    assert words == [report_steps.COUNTING, *charts, report_steps.READING, *sections, report_docx.SAVING,
                     report_steps.DONE]
    done = [d for d, _, _ in heard]
    assert done == sorted(set(done)) and done[0] == 0  # each step once, in order
    total = 1 + len(charts) + 1 + report_docx.steps()
    assert all(t == total for _, t, _ in heard[1:])  # planned once the charts are known, then kept
    fractions = [done / t for done, t, _ in heard]
    assert fractions == sorted(fractions) and fractions[-1] == 1


def _parts(data: bytes) -> dict[str, bytes]:
    with zipfile.ZipFile(io.BytesIO(data)) as z:
        return {name: z.read(name) for name in z.namelist()}


@pytest.mark.parametrize("with_template", [False, True], ids=["default", "template"])
def test_the_document_is_byte_for_byte_what_python_docx_alone_writes(demo_engine, monkeypatch, with_template):
    template = None
    if with_template:  # an inspectorate's template: its own styles.xml, read by python-docx
        out = io.BytesIO()
        docx.Document().save(out)
        template = out.getvalue()
    with db.session_scope(demo_engine) as s:
        ctx = reporting.report_context(s, LEAD, "case_review", by="force", with_charts=False)
    ctx.written_at = datetime(2017, 7, 5, 9, 30, tzinfo=timezone.utc)
    remembered = report_docx.to_bytes(ctx, template)
    monkeypatch.setattr(docx_parts, "remember_style_ids", lambda document: None)  # python-docx's own lookups
    plain = report_docx.to_bytes(ctx, template)
    assert _parts(remembered) == _parts(plain)


def _table_as_before(document, header, rows, numeric):
    """``docx_parts.table``'s rows as it wrote them before (docs/waits.md): every element made
    anew for each cell, each row's cells found by XPath."""
    from copy import deepcopy

    from docx.oxml import OxmlElement
    from docx.oxml.ns import qn

    t = docx_parts.table(document, header, [])
    blank = deepcopy(t.rows[0]._tr)
    for tr_pr in blank.xpath("./w:trPr"):
        blank.remove(tr_pr)
    for tc in blank.xpath("./w:tc"):
        for p in tc.xpath("./w:p"):
            for r in p.xpath("./w:r"):
                p.remove(r)
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
                r.append(docx_parts.small_run_properties())
                t_el = OxmlElement("w:t")
                t_el.set("{http://www.w3.org/XML/1998/namespace}space", "preserve")
                t_el.text = str(value)
                r.append(t_el)
                p.append(r)
        t._tbl.append(tr)
    return t


def test_a_table_holds_the_same_xml_as_before():
    from lxml import etree

    header = ("Finding", "Count", "Denominator", "Percent")
    rows = [("Risk assessed", 60, 112, "54%"), ("Not known", "", None, ""), ("<&> ‘quoted’", 0, 0, "0%")]
    now, before = docx.Document(), docx.Document()
    docx_parts.remember_style_ids(now)
    fast = docx_parts.table(now, header, rows, numeric=(1, 2, 3))
    slow = _table_as_before(before, header, rows, numeric=(1, 2, 3))
    assert etree.tostring(fast._tbl) == etree.tostring(slow._tbl)
