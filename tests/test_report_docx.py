"""``fieldwork report``: the draft report read back with python-docx. On the demonstration data
every figure in it equals the findings JSON, each printed case-file figure of "Living in fear"
stands in the sentence the report prints it in (with its footnote as a Word footnote), the
charts are the Findings page's, a template is applied and evidence notes stay out by default."""

from __future__ import annotations

import functools
import io
import json

import docx
import pytest
from PIL import Image
from sqlalchemy import select

from exports import report_docx
from fieldwork import audit, charts, cli, db, startup
from fieldwork.services import findings, inspections
from exports import reporting
from fieldwork.services.permissions import Actor
from models import Answer, Assessment, AuditEvent, CaseFile
from tests.conftest import PG_URL, _drop_pg_database, new_database_url
from tests.report_reader import read as read_report
from tests.test_report_figures import CASE_FILE

pytestmark = pytest.mark.slow  # reports with their charts: about 35 s of CPU for the file

NOTE = "Victim seen at home; DASH left incomplete (note for the report team)"


def _run(*argv) -> int:
    return cli.main(list(argv))


@functools.cache
def read(data: bytes):
    """A report read back once per process: some thirty tests read the same three documents
    (python-docx, about 0.3 s of CPU each time), and none changes what it reads."""
    return read_report(data)


@pytest.fixture(scope="module")
def made(tmp_path_factory):
    """The demonstration data, one Durham case with an evidence note, and the reports and
    findings JSON the tests read (written once: each report takes a few seconds)."""
    tmp = tmp_path_factory.mktemp("report")
    url = new_database_url(tmp, demo=True)
    engine = startup.open_engine(url)
    with db.session_scope(engine) as s:  # the note sits on a Durham case's initial risk assessment answer
        durham = s.scalars(select(Answer.assessment_id).where(Answer.question == "force", Answer.value == "durham")
                           ).first()
        answer = s.scalars(select(Answer).where(Answer.assessment_id == durham,
                                                Answer.question == "initial_risk_assessment")).one()
        answer.note = NOTE
        s.add(answer)
        ref = s.scalar(select(CaseFile.case_ref).join(Assessment, Assessment.case_id == CaseFile.id)
                       .where(Assessment.id == durham))
    template = tmp / "inspectorate.docx"
    _template(template)
    out = {"url": url, "engine": engine, "noted_case": ref, "template": template}
    runs = {
        "plain": [],
        "by_da": ["--by", "domestic_abuse"],
        "durham": ["--by", "cps_area", "--filter", "force=durham", "--template", str(template), "--with-notes"],
    }
    for name, extra in runs.items():
        path = tmp / f"{name}.docx"
        assert _run("report", "case_review", str(path), "--db", url, *extra) == 0
        out[name] = path.read_bytes()
        findings_args = [a for a in extra if a not in ("--with-notes",)]
        if "--template" in findings_args:
            i = findings_args.index("--template")
            del findings_args[i:i + 2]
        with db.session_scope(engine) as s:
            by = findings_args[findings_args.index("--by") + 1] if "--by" in findings_args else None
            filters = {"force": ["durham"]} if "--filter" in findings_args else None
            out[f"{name}_findings"] = findings.compute(s, "case_review", by=by, filters=filters)
    yield out
    db.dispose_all()
    if PG_URL:
        _drop_pg_database(url)


def _template(path) -> None:
    """An inspectorate's template: its own heading font, a header with its name and logo,
    and body text (a placeholder) that the report replaces."""
    t = docx.Document()
    t.styles["Heading 1"].font.name = "Arial"
    t.styles["Heading 1"].font.size = docx.shared.Pt(20)
    header = t.sections[0].header
    header.paragraphs[0].text = "HM Inspectorate of Examples – OFFICIAL-SENSITIVE (draft)"
    logo = io.BytesIO()
    Image.new("RGB", (40, 20), (12, 60, 120)).save(logo, format="PNG")
    logo.seek(0)
    header.add_paragraph().add_run().add_picture(logo, width=docx.shared.Cm(2))
    t.add_paragraph("Template placeholder text")
    t.save(path)


