"""The report's first draft as a Word document, written from the data with python-docx.

Sections, in the report's order (``SECTIONS``), one small function each taking the document
and a ``ReportContext``:

1. ``title_page`` — the inspection, the questionnaire and its version, the cases counted and
   the drafts left out, the filters and the breakdown the figures were computed under;
   then ``contents`` — Word's contents field, its entries filled in once every heading is in;
2. ``conventions`` — what "x of y" counts, not known and not applicable, rounding half up;
3. ``charts_at_a_glance`` — the Findings page's own Altair charts (``fieldwork.charts``) as PNG;
4. ``findings_by_criterion`` — under each general and specific criterion (1 … 6, 1.1 … 6.4)
   every part in ``ctx.criterion_parts``: by default the sentences of the findings that
   evidence it, each with its not-known / not-applicable footnote as a numbered Word
   footnote, the table by group where a breakdown was asked for, and a technical note with
   the 95 % interval and the small-number caution where the findings carry them;
5. ``other_findings`` — headline findings that evidence no criterion;
6. ``methodology_annex`` — the sample per force and CPS Area, second marking and agreement,
   the fieldwork dates, the questionnaire and its version;
7. ``figures_annex`` — every figure: its sentence, count, denominator, percent and what it
   was computed over, for a reviewer to check against the data;
8. ``notes_annex`` — evidence notes, only when a lead asked for them.

Another capability adds to a criterion by putting a function ``(document, ctx, general,
specific, findings)`` on ``ctx.criterion_parts`` (case examples marked for the criterion, the
judgement grid) or ``(document, ctx, general)`` on ``ctx.general_parts``; a whole section by
putting ``(document, ctx)`` on ``ctx.extra_sections`` (they come before the annexes).

Nothing here reads the database: ``exports.reporting`` gathers the context. The Word
building blocks (styles, tables, pictures, boxes, contents, footer) are ``exports.docx_parts``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field, fields
from datetime import date, datetime
from typing import Callable

import docx
from docx.enum.section import WD_ORIENT, WD_SECTION
from docx.enum.style import WD_STYLE_TYPE
from docx.enum.text import WD_BREAK
from docx.oxml.ns import qn
from docx.shared import Pt

from exports import docx_parts as parts
from exports import report_words
from exports.docx_footnotes import add_footnote
from fieldwork.files.cells import xml_text
from fieldwork.services import agreement, agreement_words
from fieldwork.services import findings as findings_service
from fieldwork.services.findings import Finding, FindingsReport
from fieldwork.short_labels import short

SMALL_N = 10  # the contract's small-number threshold (a denominator under 10)
TABLE_POINTS = parts.TABLE_POINTS

CONVENTIONS = [
    "Every figure counts case files whose assessment is complete. Draft assessments are left out, "
    "and their number is given on the title page.",
    "\u201cx of y\u201d counts the cases (x) in which the finding holds, out of the cases (y) in which the "
    "question was asked: the cases in its population that the questionnaire's skip logic asked it of, less "
    "those where it was not applicable.",
    "\u201cNot known\u201d answers stay in the denominator; the footnote to the finding says how many there were.",
    "\u201cNot applicable\u201d answers are left out of the denominator; the footnote says how many there were "
    "and, where the report's wording gives it, why.",
    "Percentages are the count divided by the denominator, times 100, rounded to a whole number with halves "
    "rounded up (70 of 112 is 63 percent). Where no case was asked, no percentage is given.",
    "Where a breakdown is given, a case that left the breakdown's question blank counts in the overall "
    "figure only, so the groups may add up to fewer cases than the whole.",
]


class _StoredText:
    """Text read from the database goes into the document only as XML can hold it: the app,
    imports and bundles refuse control characters, but a row written before that rule or by hand
    in SQL must not stop the report being written (attacker re-test 22)."""

    def __post_init__(self):
        for f in fields(self):
            value = getattr(self, f.name)
            if isinstance(value, str):
                object.__setattr__(self, f.name, xml_text(value))


@dataclass(frozen=True)
class SampleRow(_StoredText):
    """One line of the methodology annex's sample table."""
    force: str  # label
    cps_area: str  # label ("" where the questionnaire has no CPS Area)
    complete: int  # complete and counted (after filters)
    drafts: int  # left out
    second_marked: int
    moderated: int


