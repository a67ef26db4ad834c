"""The Excel workbook a lead inspector sends on to the report team.

Sheets, in order: ``cover`` (what this is, who exported it and when, the counting
conventions, how many assessments, whether evidence notes are in it); ``findings``;
``charts`` (native Excel bar charts of the headline findings); one ``findings_by_<variable>``
per breakdown; ``responses`` in codes — the layout the importer reads, with drop-downs so rows
can be added offline and imported; ``responses_labels``; ``data_dictionary``; and a hidden
``code_lists`` sheet that the drop-downs read.

One function per sheet, each taking the workbook and a ``WorkbookContext``; ``build`` calls
them in order and then any ``ctx.extra_sheets``. Another capability adds to the workbook by
putting a function on ``ctx.extra_sheets`` (e.g. an agreement table), a marker column on
``ctx.markers`` (``meta:<name>`` in the responses sheets) or a line on ``ctx.cover_lines``;
``table_sheet`` writes any list of rows as a filterable Excel table.

The workbook is written in openpyxl's write-only mode (rows stream to disk, not held as cell
objects), so 10,000 assessments export in seconds. Every text value passes through
``fieldwork.files.cells.safe``.
"""

from __future__ import annotations

import io
from dataclasses import dataclass, field
from datetime import datetime
from typing import Callable, Mapping

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell
from openpyxl.chart import BarChart, Reference
from openpyxl.chart.data_source import NumDataSource, NumRef
from openpyxl.chart.error_bar import ErrorBars
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

from exports import rows as wide_rows
from exports import summaries
from fieldwork import short_labels
from fieldwork.contract import CONTEXT_SECTION
from fieldwork.files.cells import safe
from fieldwork.files.xlsx_out import (BOLD, PERCENT, WRAP, add_table as _add_table, declare_size as _declare_size,
                                      header_cells as _header_cells, table_sheet, width as _width)
from fieldwork.services import wide_table
from fieldwork.services.wide_table import Responses

EXTRA_ROWS = 1000  # empty rows below the data that keep the drop-downs, for scoring offline
PERCENT_1 = "0.0%"  # the charts sheet's intervals keep their one decimal
BREAKDOWNS = ("force", "cps_area", "domestic_abuse")

CONVENTIONS = [
    "Only complete assessments are counted; drafts are left out (their number is given above).",
    "A question's denominator is the cases in its population where the question was asked, less those "
    "answered “not applicable” (na). Cases where skip logic did not ask the question are not in it.",
    # curly quotes: a cell starting with ' is written with a second, protective ' (fieldwork/files/cells.py)
    "“Not known” answers stay in the denominator and are reported beside it, as the report's footnotes do.",
    "Percent is count / denominator x 100, rounded to a whole number half up, as the report prints it. "
    "A zero denominator gives no percent (an empty cell), not an error.",
    "An indicator counts the cases of its population that meet its condition (see data_dictionary).",
    "ci_low and ci_high are the Wilson score 95% confidence interval of each percentage (Newcombe 1998, method 3), "
    "in percent; small_n marks a denominator under 10: read such figures with caution.",
    "In the findings_by_ sheets each group is compared with the rest of the inspection (Newcombe 1998 hybrid score "
    "interval for a difference of two proportions, method 10): differs_from_rest is yes only when the 95% "
    "interval of the difference (diff_low to diff_high, percentage points) excludes 0.",
]


@dataclass
class WorkbookContext:
    responses: Responses
    findings: object | None  # fieldwork.services.findings.FindingsReport: the whole sample
    breakdowns: dict[str, object]  # variable -> FindingsReport computed with by=variable
    exported_by: str
    exported_at: datetime
    criteria_text: Mapping[str, str] = field(default_factory=dict)  # specific criterion id -> wording
    markers: dict[str, Mapping[str, str]] = field(default_factory=dict)  # marker -> assessment uid -> value
    cover_lines: list[tuple[str, str]] = field(default_factory=list)  # extra (label, value) lines
    extra_sheets: list[Callable[[Workbook, "WorkbookContext"], None]] = field(default_factory=list)
    progress: Callable[[int, int, str], None] | None = None  # (steps done, steps in all, the next in words)

    @property
    def questionnaire(self):
        return self.responses.questionnaire