def _expected_annex(report: findings.FindingsReport, facts: set[str]) -> list[tuple]:
    rows = []
    for f in report.findings:
        if f.count == 0 and f.id in facts:
            continue
        rows.append((report_docx.reference(f), report_docx.sentence(f.text), str(f.count), str(f.denominator),
                     "" if f.percent is None else f"{f.percent}%", str(f.not_known), str(f.not_applicable)))
    return rows


def _facts(engine) -> set[str]:
    with db.session_scope(engine) as s:
        q = inspections.load_questionnaire(s, "case_review")
    return {x.name for x in q.questions_in("context")}


@pytest.mark.parametrize("name", ["plain", "by_da", "durham"])
def test_every_figure_in_the_annex_equals_the_findings(made, name):
    doc = read(made[name])
    annex = doc.table_headed("Reference")
    assert annex[0] == ["Reference", "Computed over", "Sentence", "Count", "Denominator", "Percent", "Not known",
                        "Not applicable"]
    got = [(r[0], r[2], r[3], r[4], r[5], r[6], r[7]) for r in annex[1:]]
    facts = _facts(made["engine"])
    assert got == _expected_annex(made[f"{name}_findings"], facts)
    report = made[f"{name}_findings"]
    kept = [f for f in report.findings if not (f.count == 0 and f.id in facts)]
    for row, f in zip(annex[1:], kept):
        assert row[1].startswith(f"All cases (n={report.cases})") if f.group is None else f"(n={report.groups[f.group]})" in row[1]


def test_the_findings_json_and_the_document_agree(made, capsys):
    """The same figures as ``fieldwork findings --format json`` (the contract's JSON)."""
    assert _run("findings", "case_review", "--by", "domestic_abuse", "--db", made["url"]) == 0
    data = json.loads(capsys.readouterr().out)
    annex = {(r[0], r[1]): r for r in read(made["by_da"]).table_headed("Reference")[1:]}
    facts = _facts(made["engine"])
    checked = 0
    for e in data["findings"]:
        if e["count"] == 0 and e["id"] in facts:
            continue
        ref = f"{e['id']}={e['answer']}" if e["answer"] is not None else e["id"]
        group = "All cases" if e["group"] is None else {"yes": "Yes (n=82)", "no": "No (n=30)"}[e["group"]]
        over = next(k for k in annex if k[0] == ref and k[1].startswith(group))
        row = annex[over]
        assert (row[3], row[4], row[5], row[6], row[7]) == (
            str(e["count"]), str(e["denominator"]), "" if e["percent"] is None else f"{e['percent']}%",
            str(e["not_known"]), str(e["not_applicable"]))
        assert row[2] == report_docx.sentence(e["text"])
        checked += 1
    assert checked > 100


def test_each_headline_finding_is_printed_under_its_criteria_with_its_footnotes(made):
    doc = read(made["plain"])
    report = made["plain_findings"]
    by_text = {}
    for p in doc.paragraphs:
        by_text.setdefault(p.text, []).append(p)
    for f in report.overall():
        if not f.reported:
            continue
        printed = by_text.get(report_docx.sentence(f.text))
        assert printed, f.text
        assert all(p.footnotes == list(f.footnotes) for p in printed), f.id
    with db.session_scope(made["engine"]) as s:
        framework = findings.framework_for(s)
    for item in findings.by_criterion(report, framework, headline_only=True):
        under = [p.text for p in doc.under(f"{item.id} ")]
        assert under[:len(item.findings)] == [report_docx.sentence(f.text) for f in item.findings] or \
            not item.findings and "evidences this criterion" in " ".join(under)


@pytest.mark.parametrize("fig", [f for f in CASE_FILE if f.text and f.report in ("all", "domestic_abuse")],
                         ids=lambda f: f"{f.id}={f.answer}" + (f"[{f.group}]" if f.group else ""))