@dataclass(frozen=True)
class EvidenceNote(_StoredText):
    question: str  # label
    case_ref: str
    note: str


@dataclass(frozen=True)
class CaseExample(_StoredText):
    """A case a lead marked as an example for a criterion, as the report boxes it."""
    title: str  # e.g. "HS-0012, Durham Constabulary"
    narrative: str  # the lead's pseudonymised account, written for the report
    example_of: str = ""  # the finding it illustrates, in words ("" for the criterion as a whole)


@dataclass(frozen=True)
class Judgement(_StoredText):
    """One cell of a criterion's judgement grid: a force (or CPS Area) and the lead's grade."""
    unit: str  # label, e.g. "Durham Constabulary"
    grade: str  # label, e.g. "Partially met"
    rationale: str = ""


@dataclass
class ReportContext:
    inspection_title: str
    questionnaire_id: str
    questionnaire_title: str
    questionnaire_version: str
    framework: object  # fieldwork.questionnaire.framework.Framework
    findings: FindingsReport  # overall entries, and per group when ``findings.by`` is set
    variable_labels: dict[str, str]  # variable -> the question's label
    code_labels: dict[str, dict[str, str]]  # variable -> code -> label
    written_by: str
    written_at: datetime
    sample: list[SampleRow] = field(default_factory=list)
    agreement: object | None = None  # fieldwork.services.agreement.AgreementReport
    # second markings per state ("to moderate" ...: fieldwork.services.second_marking.state_counts)
    marking_states: dict[str, int] = field(default_factory=dict)
    fieldwork_dates: tuple[date | None, date | None] = (None, None)
    notes: list[EvidenceNote] | None = None  # None: notes not asked for
    case_facts: frozenset[str] = frozenset()  # the context section's questions (force, CPS Area ...)
    examples: dict[str, list[CaseExample]] = field(default_factory=dict)  # specific criterion -> examples
    judgements: dict[str, list[Judgement]] = field(default_factory=dict)  # specific criterion -> its grid
    charts: list[tuple[str, bytes]] = field(default_factory=list)  # (caption, PNG)
    criterion_parts: list[Callable] = field(default_factory=list)
    # variable -> its name in words ("Force": fieldwork.short_labels.variable_names); the
    # question's label where none is given
    variable_names: dict[str, str] = field(default_factory=dict)
    general_parts: list[Callable] = field(default_factory=list)
    extra_sections: list[Callable] = field(default_factory=list)

    def __post_init__(self):
        self.inspection_title, self.written_by = xml_text(self.inspection_title), xml_text(self.written_by)
        if not self.criterion_parts:
            self.criterion_parts = [criterion_sentences, criterion_breakdown, criterion_technical_note,
                                    criterion_judgements, criterion_examples]

    @property
    def by(self) -> str | None:
        return self.findings.by

    def group_label(self, code: str) -> str:
        return self.code_labels.get(self.by or "", {}).get(code, code)

    def variable_name(self, variable: str) -> str:
        """The variable as the report names it: its short label, else its question."""
        return self.variable_names.get(variable) or self.variable_labels.get(variable, variable)

    def filters_in_words(self) -> str:
        """"Durham Constabulary only; Domestic abuse: No" (exports/report_words.py)."""
        if not self.findings.filters:
            return "none: every complete case"
        names = {v: self.variable_name(v) for v in self.findings.filters}
        return report_words.filters_phrase(self.findings.filters, names, self.code_labels)

    def breakdown_in_words(self) -> str:
        """"by force", or "none"."""
        return report_words.breakdown_phrase(self.by, {self.by: self.variable_name(self.by)}) if self.by else "none"