# --- helpers ----------------------------------------------------------------------------


def _fraction(percent) -> float | None:
    """The report's whole-number percent as an Excel percentage (54 -> 0.54, shown 54%)."""
    return None if percent is None else percent / 100


def _criteria(ids) -> str:
    return " ".join(ids or ())


# --- sheets -----------------------------------------------------------------------------


def add_cover(wb: Workbook, ctx: WorkbookContext) -> None:
    resp, q = ctx.responses, ctx.questionnaire
    ws = wb.create_sheet("cover")
    ws.column_dimensions["A"].width = 34
    ws.column_dimensions["B"].width = 110
    title = WriteOnlyCell(ws, value=safe(f"{resp.inspection.name}: {q.title}"))
    title.font = Font(bold=True, size=14)
    ws.append([title])
    ws.append([])
    notes = ("INCLUDED at the exporter's request: evidence notes are case content; handle this workbook as "
             "OFFICIAL-SENSITIVE and share it only with the inspection team"
             if resp.with_notes else
             "not included (the default: every export is de-identified, leaving the inspectors' evidence notes "
             "out unless they are asked for)")
    lines = [
        ("Inspection", f"{resp.inspection.name} ({resp.inspection.code})"),
        ("Questionnaire", f"{q.title} ({q.id}), version {q.version}"),
        ("Framework", q.framework),
        ("Exported at", ctx.exported_at.strftime("%Y-%m-%d %H:%M UTC")),
        ("Exported by", ctx.exported_by),
        ("Complete assessments (counted)", resp.complete),
        ("Draft assessments (not counted)", resp.drafts),
        ("Evidence notes", notes),
    ]
    if resp.not_counted:
        lines.append(("Complete but not counted", f"{resp.not_counted} (second markings, or first scorings "
                      "replaced by an agreed scoring)"))
    if resp.other_versions:
        lines.append(("Scored on another version", f"{resp.other_versions} counted assessments were scored on "
                      f"another version of the questionnaire; the columns are those of version {q.version}"))
    if resp.duplicate_case_refs:
        lines.append(("Cases counted twice", f"{len(resp.duplicate_case_refs)} cases have more than one counted "
                      "assessment (conflicts to resolve); the responses sheet cannot be re-imported until they are"))
    lines += ctx.cover_lines
    for label, value in lines:
        ws.append([_bold(ws, label), safe(value)])
    ws.append([])
    ws.append([_bold(ws, "How the findings are counted")])
    for line in CONVENTIONS:
        ws.append([None, _wrapped(ws, line)])
    ws.append([])
    ws.append([_bold(ws, "Sheets")])
    for name, what in [
        ("findings", "every finding: count, denominator, percent, not known, not applicable and the sentence"),
        ("charts", "bar charts of the headline findings"),
        ("findings_by_…", "the findings for each force, CPS Area and domestic abuse / other cases"),
        ("responses", "one row per counted complete assessment, in answer codes: the layout `fieldwork import` "
                      "and the Import page read. Blank = not asked. New rows can be added below the data "
                      "(each coded column offers its codes in a drop-down) and imported"),
        ("responses_labels", "the same rows with the answers' labels, for reading"),
        ("data_dictionary", "each variable: label, guidance, answer codes, skip logic and criteria"),
    ]:
        ws.append([safe(name), _wrapped(ws, what)])


def _bold(ws, value):
    cell = WriteOnlyCell(ws, value=safe(value))
    cell.font = BOLD
    return cell


def _wrapped(ws, value):
    cell = WriteOnlyCell(ws, value=safe(value))
    cell.alignment = WRAP
    return cell


FINDING_HEADER = ["finding", "label", "kind", "answer", "answer_label", "count", "denominator", "percent",
                  "not_known", "not_applicable", "text", "footnotes", "criteria", "ci_low", "ci_high", "small_n",
                  "unit"]  # unit: cases, or entries of a repeat group (issue 12)