def test_each_printed_case_file_figure_stands_in_its_sentence(made, fig):
    """The figures 'Living in fear' prints (tests/test_report_figures.py), each in the sentence the
    draft prints it in: under its criterion (or in the annex, for a figure within one group)."""
    expected = report_docx.sentence(fig.text)
    if fig.report == "all":
        doc = read(made["plain"])
        printed = [p for p in doc.paragraphs if p.text == expected]
        assert printed, expected
        if fig.footnote:
            assert all(fig.footnote in p.footnotes for p in printed)
        if not fig.not_known and not fig.not_applicable:
            assert all(p.footnotes == [] for p in printed)
        finding = made["plain_findings"].get(fig.id, fig.answer)
    else:
        annex = read(made["by_da"]).table_headed("Reference")
        row = next(r for r in annex[1:] if r[2] == expected and "Yes (n=82)" in r[1])
        assert row[0] == (f"{fig.id}={fig.answer}" if fig.answer else fig.id)
        assert (int(row[3]), int(row[4])) == (fig.count, fig.denominator)
        finding = made["by_da_findings"].get(fig.id, fig.answer, fig.group)
    assert (finding.count, finding.denominator) == (fig.count, fig.denominator)
    numbers = {str(fig.count), str(fig.denominator)}
    from fieldwork.wording import number_words
    assert any(n in expected or number_words(int(n)) in expected for n in numbers)


def test_word_structure_headings_tables_footnotes_and_title_page(made):
    doc = read(made["plain"])
    styles = {p.text: p.style for p in doc.paragraphs}
    assert styles["Living in fear – the police and CPS response to harassment and stalking"] == "Title"
    assert styles["3 The police assess and manage the risk to victims from offenders effectively."] == "Heading 1"
    assert styles["3.1 The police use risk assessment screening tools effectively to assess risk to victims and "
                  "families."] == "Heading 2"
    assert styles["Annex A – Methodology"] == "Heading 1" and styles["Annex B – Every figure"] == "Heading 1"
    text = " ".join(doc.texts())
    assert "Cases counted: 112 complete cases; 0 draft assessments left out" in text
    assert "Filters: none: every complete case" in text and "Breakdown: none" in text
    assert "Questionnaire: Joint case file review (case_review), version 2017.2" in text
    assert "rounded to a whole number with halves rounded up" in text
    # a header row Word repeats on every page
    for t in doc.document.tables:
        assert t.rows[0]._tr.xpath("./w:trPr/w:tblHeader")
    assert len(doc.footnotes) == sum(len(p.footnotes) for p in doc.paragraphs) > 10
    footer = doc.document.sections[0].footer
    assert footer.paragraphs[0].text.startswith("Draft – page")
    assert footer._element.xpath(".//w:fldSimple[@w:instr='PAGE']")


def test_the_contents_list_every_chapter_and_section_in_a_word_toc_field(made):
    doc = read(made["plain"])
    headings = [p.text for p in doc.paragraphs if p.style in ("Heading 1", "Heading 2")]
    entries = [p.text for p in doc.paragraphs if p.style in ("toc 1", "toc 2")]
    assert entries == headings and "3.1 The police use risk assessment screening tools effectively to assess risk " \
        "to victims and families." in entries
    body = doc.document.element.body
    assert body.xpath(".//w:instrText")[0].text.startswith("TOC ")
    assert [p.text for p in doc.paragraphs].index("Contents") < [p.text for p in doc.paragraphs].index(
        "How the figures are counted")


def test_the_methodology_annex_gives_the_sample_and_second_marking(made):
    doc = read(made["plain"])
    sample = doc.table_headed("Force")
    assert sample[0] == ["Force", "CPS Area", "Complete", "Drafts left out", "Second-marked", "Moderated"]
    rows = {r[0]: r for r in sample[1:]}
    assert rows["Greater Manchester Police"][1:] == ["CPS North West", "32", "0", "0", "0"]
    assert rows["Durham Constabulary"][1:3] == ["CPS North East", "16"]
    assert rows["Total"][2] == "112"
    assert any("No case of this questionnaire has been second-marked yet" in t for t in doc.texts())
    assert any("The figures come from the joint case file review (case_review, version 2017.2)" in t
               for t in doc.texts())


def test_the_charts_are_the_findings_pages_charts(made):
    doc = read(made["plain"])
    expected = charts.default_charts(made["plain_findings"], "Joint case file review")
    assert len(doc.images) == len(expected) == 2  # headline bars, fully / partially / not met
    for png, (name, chart) in zip(doc.images, expected):
        assert png == charts.png(chart), name
        assert name in doc.texts()  # the caption
    by_da = read(made["by_da"])
    assert len(by_da.images) == 3  # and the small multiples by domestic abuse