# --- small helpers --------------------------------------------------------------------------


def sentence(text: str) -> str:
    """A finding's text as a sentence of the report: capital first letter, full stop."""
    text = text.strip()
    if not text:
        return text
    text = text[0].upper() + text[1:]
    return text if text[-1] in ".!?" else text + "."


def day(d) -> str:
    return f"{d.day} {d:%B %Y}"


def finding_name(f: Finding) -> str:
    return f"{f.label} \u2013 {f.answer_label}" if f.answer is not None else f.label


def reference(f: Finding) -> str:
    """The finding as the data names it: ``question=answer`` or the indicator's id."""
    return f"{f.id}={f.answer}" if f.answer is not None else f.id


def percent_text(p: int | None) -> str:
    return "" if p is None else f"{p}%"


def _contract(f: Finding) -> dict:
    """The finding's JSON entry (``ci_low``, ``ci_high`` and ``small_n`` appear there once
    the findings carry them)."""
    return f.to_contract()


def title_page(document, ctx: ReportContext) -> None:
    document.add_paragraph(ctx.inspection_title, style=parts.style(document, "Title"))
    document.add_paragraph(f"Draft report: findings of the {ctx.questionnaire_title.lower()}",
                           style=parts.style(document, "Subtitle"))
    warning = document.add_paragraph()
    warning.add_run("Draft for the inspection team. Written from the fieldwork data; not for publication. "
                    "Check the wording before it is used.").italic = True
    r = ctx.findings
    start, end = ctx.fieldwork_dates
    dates = f"{day(start)} to {day(end)}" if start and end else "not recorded"
    rows = [
        ("Questionnaire", f"{ctx.questionnaire_title} ({ctx.questionnaire_id}), version {ctx.questionnaire_version}"),
        ("Cases counted", f"{r.cases} complete case{'s' if r.cases != 1 else ''}; "
                          f"{r.drafts_excluded} draft assessment{'s' if r.drafts_excluded != 1 else ''} left out"),
        ("Filters", ctx.filters_in_words()),
        ("Breakdown", ctx.breakdown_in_words()),
        ("Assessments completed", dates),
        ("Evidence notes", "included (annex C), at a lead's request" if ctx.notes is not None else "not included"),
        ("Written", f"{day(ctx.written_at)} {ctx.written_at:%H:%M} UTC by {ctx.written_by}"),
    ]
    for label, value in rows:
        p = document.add_paragraph()
        p.add_run(f"{label}: ").bold = True
        p.add_run(value)
    document.add_paragraph().add_run().add_break(WD_BREAK.PAGE)


CONTENTS_TITLE = "Contents"


def contents(document, ctx: ReportContext) -> None:
    """A place for the contents; ``_fill_contents`` writes it once every heading is in."""
    document.add_paragraph(CONTENTS_TITLE, style=parts.style(document, "TOC Heading"))


def conventions(document, ctx: ReportContext) -> None:
    parts.heading(document, "How the figures are counted", 1)
    bullet = parts.style(document, "List Bullet")
    for line in CONVENTIONS:
        document.add_paragraph(line, style=bullet)
    if ctx.findings.filters:
        document.add_paragraph(f"Every figure in this draft counts only these cases: {ctx.filters_in_words()}.")


def charts_at_a_glance(document, ctx: ReportContext) -> None:
    if not ctx.charts:
        return
    parts.heading(document, "The findings at a glance", 1)
    for caption, png in ctx.charts:
        parts.picture(document, png, caption)


def _headline(ctx: ReportContext, group: str | None = None) -> list[Finding]:
    return findings_service.headline(ctx.findings, group)


def findings_by_criterion(document, ctx: ReportContext) -> None:
    headline = _headline(ctx)
    for general in ctx.framework.general:
        parts.heading(document, f"{general.id} {general.text}", 1)
        for part in ctx.general_parts:
            part(document, ctx, general)
        for specific in general.specific:
            parts.heading(document, f"{specific.id} {specific.text}", 2)
            evidence = [f for f in headline if specific.id in f.criteria]
            for part in ctx.criterion_parts:
                part(document, ctx, general, specific, evidence)