GROUP_HEADER = ["rest_count", "rest_denominator", "diff_low", "diff_high", "differs_from_rest"]


def _finding_row(ctx: WorkbookContext, f) -> list:
    # ci_low / ci_high: the Wilson 95 % interval in percent, one decimal, as in the findings JSON
    return [f.id, f.label, f.kind, f.answer, f.answer_label or None, f.count, f.denominator, _fraction(f.percent),
            f.not_known, f.not_applicable, f.text, " ".join(f.footnotes or ()), _criteria(f.criteria),
            f.ci_low, f.ci_high, "yes" if f.small_n else "no", f.unit]


def _group_row(f) -> list:
    return [f.rest_count, f.rest_denominator, f.diff_low, f.diff_high, "yes" if f.differs else "no"]


def add_findings(wb: Workbook, ctx: WorkbookContext) -> None:
    if ctx.findings is None:
        return
    rows = [_finding_row(ctx, f) for f in ctx.findings.findings if f.group is None]
    widths = [34, 40, 10, 16, 24, 8, 12, 9, 10, 14, 90, 50, 14, 8, 8, 8, 9]
    table_sheet(wb, "findings", FINDING_HEADER, rows, widths=widths, percent=[7], wrap=[1, 10, 11])


def add_breakdown(wb: Workbook, ctx: WorkbookContext, variable: str, report) -> None:
    q = ctx.questionnaire
    header = [variable, f"{variable}_label", *FINDING_HEADER, *GROUP_HEADER]
    rows = [[f.group, q.label_of(variable, f.group), *_finding_row(ctx, f), *_group_row(f)]
            for f in report.findings if f.group is not None]
    widths = [20, 34, 34, 40, 10, 16, 24, 8, 12, 9, 10, 14, 90, 50, 14, 8, 8, 8, 9, 10, 14, 9, 9, 16]
    table_sheet(wb, f"findings_by_{variable}"[:31], header, rows, table=f"tbl_by_{variable}", widths=widths,
                percent=[9])  # no wrapping: a per-group sheet is long, and wrapped cells cost time


def headline(ctx: WorkbookContext) -> list:
    """The findings the report prints a sentence for (an answer with a template in criteria/,
    and every indicator); for a questionnaire without templates, the 'yes' of each yes/no question."""
    q = ctx.questionnaire
    # a chart of percentages of cases: entries of repeat groups, and the repeats' own lines, are in the tables
    overall = [f for f in ctx.findings.findings if f.group is None and f.unit == "cases" and f.kind != "repeat"]
    chosen = [f for f in overall if f.answer is None
              or (q.has_question(f.id) and f.answer in q.question(f.id).findings)]
    if not any(f.answer is not None for f in chosen):
        chosen += [f for f in overall if f.answer == "yes" and q.has_question(f.id)
                   and q.question(f.id).section != CONTEXT_SECTION]
    return [f for f in chosen if f.percent is not None]


def _interval_cells(ws, f) -> list:
    """95 % CI from, to (as percentages), and the error bar's lengths below and above the bar."""
    low, high = (None if x is None else round(x / 100, 4) for x in (f.ci_low, f.ci_high))
    bar = _fraction(f.percent)
    minus = None if low is None or bar is None else round(max(0.0, bar - low), 4)
    plus = None if high is None or bar is None else round(max(0.0, high - bar), 4)
    cells = []
    for value in (low, high, minus, plus):
        cell = WriteOnlyCell(ws, value=value)
        cell.number_format = PERCENT_1
        cells.append(cell)
    return cells


def _error_bars(ws, first: int, last: int) -> ErrorBars:
    """The Wilson 95 % interval as custom error bars: lengths below (column F) and above (G)."""
    def ref(column: str) -> NumDataSource:
        return NumDataSource(numRef=NumRef(f=f"'{ws.title}'!${column}${first}:${column}${last}"))
    return ErrorBars(errBarType="both", errValType="cust", noEndCap=False, minus=ref("F"), plus=ref("G"))