def test_a_breakdown_gives_a_table_under_each_finding(made):
    doc = read(made["by_da"])
    tables = [t for t in doc.tables if t[0][0] == "Domestic abuse"]  # the variable by its short label
    assert tables
    initial = next(t for t in tables if any(r[0].startswith("All cases") and r[1:4] == ["60", "112", "54%"]
                                            for r in t))
    groups = {r[0]: r for r in initial[1:]}
    assert groups["Yes (n=82)"][2] == "82" and groups["No (n=30)"][2] == "30"
    # the title page says it as a report prints it (the figures annex names the codes, to check against)
    assert "Breakdown: by domestic abuse" in doc.texts()
    # each table's caption names the finding and the breakdown as the report prints them
    assert "Initial risk assessment \u2013 Yes, by domestic abuse" in doc.texts()


def test_the_template_is_applied(made):
    d = docx.Document(io.BytesIO(made["durham"]))
    assert d.styles["Heading 1"].font.name == "Arial"
    header = d.sections[0].header
    assert "HM Inspectorate of Examples" in header.paragraphs[0].text
    assert header._element.xpath(".//a:blip")  # the logo
    assert not d.sections[0].footer._element.xpath(".//w:fldSimple")  # its own footer, not ours
    texts = [p.text for p in d.paragraphs]
    assert "Template placeholder text" not in texts
    assert any(p.style.name == "Heading 1" and p.text.startswith("3 The police assess") for p in d.paragraphs)
    # the landscape annex section keeps the inspectorate's header
    assert all("HM Inspectorate of Examples" in s.header.paragraphs[0].text for s in d.sections)


def test_filters_are_respected_and_said_on_the_title_page(made):
    doc = read(made["durham"])
    text = " ".join(doc.texts())
    assert {"Filters: Durham Constabulary only", "Breakdown: by CPS Area",
            "Every figure in this draft counts only these cases: Durham Constabulary only."} <= set(doc.texts())
    assert "Which police force investigated the case?: " not in text
    assert "Cases counted: 16 complete cases" in text
    sample = doc.table_headed("Force")
    assert [r[0] for r in sample[1:]] == ["Durham Constabulary", "Total"]


def test_notes_stay_out_by_default_and_a_lead_may_ask_for_them(made):
    for name in ("plain", "by_da"):
        raw = made[name]
        doc = read(raw)
        assert "Evidence notes: not included" in " ".join(doc.texts())
        assert not any(p.text.startswith("Annex C") for p in doc.paragraphs)
        assert NOTE.encode() not in raw and NOTE not in " ".join(" ".join(" ".join(r) for r in t) for t in doc.tables)
    doc = read(made["durham"])
    notes = doc.table_headed("Question")
    assert [made["noted_case"], NOTE] in [r[1:] for r in notes[1:]]
    assert any(p.text == "Annex C – Evidence notes" for p in doc.paragraphs)


def test_an_inspector_may_not_write_the_report(made):
    from fieldwork.services.permissions import PermissionDenied

    with pytest.raises(PermissionDenied), db.session_scope(made["engine"]) as s:
        reporting.draft_report(s, Actor("inspector1", "inspector"), "case_review")


def test_writing_the_report_is_audited_without_content(made):
    with db.session_scope(made["engine"]) as s:
        events = s.scalars(select(AuditEvent).where(AuditEvent.action == audit.REPORT)).all()
        assert len(events) >= 3
        details = [json.loads(e.detail) for e in events]
    assert {"by": "cps_area", "notes_included": True} .items() <= next(d for d in details if d["by"] == "cps_area").items()
    assert all(NOTE not in e.detail for e in events)