def criterion_sentences(document, ctx: ReportContext, general, specific, evidence: list[Finding]) -> None:
    if not evidence:
        document.add_paragraph().add_run(f"No finding of the {ctx.questionnaire_title.lower()} evidences this "
                                         "criterion (interviews and documents may).").italic = True
        return
    for f in evidence:
        finding_paragraph(document, f)


def finding_paragraph(document, f: Finding):
    """The finding's sentence, its footnotes (not known, not applicable) as Word footnotes."""
    p = document.add_paragraph(sentence(f.text))
    for note in f.footnotes:
        add_footnote(p, note)
    return p


def criterion_breakdown(document, ctx: ReportContext, general, specific, evidence: list[Finding]) -> None:
    if not ctx.by or not evidence:
        return
    groups = list(ctx.findings.groups)
    by_label = ctx.variable_name(ctx.by)
    for f in evidence:
        p = document.add_paragraph(style=parts.style(document, "Caption"))
        p.paragraph_format.keep_with_next = True  # never a caption at the foot of a page, its table overleaf
        # "Initial risk assessment – Yes, by force": short labels, as the charts name findings
        name = short(ctx.questionnaire_id, f.id, f.label) + (f" \u2013 {f.answer_label}" if f.answer is not None else "")
        p.add_run(f"{name}, {report_words.breakdown_phrase(ctx.by, {ctx.by: by_label})}")
        rows = []
        for g in [None, *groups]:
            e = ctx.findings.get(f.id, f.answer, g)
            who = f"All cases (n={ctx.findings.cases})" if g is None else \
                f"{ctx.group_label(g)} (n={ctx.findings.groups.get(g, 0)})"
            rows.append((who, e.count, e.denominator, percent_text(e.percent), e.not_known, e.not_applicable))
        parts.table(document, (by_label, "Count", "Denominator", "Percent", "Not known", "Not applicable"), rows,
              widths=(4.2, 1.6, 2.8, 1.9, 1.9, 2.6), numeric=(1, 2, 3, 4, 5))


def criterion_technical_note(document, ctx: ReportContext, general, specific, evidence: list[Finding]) -> None:
    """The 95 % interval and the small-number caution of each finding that carries them
    (``ci_low``, ``ci_high``, ``small_n`` in its findings JSON entry), as a small table."""
    rows = []
    for f in evidence:
        c = _contract(f)
        if c.get("ci_low") is None and not c.get("small_n"):
            continue
        interval = (f"{c['ci_low']:.1f} to {c['ci_high']:.1f} percent"
                    if c.get("ci_low") is not None and c.get("ci_high") is not None else "")
        caution = f"fewer than {SMALL_N} cases: read the percentage with caution" if c.get("small_n") else ""
        rows.append((finding_name(f), f"{f.count} of {f.denominator}", interval, caution))
    if not rows:
        return
    p = document.add_paragraph(style=parts.style(document, "Technical note"))
    p.paragraph_format.keep_with_next = True
    p.add_run("Technical note. ").bold = True
    p.add_run("The 95% interval (Wilson score) is the range within which the percentage across all such cases "
              "would lie, 19 times in 20, had these cases been drawn at random.")
    for run in p.runs:
        run.font.size = Pt(TABLE_POINTS)
    parts.table(document, ("Finding", "Cases", "95% interval", "Small number"), rows, widths=(7.0, 2.0, 3.2, 4.0))