def add_charts(wb: Workbook, ctx: WorkbookContext) -> None:
    """Horizontal bars of the headline percentages: one chart for questions, one for indicators,
    each bar with its Wilson 95 % interval as an error bar. The charts read a small table on
    the same sheet, so they stay live if it is edited."""
    if ctx.findings is None:
        return
    chosen = headline(ctx)
    ws = wb.create_sheet("charts")
    ws.column_dimensions["A"].width = 60
    ws.column_dimensions["B"].width = 10
    ws.column_dimensions["C"].width = 14
    for column in "DEFG":
        ws.column_dimensions[column].width = 12
    ws.append(_header_cells(ws, ["finding", "percent", "n", "95% CI from", "95% CI to", "bar less CI from",
                                 "CI to less bar"]))
    groups = [("Questions: percent of cases (lines: 95% confidence intervals)",
               [f for f in chosen if f.answer is not None]),
              ("Indicators: percent of cases in the population (lines: 95% confidence intervals)",
               [f for f in chosen if f.answer is None])]
    row, anchor = 2, 2
    for title, findings in groups:
        if not findings:
            continue
        first = row
        for f in findings:
            label = f"{f.label or f.id}: {f.answer_label}" if f.answer else (f.label or f.id)
            pct = WriteOnlyCell(ws, value=_fraction(f.percent))
            pct.number_format = PERCENT
            ws.append([safe(label[:120]), pct, safe(f"{f.count} of {f.denominator}"), *_interval_cells(ws, f)])
            row += 1
        chart = BarChart()
        chart.type = "bar"  # horizontal bars, as the report's figures read
        chart.style = 10
        chart.title = title
        chart.y_axis.title = "percent"
        chart.y_axis.number_format = PERCENT
        chart.y_axis.scaling.min = 0
        chart.y_axis.scaling.max = 1
        chart.x_axis.scaling.orientation = "maxMin"  # first finding at the top
        chart.legend = None
        chart.x_axis.delete = False  # openpyxl 3.1 leaves axes hidden in current Excel unless told
        chart.y_axis.delete = False
        chart.add_data(Reference(ws, min_col=2, min_row=first, max_row=row - 1), titles_from_data=False)
        chart.set_categories(Reference(ws, min_col=1, min_row=first, max_row=row - 1))
        chart.series[0].errBars = _error_bars(ws, first, row - 1)
        chart.width = 26
        chart.height = max(7.5, 0.55 * len(findings) + 2)
        ws.add_chart(chart, f"I{anchor}")
        anchor += int(chart.height * 2) + 2
        ws.append([])
        row += 1


def _validation(q, variable: str, column: str, last_row: int, code_lists: Mapping[str, str]):
    """The drop-down (or number / date / length rule) that keeps a typed cell importable."""
    sqref = f"{column}2:{column}{last_row}"
    if variable == wide_table.CASE_REF:
        dv = DataValidation(type="textLength", operator="between", formula1="1", formula2="40")
        dv.prompt = "The pseudonymous case reference, e.g. HS-0001 (never a name)."
    elif variable in code_lists:
        dv = DataValidation(type="list", formula1=code_lists[variable])
        dv.error = "Choose one of the codes in the list (blank = not asked)."
    elif q.question(variable).type == "integer":
        dv = DataValidation(type="whole", operator="between", formula1="-1000000", formula2="1000000")
        dv.error = "A whole number."
    elif q.question(variable).type in ("decimal", "range"):
        dv = DataValidation(type="decimal", operator="between", formula1="-1000000000", formula2="1000000000")
        dv.error = "A number."
    elif q.question(variable).type == "date":
        dv = DataValidation(type="date", operator="greaterThan", formula1="1")
        dv.error = "A date."
    else:
        return None
    if variable != wide_table.CASE_REF:
        question = q.question(variable)
        dv.prompt = (question.label + (f" (asked when {q.rule(question)})" if q.rule(question) else ""))[:250]
    dv.promptTitle = variable[:32]
    dv.errorTitle = "Not an answer code" if variable in code_lists else "Not accepted"
    dv.allow_blank = True
    dv.showErrorMessage = True
    dv.showInputMessage = True
    dv.add(sqref)
    return dv