def test_the_technical_note_gives_the_interval_and_the_small_number_caution(made):
    """The findings carry ``ci_low``, ``ci_high`` and ``small_n`` (contract section 9): each
    criterion's technical note gives them, as the findings JSON has them."""
    doc = read(made["plain"])
    under = [p.text for p in doc.under("3.1 ")]
    assert any(t.startswith("Technical note. The 95% interval (Wilson score)") for t in under)
    note = doc.table_headed("Finding")  # the first criterion with evidence is 2.1; 3.1's is further on
    assert note[0] == ["Finding", "Cases", "95% interval", "Small number"]
    rows = [r for t in doc.tables if t[0][0] == "Finding" for r in t[1:]]
    # Wilson score interval of 60/112: 44.4 to 62.5 percent (fieldwork.stats, checked against Newcombe 1998)
    assert ["Was an initial risk assessment carried out at the victim's first contact with the police? – Yes",
            "60 of 112", "44.4 to 62.5 percent", ""] in rows


def test_bad_requests_write_nothing(made, tmp_path, capsys):
    out = tmp_path / "r.docx"
    assert _run("report", "case_review", str(out), "--db", made["url"], "--by", "nothing") == 1
    assert "no variable 'nothing'" in capsys.readouterr().err and not out.exists()
    bad = tmp_path / "t.docx"
    bad.write_bytes(b"not a word file")
    assert _run("report", "case_review", str(out), "--db", made["url"], "--template", str(bad)) == 1
    err = capsys.readouterr().err
    assert "t.docx" in err and "not a Word document" in err and not out.exists()
    assert _run("report", "case_review", str(tmp_path / "r.pdf"), "--db", made["url"]) == 1
    assert "must end in .docx" in capsys.readouterr().err


def test_judgement_grid_and_case_examples_print_under_their_criterion(demo_engine):
    """The judgements (issue 14) and case examples (issue 13) a lead recorded: a grid and
    shaded boxes under the criterion they belong to."""
    from fieldwork.services import case_examples, judgements

    lead, engine = Actor("lead1", "lead"), demo_engine
    with db.session_scope(engine) as s:
        judgements.judge(s, lead, unit_type="force", unit="durham", criterion="3.1", grade="partially_met",
                         rationale="DASH often incomplete")
        judgements.judge(s, lead, unit_type="force", unit="gwent", criterion="3.1", grade="met",
                         rationale="Risk assessed at first contact")
        ref = s.scalar(select(CaseFile.case_ref).join(Assessment, Assessment.case_id == CaseFile.id)
                       .join(Answer, Answer.assessment_id == Assessment.id)
                       .where(Answer.question == "force", Answer.value == "durham").order_by(CaseFile.case_ref))
        case_examples.mark(s, lead, "case_review", ref,
                           "The DASH was completed but the stalking questions were left blank.", criterion="3.1")
    with db.session_scope(engine) as s:
        ctx = reporting.report_context(s, lead, "case_review", with_charts=False)
        elsewhere = reporting.report_context(s, lead, "case_review", with_charts=False, filters={"force": ["gwent"]})
    assert [j.unit for j in elsewhere.judgements["3.1"]] == ["Gwent Police"] and not elsewhere.examples
    data = report_docx.to_bytes(ctx)
    d = docx.Document(io.BytesIO(data))
    doc = read(data)
    grid = doc.table_headed("Force or Area")
    assert grid[1:] == [["Durham Constabulary", "Partially met", "DASH often incomplete"],
                        ["Gwent Police", "Met", "Risk assessed at first contact"]]
    assert "Judgements against criterion 3.1" in [p.text for p in doc.under("3.1 ")]
    (box,) = [t for t in d.tables if t.rows[0].cells[0].text.startswith(f"Case example: {ref}, Durham")]
    assert "left blank" in box.rows[0].cells[0].text and box.rows[0].cells[0]._tc.xpath(".//w:shd")
    # the box and the grid stand between the 3.1 heading and the next one
    body = list(d.element.body)
    heading_at = next(i for i, el in enumerate(body) if el.tag.endswith("}p") and
                      "".join(el.xpath(".//w:t/text()")).startswith("3.1 ") and el.xpath(".//w:pStyle[@w:val='Heading2']"))
    next_heading = next(i for i, el in enumerate(body) if i > heading_at and el.xpath("./w:pPr/w:pStyle[@w:val='Heading2']"))
    assert heading_at < body.index(box._tbl) < next_heading