def criterion_judgements(document, ctx: ReportContext, general, specific, evidence: list[Finding]) -> None:
    """The criterion's judgement grid: each force (or Area) judged against it, with the grade."""
    cells = ctx.judgements.get(specific.id) if specific is not None else None
    if not cells:
        return
    p = document.add_paragraph(style=parts.style(document, "Caption"))
    p.paragraph_format.keep_with_next = True
    p.add_run(f"Judgements against criterion {specific.id}")
    parts.table(document, ("Force or Area", "Judgement", "Why"), [(j.unit, j.grade, j.rationale) for j in cells],
          widths=(4.5, 3.0, 8.5))


def criterion_examples(document, ctx: ReportContext, general, specific, evidence: list[Finding]) -> None:
    """Each case example marked for the criterion in a shaded box, as the report prints case studies."""
    for example in ctx.examples.get(specific.id, []) if specific is not None else []:
        document.add_paragraph()  # two tables in a row would merge into one
        box = document.add_table(rows=1, cols=1)
        box.style = parts.style(document, "Table Grid", WD_STYLE_TYPE.TABLE)
        cell = box.rows[0].cells[0]
        parts.shade(cell, "EAF1F8")
        title = cell.paragraphs[0]
        title.add_run(f"Case example: {example.title}").bold = True
        if example.example_of:
            cell.add_paragraph().add_run(f"Example of: {example.example_of}").italic = True
        cell.add_paragraph(example.narrative)


def other_findings(document, ctx: ReportContext) -> None:
    known = set(ctx.framework.specific_ids)
    rest = [f for f in _headline(ctx) if not (set(f.criteria) & known)]
    if not rest:
        return
    parts.heading(document, "Other findings", 1)
    document.add_paragraph("Findings the report writes a sentence for that evidence no specific criterion.")
    for f in rest:
        finding_paragraph(document, f)
    criterion_breakdown(document, ctx, None, None, rest)


def methodology_annex(document, ctx: ReportContext) -> None:
    parts.heading(document, "Annex A \u2013 Methodology", 1)
    r = ctx.findings
    start, end = ctx.fieldwork_dates
    document.add_paragraph(
        f"The figures come from the {ctx.questionnaire_title.lower()} ({ctx.questionnaire_id}, version "
        f"{ctx.questionnaire_version}): {r.cases} case file{'s' if r.cases != 1 else ''} assessed in full. "
        f"{r.drafts_excluded} draft assessment{'s were' if r.drafts_excluded != 1 else ' was'} left out."
        + (f" The assessments were completed between {day(start)} and {day(end)}." if start and end else ""))
    if r.filters:
        document.add_paragraph(f"Cases counted: {ctx.filters_in_words()}.")

    parts.heading(document, "The sample", 2)
    has_area = any(row.cps_area for row in ctx.sample)
    header = ["Force", *(["CPS Area"] if has_area else []), "Complete", "Drafts left out", "Second-marked",
              "Moderated"]
    rows = [[s.force, *([s.cps_area] if has_area else []), s.complete, s.drafts, s.second_marked, s.moderated]
            for s in ctx.sample]
    totals = [sum(s.complete for s in ctx.sample), sum(s.drafts for s in ctx.sample),
              sum(s.second_marked for s in ctx.sample), sum(s.moderated for s in ctx.sample)]
    rows.append(["Total", *([""] if has_area else []), *totals])
    first_number = 2 if has_area else 1
    widths = [5.0, *([4.0] if has_area else []), 2.0, 2.0, 2.2, 2.0]
    parts.table(document, header, rows, widths=widths, numeric=range(first_number, first_number + 4))

    parts.heading(document, "Second marking and agreement", 2)
    a = ctx.agreement
    moderation = agreement_words.moderation_sentence(ctx.marking_states)
    if a is None or not a.pairs:
        document.add_paragraph("No case of this questionnaire has been second-marked yet, so no agreement "
                               "between inspectors can be given." + (f" {moderation}" if moderation else ""))
        return
    document.add_paragraph(
        f"{a.pairs} case{'s were' if a.pairs != 1 else ' was'} second-marked blind by a second inspector. "
        "Agreement is given per question on the cases where both inspectors found it applicable: the share of "
        "those cases in which they gave the same answer, Cohen's kappa and Gwet's AC1 (AC1 is steadier where "
        "nearly every case has the same answer). A question whose "
        f"{agreement_words.STATISTIC_NAMES.get(a.statistic, a.statistic)} falls under {a.threshold:g} is marked "
        f"\u201cunder {a.threshold:g}\u201d in the Threshold column; one with fewer than {agreement.MIN_PAIRS} such "
        f"cases is marked \u201c{agreement.TOO_FEW}\u201d and is not judged.")

    def num(x):
        return "" if x is None else f"{x:.2f}"

    if any(q.repeat or q.kind != "question" for q in a.questions):  # repeat groups: what a pair is there
        document.add_paragraph(
            "In a repeat group a question is compared entry by entry (the first incident one inspector recorded "
            "with the first the other recorded), over the entries both recorded: its count is of entries. How many "
            "entries each recorded in a case is compared on a row of its own. Answers in an entry only one "
            f"inspector recorded ({a.unmatched_first} from the first, {a.unmatched_second} from the second) have "
            "nothing to be compared with and are not in these figures.")
    # a blank kappa where there were pairs says so in its cell; the reason follows the table
    rows = [[q.label + (" (entries)" if q.unit == "entries" else ""), q.n,
             "" if q.observed is None else f"{round(q.observed * 100)}%",
             "not defined" if q.kappa is None and q.n else num(q.kappa), num(q.ac1),
             agreement_words.threshold_mark(q, a)] for q in a.questions]
    rows.append(["All questions (pooled)", a.applicable,
                 "" if a.overall_observed is None else f"{round(a.overall_observed * 100)}%", num(a.pooled_kappa),
                 num(a.pooled_ac1), ""])
    parts.table(document, ("Question", "Cases", "Agreement", "Kappa", "AC1", "Threshold"), rows,
          widths=(7.5, 1.5, 2.2, 1.6, 1.6, 1.8), numeric=(1, 2, 3, 4))
    # what the Second marking page says under its table, from the same words
    for said in (agreement_words.too_few_sentence(a), agreement_words.flagged_sentence(a),
                 agreement_words.blank_sentence(a), moderation):
        if said:
            document.add_paragraph(said)