def _code_list_refs(q) -> dict[str, str]:
    """variable -> the range of its codes on the hidden code_lists sheet (one column per list)."""
    refs, column_of = {}, {}
    for question in q.single_choice_questions:
        if question.choices not in column_of:
            column_of[question.choices] = get_column_letter(len(column_of) + 1)
        col = column_of[question.choices]
        refs[question.name] = f"'code_lists'!${col}$2:${col}${len(q.codes(question.name)) + 1}"
    return refs


def add_responses(wb: Workbook, ctx: WorkbookContext, *, labels: bool = False) -> None:
    resp, q = ctx.responses, ctx.questionnaire
    title = "responses_labels" if labels else "responses"
    ws = wb.create_sheet(title)
    header = wide_rows.header(resp, ctx.markers)
    for i, name in enumerate(header):
        if name.startswith(wide_table.NOTE_PREFIX):
            width = 40
        elif q.has_question(name) and q.question(name).is_single_choice:
            shown = [q.label_of(name, c) for c in q.codes(name)] if labels else q.codes(name)
            width = _width([name, *shown])
        else:
            width = _width([name], floor=14)
        ws.column_dimensions[get_column_letter(i + 1)].width = width
    ws.freeze_panes = "B2"  # the header and the case reference stay in view
    _declare_size(ws, len(header), len(resp.rows) + 1)
    ws.append(_header_cells(ws, header))
    for values in wide_rows.all_values(resp, labels=labels, markers=ctx.markers):
        ws.append(values)
    _add_table(ws, f"tbl_{title}", header, len(resp.rows))
    if not labels:
        last_row = len(resp.rows) + 1 + EXTRA_ROWS
        lists = _code_list_refs(q)
        for i, name in enumerate(wide_table.variables(q)):
            dv = _validation(q, name, get_column_letter(i + 1), last_row, lists)
            if dv is not None:
                ws.data_validations.append(dv)


def add_responses_labels(wb: Workbook, ctx: WorkbookContext) -> None:
    add_responses(wb, ctx, labels=True)


def add_data_dictionary(wb: Workbook, ctx: WorkbookContext) -> None:
    q = ctx.questionnaire
    sections = {s.id: s.title for s in q.sections}
    header = ["variable", "kind", "section", "label", "guidance", "required", "asked_when", "constraint",
              "answer_codes", "answer_labels", "criteria", "criteria_text"]

    def crit(ids) -> str:
        return "\n".join(f"{c} {ctx.criteria_text.get(c, '')}".strip() for c in ids)

    rows = []
    for question in q.questions:
        codes = q.codes(question.name)
        rows.append([
            question.name, question.type, sections.get(question.section, question.section), question.label,
            question.guidance, "yes" if question.required else "no", q.rule(question) or "always",
            question.constraint or None, "\n".join(codes) or None,
            "\n".join(f"{c} = {q.label_of(question.name, c)}" for c in codes) or None,
            _criteria(question.criteria), crit(question.criteria) or None])
    for ind in q.indicators:
        rows.append([ind.id, "indicator", None, ind.label, None, None, ind.population or "all cases",
                     ind.condition, None, None, _criteria(ind.criteria), crit(ind.criteria) or None])
    rows.append([wide_table.INSPECTOR_COLUMN, "column", None, "The inspector who scored the case (kept on import; "
                 "blank = the person importing)", None, "no", None, None, None, None, None, None])
    rows.append([wide_table.NOTE_PREFIX + "VARIABLE", "column", None, "The inspector's evidence note beside that answer "
                 "(only in exports that include notes; imported when present)", None, "no", None, None, None,
                 None, None, None])
    for marker in ctx.markers:
        rows.append([wide_table.META_PREFIX + marker, "column", None, "Shown for the reader; ignored on import", None,
                     "no", None, None, None, None, None, None])
    widths = [34, 11, 22, 50, 70, 9, 40, 20, 20, 45, 12, 60]
    table_sheet(wb, "data_dictionary", header, rows, widths=widths, wrap=[3, 4, 8, 9, 11])


def add_code_lists(wb: Workbook, ctx: WorkbookContext) -> None:
    """Hidden: one column per answer set, read by the responses sheet's drop-downs (a list typed
    into the rule itself is limited to 255 characters, too few for the 43 forces)."""
    q = ctx.questionnaire
    lists: dict[str, list[str]] = {}
    for question in q.single_choice_questions:
        lists.setdefault(question.choices, q.codes(question.name))
    ws = wb.create_sheet("code_lists")
    ws.sheet_state = "hidden"
    names = list(lists)
    ws.append([safe(n) for n in names])
    for i in range(max((len(v) for v in lists.values()), default=0)):
        ws.append([safe(lists[n][i]) if i < len(lists[n]) else None for n in names])


def add_summaries(wb: Workbook, ctx: WorkbookContext) -> None:
    report = ctx.findings
    if report is None or not report.summaries:
        return
    rows = list(summaries.rows(report, ctx.questionnaire))
    for variable, breakdown in ctx.breakdowns.items():
        rows += [r for r in summaries.rows(breakdown, ctx.questionnaire) if r[2] is not None]
    table_sheet(wb, "summaries", summaries.HEADER, rows)


def build(ctx: WorkbookContext) -> Workbook:
    wb = Workbook(write_only=True)
    # each step named in words, as the Export page shows it while the workbook is written
    steps: list[tuple[str, Callable[[], None]]] = [
        ("the cover", lambda: add_cover(wb, ctx)),
        ("the findings", lambda: add_findings(wb, ctx)),
        ("the charts", lambda: add_charts(wb, ctx)),
        ("the summaries", lambda: add_summaries(wb, ctx)),  # numbers and dates, when there are any
        *((f"the findings by {_by_words(ctx, v)}", (lambda v=v, r=r: add_breakdown(wb, ctx, v, r)))
          for v, r in ctx.breakdowns.items()),
        ("the responses", lambda: add_responses(wb, ctx)),
        ("the responses in labels", lambda: add_responses_labels(wb, ctx)),
        ("the data dictionary", lambda: add_data_dictionary(wb, ctx)),
        ("the code lists", lambda: add_code_lists(wb, ctx)),
        *((EXTRA_SHEET_WORDS.get(getattr(fn, "__name__", ""), "further sheets"), (lambda fn=fn: fn(wb, ctx)))
          for fn in ctx.extra_sheets),
    ]
    for done, (name, step) in enumerate(steps):
        if ctx.progress:
            ctx.progress(done, len(steps), f"Writing {name} ({done + 1} of {len(steps)})…")
        step()
    if ctx.progress:
        ctx.progress(len(steps), len(steps), SAVING)
    return wb


def _by_words(ctx: WorkbookContext, variable: str) -> str:
    q = ctx.questionnaire
    label = q.question(variable).label if q.has_question(variable) else variable
    words = short_labels.short(q.id, variable, label)
    return words if words[:2].isupper() else words[:1].lower() + words[1:]  # "CPS Area" stays, "Force" -> "force"


# The sheets other capabilities add (exports/agreement.py, sample.py, evidence_sheets.py,
# case_examples.py; exporting.py's repeat groups), in words for the progress.
EXTRA_SHEET_WORDS = {"agreement_sheet": "the agreement between markers", "sample_sheet": "the sample",
                     "evidence_sheets": "the evidence and judgements", "add_case_examples": "the case examples",
                     "repeat_sheets": "the repeat groups"}
SAVING = "Saving the workbook…"


def to_bytes(ctx: WorkbookContext) -> bytes:
    buffer = io.BytesIO()
    build(ctx).save(buffer)
    return buffer.getvalue()