def figures_annex(document, ctx: ReportContext) -> None:
    """Every finding entry, overall and per group: landscape, one row each."""
    section = document.add_section(WD_SECTION.NEW_PAGE)
    if section.orientation != WD_ORIENT.LANDSCAPE:
        section.orientation = WD_ORIENT.LANDSCAPE
        section.page_width, section.page_height = section.page_height, section.page_width
    parts.heading(document, "Annex B \u2013 Every figure", 1)
    r = ctx.findings
    document.add_paragraph(
        "Each figure of the data, as counted for this draft: the sentence it gives, its count, denominator and "
        "percent, its not-known and not-applicable cases and the cases it was computed over. The reference "
        "names the question and answer code (or the indicator) in the data"
        + (f"; a group is a value of \u201c{ctx.variable_labels.get(r.by, r.by)}\u201d ({r.by})" if r.by else "")
        + ", so each figure can be checked "
        f"against the findings (fieldwork findings {ctx.questionnaire_id}"
        + (f" --by {r.by}" if r.by else "")
        + "".join(f" --filter {v}={','.join(c)}" for v, c in r.filters.items()) + ").")
    scope = f"; {ctx.filters_in_words()}" if r.filters else ""
    document.add_paragraph("Left out: the codes of the questions on the facts of the case (force, CPS Area, "
                           "offence ...) that no case holds.")
    rows = []
    for f in r.findings:
        if f.group is None:
            over = f"All cases (n={r.cases}){scope}"
        else:
            over = f"{ctx.group_label(f.group)} (n={r.groups.get(f.group, 0)}){scope}"
        if f.count == 0 and f.id in ctx.case_facts:
            continue
        rows.append((reference(f), over, sentence(f.text), f.count, f.denominator, percent_text(f.percent),
                     f.not_known, f.not_applicable))
    parts.table(document, ("Reference", "Computed over", "Sentence", "Count", "Denominator", "Percent", "Not known",
                     "Not applicable"), rows, widths=(4.0, 3.4, 8.0, 1.6, 2.6, 1.9, 2.0, 2.6),
          numeric=(3, 4, 5, 6, 7))


def notes_annex(document, ctx: ReportContext) -> None:
    if ctx.notes is None:
        return
    parts.heading(document, "Annex C \u2013 Evidence notes", 1)
    document.add_paragraph("The inspectors' evidence notes, by question and case reference, included at a lead's "
                           "request. They may hold case detail: keep this draft within the inspection team.")
    parts.table(document, ("Question", "Case", "Evidence note"), [(n.question, n.case_ref, n.note) for n in ctx.notes],
          widths=(6.0, 2.5, 16.0))


def _extra_sections(document, ctx: ReportContext) -> None:
    for section in ctx.extra_sections:
        section(document, ctx)


SECTIONS: list[Callable] = [title_page, contents, conventions, charts_at_a_glance, findings_by_criterion, other_findings,
                            _extra_sections, methodology_annex, figures_annex, notes_annex]


# --- the document ---------------------------------------------------------------------------


def _blank_from(template: bytes | None):
    """A document on python-docx's default template, or on the inspectorate's own: its styles,
    headers, footers (a logo in the header) and page set-up are kept, its body emptied."""
    if template is None:
        document = docx.Document()
        parts.page_footer(document)
        return document
    document = docx.Document(io.BytesIO(template))
    body = document.element.body
    for child in list(body):
        if child.tag != qn("w:sectPr"):  # the last section's properties hold the headers and page size
            body.remove(child)
    return document


# What each section's step is called while the report is written (exports/report_steps.py);
# a section another capability adds is "Writing further sections…".
SECTION_WORDS = {title_page: "Writing the title page…", contents: "Writing the contents…",
                 conventions: "Writing how the figures are counted…",
                 charts_at_a_glance: "Placing the charts…",
                 findings_by_criterion: "Writing the findings under each criterion…",
                 other_findings: "Writing the other findings…", _extra_sections: "Writing further sections…",
                 methodology_annex: "Writing the methodology annex…",
                 figures_annex: "Writing the annex of every figure…", notes_annex: "Writing the evidence notes annex…"}
SAVING = "Saving the document…"


def _says(section, ctx: ReportContext) -> str:
    """The section's step in words; "" (counted, not said) for one that writes nothing here."""
    empty = ((section is notes_annex and ctx.notes is None) or (section is charts_at_a_glance and not ctx.charts)
             or (section is _extra_sections and not ctx.extra_sections))
    return "" if empty else SECTION_WORDS.get(section, "Writing further sections…")


def steps() -> int:
    """How many steps ``to_bytes`` announces: one per section, and saving."""
    return len(SECTIONS) + 1


def build(ctx: ReportContext, template: bytes | None = None, on_step: Callable[[str], None] | None = None):
    """The document; ``on_step(words)`` (if given) is told before each section is written."""
    document = _blank_from(template)
    parts.remember_style_ids(document)
    props = document.core_properties
    props.title = f"{ctx.inspection_title}: draft report"
    props.subject = f"{ctx.questionnaire_title}, version {ctx.questionnaire_version}"
    props.author = ctx.written_by
    props.comments = "Draft written from the fieldwork data"
    for section in SECTIONS:
        if on_step:
            on_step(_says(section, ctx))
        section(document, ctx)
    if contents in SECTIONS:
        parts.fill_contents(document, CONTENTS_TITLE)
    return document


def to_bytes(ctx: ReportContext, template: bytes | None = None,
             on_step: Callable[[str], None] | None = None) -> bytes:
    document = build(ctx, template, on_step)
    if on_step:
        on_step(SAVING)
    out = io.BytesIO()
    document.save(out)
    return out.getvalue()
