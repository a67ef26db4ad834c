"""Importing a wide table of complete assessments (.csv or .xlsx sheet ``responses``).

Three steps, all or nothing:

1. ``read_table`` (the file layer, ``fieldwork.files.table``) turns the file's bytes into a
   header and rows, refusing a file that is too large, empty, not well formed, in an encoding
   we cannot read with certainty, or an .xlsx that is not safe to open; every limit is
   checked as the file is read.
2. ``check`` compares every cell with the questionnaire and the database and collects every
   problem — row (the spreadsheet's row number, header = row 1), column and case — before
   anything is written: unknown columns and codes, required answers missing, answers that skip
   logic makes irrelevant, constraints, duplicate or unsafe case references, formulas saved
   without their calculated value. Headers and codes are matched whatever their case; a value
   quoted in a problem is cut short (``QUOTED_CHARS``).
3. ``import_file`` runs both, and only if there is no problem writes every row with
   ``store.add_complete_assessments`` in the caller's transaction, plus one audit row.

The layout is ``fieldwork.services.wide_table``'s: the columns our own exports write
(``meta:inspector``, ``note:VAR``, informational ``meta:`` markers) are read back too, and
text our exports neutralised against formula injection (a leading ``'``) is restored.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable, Sequence

from openpyxl.utils import get_column_letter
from sqlalchemy import func, select
from sqlmodel import Session

from fieldwork import audit, expr
from fieldwork.files import cells as file_cells
from fieldwork.files.cells import unquote
from fieldwork.files.limits import MAX_COLUMNS, MAX_FILE_BYTES, MAX_ROWS  # noqa: F401
from fieldwork.files.table import SHEET, Table, read_path, read_table  # noqa: F401 (the import's reading)
from fieldwork.files.xlsx_sheet import UNCALCULATED_REASON, Uncalculated
from fieldwork.problem_codes import (  # noqa: F401 (the reading's codes, as the import's own)
    BAD_CASE_REF, BAD_ENCODING, BAD_INSPECTOR, BAD_VALUE, CASE_EXISTS, CONSTRAINT_FAILED, DUPLICATE_CASE_REF,
    DUPLICATE_COLUMN, EMPTY_FILE, FILE_TOO_LARGE, IRRELEVANT_ANSWER, LOOKS_DOUBLE_ENCODED, MALFORMED_FILE,
    MISSING_COLUMN, MISSING_REQUIRED, MISSING_SHEET, NOTE_PERSONAL_DATA, NOT_IN_INSPECTION, OUTSIDE_FILTER,
    READ_AS_CP1252,
    TOO_MANY_ROWS, UNCALCULATED_FORMULA, UNKNOWN_CODE, UNKNOWN_COLUMN, UNNAMED_COLUMN, UNSUPPORTED_FILE,
)
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire import answers as answer_types
from fieldwork.questionnaire import filter_checks
from fieldwork.questionnaire.model import Question, Questionnaire
from fieldwork.questionnaire.repeat_levels import case_level
from fieldwork.services import entry_counts, inspections, odk_kobo, privacy, repeat_files, store, wide_table
from fieldwork.services.assessments import MAX_NOTE
from fieldwork.services.permissions import LEADS, Actor, require_role
from fieldwork.services.store import CaseRecord
from fieldwork.services import actor_check, characters
from models import Assessment, CaseFile, Inspection, QuestionnaireVersion

MAX_TEXT = 2_000  # characters in a text answer (the answer column's size)

CASE_REF = wide_table.CASE_REF
_MOJIBAKE = re.compile("[\u00c2\u00c3][\u0080-\u00bf]|\u00e2\u20ac")  # "Ã©", "Â£", "â€™": UTF-8 read as cp1252
QUOTED_CHARS = file_cells.QUOTED_CHARS
# a cell read the same way by every reader (sampling frames use these too)
_clip, _blank, _display, _text = file_cells.clip, file_cells.blank, file_cells.display, file_cells.text
_close_match = answer_types.close_match


def _convert(q: Questionnaire, question: Question, value) -> tuple[str | None, tuple[str, str] | None]:
    """(stored value, None) or (None, (problem code, reason)): the one conversion the app uses too."""
    return answer_types.convert(q, question, unquote(value) if isinstance(value, str) else value)


_TICKED = {"1", "true", "yes", "x"}
_UNTICKED = {"0", "false", "no", ""}


# --- checking ---------------------------------------------------------------------------


@dataclass
class CheckedImport:
    """A file that passed every check, ready to write."""

    source: str
    inspection: Inspection
    version: QuestionnaireVersion
    questionnaire: Questionnaire
    records: list[CaseRecord]
    columns: list[str]
    encoding: str
    warnings: list[Problem]
    registered: int  # rows that fill in a case already in the register (with no assessment yet)
    layout: odk_kobo.ForeignLayout | None = None  # a KoboToolbox or ODK Central file: what was mapped
    entries: repeat_files.EntriesRead | None = None  # the repeat groups' sheets or files read

    @property
    def rows(self) -> int:
        return len(self.records)


@dataclass
class _Columns:
    questions: dict[int, Question] = field(default_factory=dict)  # column index -> question
    notes: dict[int, str] = field(default_factory=dict)  # column index -> variable
    inspector: int | None = None
    unnamed: dict[int, list[int]] = field(default_factory=dict)  # unnamed column index -> rows with values
    options: dict[int, tuple[Question, str]] = field(default_factory=dict)  # QUESTION/CODE 0/1 column -> tick
    refused: bool = False  # a column was refused as unknown: it may be a variable the file seems to lack


def _case_ref_question() -> Question:
    return Question(name=CASE_REF, section="", type="text", label="Case reference", required=True)


def _column_names(q: Questionnaire) -> tuple[set[str], dict[str, str | None]]:
    """The column names a file may use, and the same by case-folded form -> as spelled here
    (None where two names differ only in case: those are matched exactly only)."""
    known = wide_table.variables(q)  # known[0] is case_ref, which carries no note
    names = {*known, wide_table.INSPECTOR_COLUMN, *wide_table.INFORMATIONAL_META,
             *(wide_table.note_column(v) for v in known[1:])}
    folded: dict[str, str | None] = {}
    for name in names:
        key = name.casefold()
        folded[key] = None if key in folded else name
    return names, folded


def _columns(table: Table, q: Questionnaire, problems: list[Problem]) -> _Columns:
    """What each column holds. Headers are matched whatever their case (``FORCE`` is ``force``),
    as codes are; two headers naming the same variable are refused as a duplicate."""
    cols = _Columns()
    known = wide_table.variables(q)
    names, folded = _column_names(q)
    seen: dict[str, tuple[int, str]] = {}  # variable -> (first column index, header as written)
    for i, raw in enumerate(table.header):
        written = raw.strip()
        where = dict(source=table.source, row=1,
                     field=_clip(written) if written else f"column {get_column_letter(i + 1)}")
        if not written:
            cols.unnamed[i] = []
            continue
        name = written if written in names else folded.get(written.casefold()) or written
        if name in seen:
            first, first_written = seen[name]
            # letters and headers as the file has them (an ODK/Kobo header was mapped onto ours)
            (first_letter, first_written), (letter, as_written) = table.as_in_file(first), table.as_in_file(i)
            columns = f"columns {first_letter} and {letter}"
            problems.append(Problem(DUPLICATE_COLUMN, f"the column {_clip(as_written)!r} appears twice ({columns})"
                                    if first_written == as_written else
                                    f"the columns {_clip(first_written)!r} and {_clip(as_written)!r} ({columns}) "
                                    f"are both {name}: keep one", **where))
            continue
        seen[name] = (i, written)
        if name == CASE_REF:
            cols.questions[i] = q.question(CASE_REF) if q.has_question(CASE_REF) else _case_ref_question()
        elif q.has_question(name):
            cols.questions[i] = q.question(name)
        elif name == wide_table.INSPECTOR_COLUMN:
            cols.inspector = i
        elif name in wide_table.INFORMATIONAL_META:
            continue  # written for the reader (e.g. meta:second_marked); nothing to store
        elif name in names:  # note:VARIABLE
            cols.notes[i] = name[len(wide_table.NOTE_PREFIX):]
        elif _option_column(q, written):
            cols.options[i] = _option_column(q, written)
        else:
            cols.refused = True
            is_note = name.casefold().startswith(wide_table.NOTE_PREFIX)
            hint = answer_types.close_match(name, [wide_table.note_column(v) for v in known[1:]] if is_note else
                                known + [wide_table.INSPECTOR_COLUMN])
            problems.append(Problem(UNKNOWN_COLUMN, f"{_clip(written)!r} is not a variable of {q.id}" +
                                    (f" (did you mean {hint!r}?)" if hint else
                                     f"; the columns are the variable names (see the data dictionary)"
                                     f", plus {wide_table.INSPECTOR_COLUMN} and note:VARIABLE"), **where))
    if CASE_REF not in seen:
        problems.append(Problem(MISSING_COLUMN, f"the file has no {CASE_REF} column: every row needs its "
                                "pseudonymous case reference", source=table.source, row=1, field=CASE_REF))
    return cols


def _option_column(q: Questionnaire, header: str) -> tuple[Question, str] | None:
    """``QUESTION/CODE``: one option of a select_multiple as its own 0/1 column (KoboToolbox)."""
    name, _, code = header.rpartition("/")
    if name and q.has_question(name) and q.question(name).is_multiple_choice and code in q.codes(name):
        return q.question(name), code
    return None


def _row_list(rows: list[int]) -> str:
    """2, 3, 4, 7 -> "2–4, 7": every row named, compactly."""
    parts, start, prev = [], None, None
    for r in rows + [None]:
        if start is None:
            start = prev = r
        elif r is not None and r == prev + 1:
            prev = r
        else:
            parts.append(str(start) if start == prev else f"{start}–{prev}")
            start = prev = r
    return ", ".join(parts)


class _RowChecker:
    """Checks one row at a time against the questionnaire, remembering what later rows need
    (case references seen, rows missing a required column) for the file-level problems."""

    def __init__(self, q: Questionnaire, table: Table, cols: _Columns):
        self.q, self.table, self.cols = q, table, cols
        self.present = {qq.name for qq in cols.questions.values()}
        self.present |= {qq.name for qq, _ in cols.options.values()}
        # the variables each question's skip logic reads: a bad value there makes its checks moot
        self.depends = {qq.name: set(expr.variables(expr.parse(q.rule(qq)))) for qq in q.questions if q.rule(qq)}
        self.required = {qq.name for qq in q.questions if qq.required}
        # A file with a refused (unknown) column may hold any variable it seems to lack under a
        # wrong name: those values are unknown, so skip logic reading them is not checked. The
        # file is refused anyway; this keeps the report to the real problem, not a cascade.
        self.absent = {qq.name for qq in q.questions} - self.present
        self.always_moot = ({name for name, uses in self.depends.items() if uses & self.absent} if cols.refused
                            else set())
        self.ref_index = next((i for i, qq in cols.questions.items() if qq.name == CASE_REF), None)
        self.option_groups: dict[str, list[tuple[int, str]]] = {}
        for i, (qq, code) in cols.options.items():
            self.option_groups.setdefault(qq.name, []).append((i, code))
        self.first_row: dict[str, tuple[int, str]] = {}  # folded case_ref -> (row, as written)
        self.absent_rows: dict[str, list[int]] = {}  # required column missing from the file -> rows asking it
        self.warnings: list[Problem] = []
        self.mojibake = False
        self.ref_pattern: str | None = None  # the inspection's case_ref_pattern (set by row_checker)
        self.computed = {qq.name for qq in q.questions if qq.is_computed}
        # A file holds one assessment per case; a bundle may hold a case's primary, second and
        # agreed assessments (its cases' list is checked for duplicates on its own).
        self.one_row_per_case = True

    def check(self, number: int, cells: Sequence, *, complete: bool = True) -> tuple[CaseRecord | None, list[Problem]]:
        """Every problem of one row, or its record: the one check of a case's answers that
        imports and bundles share (bundles.py), so a rule added here holds for both: characters,
        codes and values, required answers (``complete``: a draft in a bundle may lack them),
        skip logic, constraints, the case reference, note length and the inspector's name."""
        cols = self.cols
        raw_ref = self._cell(cells, self.ref_index)
        case_ref = "" if _blank(raw_ref) or isinstance(raw_ref, Uncalculated) else _text(raw_ref).strip()
        shown_ref = _clip(case_ref) or None
        # the one rule for characters (the app applies it too): every cell, by row, column and case
        problems: list[Problem] = characters.row_problems(self.table.header, cells, number, self.table.source,
                                                          is_note=_is_note_column, is_text=_is_answer_column,
                                                          item=shown_ref)

        def add(code: str, message: str, column: str | None) -> None:
            problems.append(Problem(code, message, source=self.table.source, row=number, field=column,
                                    item=shown_ref, item_kind="case"))

        answers: dict[str, str] = {}
        bad: set[str] = set()
        for i, question in cols.questions.items():
            value = self._cell(cells, i)
            if _blank(value):
                continue
            if isinstance(value, Uncalculated):
                add(UNCALCULATED_FORMULA, UNCALCULATED_REASON.format(formula=repr(_clip(value))), question.name)
                bad.add(question.name)
                continue
            stored, fault = _convert(self.q, question, value)
            if fault:
                add(*fault, question.name)
                bad.add(question.name)
            else:
                answers[question.name] = stored
        self._ticks(cells, answers, bad, add)
        # calculations are worked out again from the answers (a value using now()/today() is kept)
        computed = self.q.with_calculations(answers)
        answers.update({k: v for k, v in computed.items() if k in self.computed})
        for name in self.computed:
            if computed.get(name) in (None, ""):
                answers.pop(name, None)
        notes = self._notes(number, cells, shown_ref, add)
        for i in cols.unnamed:
            if not _blank(self._cell(cells, i)):
                cols.unnamed[i].append(number)
        if any(not _blank(c) for c in cells[len(self.table.header):]):
            add(MALFORMED_FILE, "holds values to the right of the last named column", None)
        inspector = self._cell(cells, cols.inspector)
        if isinstance(inspector, Uncalculated):
            add(UNCALCULATED_FORMULA, UNCALCULATED_REASON.format(formula=repr(_clip(inspector))),
                wide_table.INSPECTOR_COLUMN)
            inspector = ""
        # accounts are stored in lower case (account_records.normalise_name): the stored name must
        # be the account's own, or second marking's "not the first marker" check compares two spellings
        inspector = "" if _blank(inspector) else _text(inspector).strip().lower()
        if len(inspector) > 100 or "@" in inspector:
            add(BAD_INSPECTOR, "give the inspector's user name (at most 100 characters, not an email address)",
                wide_table.INSPECTOR_COLUMN)
        if CASE_REF in self.present and CASE_REF not in bad:
            self._case_ref(number, case_ref, add)
        asked = self._skip_logic(number, answers, bad, add, complete)
        if problems:
            return None, problems
        kept = {k: v for k, v in answers.items() if k != CASE_REF and k in asked}
        return CaseRecord(case_ref, kept, notes, inspector=inspector), []

    def _ticks(self, cells: Sequence, answers: dict[str, str], bad: set[str], add) -> None:
        """A select_multiple given as per-option 0/1 columns (QUESTION/CODE)."""
        for name, columns in self.option_groups.items():
            ticked, faults = [], False
            filled = False
            for i, code in columns:
                value = self._cell(cells, i)
                text = "" if _blank(value) else _text(value).strip().casefold()
                filled = filled or text != ""
                if text in _TICKED:
                    ticked.append(code)
                elif text not in _UNTICKED:
                    add(BAD_VALUE, f"{_clip(text)!r}: a ticked option is 1, an unticked one 0", f"{name}/{code}")
                    faults = True
            if faults:
                bad.add(name)
                continue
            if not filled:
                continue
            stored, _ = _convert(self.q, self.q.question(name), ticked)
            if name in answers and answers[name] != stored:
                add(BAD_VALUE, f"the {name} column says {answers[name]!r} but its option columns say "
                    f"{stored or 'none'!r}", name)
                bad.add(name)
            elif stored:
                answers[name] = stored

    @staticmethod
    def _cell(cells: Sequence, index: int | None):
        return cells[index] if index is not None and index < len(cells) else None

    def _notes(self, number: int, cells: Sequence, shown_ref: str | None, add) -> dict[str, str]:
        notes = {}
        for i, variable in self.cols.notes.items():
            value = self._cell(cells, i)
            if _blank(value):
                continue
            if isinstance(value, Uncalculated):
                add(UNCALCULATED_FORMULA, UNCALCULATED_REASON.format(formula=repr(_clip(value))),
                    wide_table.note_column(variable))
                continue
            notes[variable] = text = _text(value)
            if len(text) > MAX_NOTE:
                add(BAD_VALUE, f"is {len(text):,} characters long; an evidence note holds at most {MAX_NOTE:,}",
                    wide_table.note_column(variable))
            self.mojibake = self.mojibake or bool(_MOJIBAKE.search(text))
            found = privacy.note_warnings(text)
            if found:
                self.warnings.append(Problem(
                    NOTE_PERSONAL_DATA, "the note looks as if it holds " + ", ".join(found) + ": check it holds no "
                    "personal details", source=self.table.source, row=number,
                    field=wide_table.note_column(variable), item=shown_ref, item_kind="case"))
        return notes

    def _case_ref(self, number: int, case_ref: str, add) -> None:
        """Present, pseudonymous, and once in the file."""
        why = privacy.case_ref_problem(case_ref, self.ref_pattern)
        if not case_ref:
            add(MISSING_REQUIRED, "is required but blank: every row needs its pseudonymous case reference", CASE_REF)
        elif why:
            add(BAD_CASE_REF, why, CASE_REF)
        elif not self.one_row_per_case:
            return
        elif case_ref.casefold() in self.first_row:
            first = self.first_row[case_ref.casefold()][0]
            add(DUPLICATE_CASE_REF, f"case {_clip(case_ref)} is also in row {first}: a "
                "case is imported once", CASE_REF)
        else:
            self.first_row[case_ref.casefold()] = (number, case_ref)

    def _skip_logic(self, number: int, answers: dict[str, str], bad: set[str], add, complete: bool) -> set[str]:
        """Irrelevant answers, missing required answers and constraints, on the answers that
        passed. Questions whose skip logic reads a value we do not know — a bad value, a
        required answer missing, or a variable the file may hold under a refused column name —
        are left alone (one problem, not a cascade). Returns the questions asked."""
        q = self.q
        asked = q.relevant_names(answers)
        missing = (self.required & asked) - answers.keys() - bad if complete else set()
        unknown = bad | missing
        moot = self.always_moot | ({name for name, uses in self.depends.items() if uses & unknown}
                                   if unknown else set())
        for question in q.questions:
            name = question.name
            if name == CASE_REF or name in bad or name in moot:
                continue
            if name in answers and name not in asked and question.is_computed:
                continue  # a calculation is not an answer given: it is simply not kept
            if name in answers and name not in asked:
                # a column the file lacks counts as blank: say so, it may be the column that is wrong
                absent = sorted(self.depends[name] & self.absent)
                add(IRRELEVANT_ANSWER, f"is answered although it is not asked for this case (asked when "
                    f"{q.rule(question)}" + (f"; the file has no {', '.join(absent)} column" if absent else "")
                    + "): leave it blank", name)
            elif name in missing:
                if name in self.present:
                    add(MISSING_REQUIRED, "is required but blank" + (f": {question.required_message}"
                                                                      if question.required_message else ""), name)
                else:
                    self.absent_rows.setdefault(name, []).append(number)
        for name in q.constraint_failures({k: v for k, v in answers.items() if k in asked}):
            question = q.question(name)
            add(CONSTRAINT_FAILED, question.constraint_message or f"does not meet its rule ({question.constraint})",
                name)
        kept = {k: v for k, v in answers.items() if k in asked}
        for name in filter_checks.outside(q, kept, names=[n for n in kept if n not in moot]):
            add(OUTSIDE_FILTER, filter_checks.refusal(q, kept, name), name)  # as the form's filtered list
        return asked

    def file_problems(self) -> list[Problem]:
        """Problems of whole columns, named once with every row they concern."""
        source = self.table.source
        out = [Problem(MISSING_COLUMN, f"the file has no {name} column, and it is required in rows "
                       f"{_row_list(rows)}", source=source, row=1, field=name)
               for name, rows in self.absent_rows.items()]
        out += [Problem(UNNAMED_COLUMN, f"column {get_column_letter(i + 1)} has no name in row 1 but holds values "
                        f"in rows {_row_list(rows)}", source=source, row=1, field=f"column {get_column_letter(i + 1)}")
                for i, rows in self.cols.unnamed.items() if rows]
        return out


def check(session: Session, questionnaire_id: str, table: Table, *, inspection: inspections.InspectionRef = None,
          release_rows: bool = False) -> CheckedImport:
    """Every problem in the file, or the records to write. Writes nothing. ``release_rows``: let
    each row's cells go once it is checked (a command that reads the file once), so that the
    table and the records it becomes are not both held whole."""
    inspection = inspections.resolve(session, inspection)
    version = inspections.current_version(session, questionnaire_id)
    full = inspections.questionnaire_of(version)
    q = case_level(full)  # the cases' table holds the questions asked once per case; entries their own
    problems: list[Problem] = []
    links = repeat_files.main_links(table)  # read before the system columns are set aside
    entry_tables = table.repeats
    table, layout = odk_kobo.adapt(table, q)  # a KoboToolbox or ODK Central header, mapped onto ours
    if questionnaire_id not in inspections.questionnaire_ids(session, inspection):
        problems.append(Problem(NOT_IN_INSPECTION, f"{questionnaire_id} is not a questionnaire of inspection "
                                f"{inspection.code}", source=table.source, item=questionnaire_id))
    rows = row_checker(full, table, inspection, problems)
    records: list[CaseRecord] = []
    by_row: dict[int, CaseRecord] = {}
    problems += characters.row_problems(table.header, table.header, 1, table.source)
    for k, (number, cells) in enumerate(table.rows):
        if release_rows:
            table.rows[k] = (number, ())
        record, row_problems = rows.check(number, cells)
        problems += row_problems
        if record is not None:
            if layout is not None:
                record.source = layout.source.get(number, {})
            records.append(record)
            by_row[number] = record
    problems += rows.file_problems()
    entries = repeat_files.check_entries(full, entry_tables, links, by_row, problems)
    # each case's entries against the form's repeat_count and min/max (entry_counts)
    problems += entry_counts.check(full, by_row, entries.tables, table.source)
    for _, entry_table in entry_tables:  # the one rule for characters, in the entries too
        for number, cells in [(1, entry_table.header), *entry_table.rows]:
            problems += characters.row_problems(entry_table.header, cells, number, entry_table.source,
                                                is_note=_is_note_column, is_text=_is_answer_column)
    problems += unknown_inspectors(session, records, table.source, rows.first_row)
    registered = _check_existing(session, inspection, questionnaire_id, rows.first_row, records, table.source,
                                 problems)
    warnings = table.warnings + rows.warnings + repeat_files.missing_tables(full, entry_tables, table.source)
    if rows.mojibake:
        warnings.append(Problem(LOOKS_DOUBLE_ENCODED, DOUBLE_ENCODED, source=table.source))
    if problems:
        problems = odk_kobo.restore_names(problems, layout)
        raise ProblemError(problems, f"{table.source}: {len(problems)} problem(s)"
                           + _where_told(problems, table, entry_tables) + "; nothing was imported")
    return CheckedImport(table.source, inspection, version, full, records, table.header, table.encoding, warnings,
                         registered, layout, entries if entry_tables else None)


def _where_told(problems: list[Problem], table: Table, entry_tables) -> str:
    """" in 3 of 4 cases and 4 of 9 entries": a case's row and an entry's row are counted apart
    (an entry's problem names its sheet or zip member as its source), so the figures add up."""
    cases = {p.row for p in problems if p.row and p.row > 1 and p.source == table.source}
    entries = {(p.source, p.row) for p in problems if p.row and p.row > 1 and p.source != table.source}
    n_entries = sum(len(t.rows) for _, t in entry_tables)
    parts = ([f"{len(cases)} of {len(table.rows)} case{'' if len(table.rows) == 1 else 's'}"] if cases else []) + (
        [f"{len(entries)} of {n_entries} entr{'y' if n_entries == 1 else 'ies'}"] if entries else [])
    return " in " + " and ".join(parts) if parts else ""


def row_checker(full: Questionnaire, table: Table, inspection: Inspection, problems: list[Problem]) -> _RowChecker:
    """The row checker of a table of cases (header problems added to ``problems``): the
    import's, and the one a bundle's answers go through (bundles.py)."""
    q = case_level(full)  # the cases' table holds the questions asked once per case; entries their own
    rows = _RowChecker(q, table, _columns(table, q, problems))
    rows.ref_pattern = inspection.case_ref_pattern
    # a rule reading the entries of repeat groups (count(${pin}) > 0) is not checked on the cases' rows
    rows.always_moot |= repeat_files.reads_entries(full)
    return rows


IMPORT_ADVICE = "give the user name of the inspector who scored the case (Users page), or leave it blank for yourself"


def unknown_inspectors(session: Session, records: list[CaseRecord], source: str,
                       first_row: dict[str, tuple[int, str]], *, advice: str = IMPORT_ADVICE) -> list[Problem]:
    """meta:inspector names an account exactly as it is stored (lower case; an import lowers the
    cell first, a bundle made by the app carries the stored name), or the row is refused: an
    assessment is never attributed to someone who cannot sign in to answer for it, nor under a
    second spelling of a name that second marking would take for another person. ``advice``:
    what the person should do, in the words of where the rows came from (a bundle cannot be edited;
    ``{name}`` stands for the inspector)."""
    from models import User

    named = {r.inspector for r in records if r.inspector}
    if not named:
        return []
    known = set(session.execute(select(User.name).where(User.name.in_(list(named)))).scalars())
    out = []
    for record in records:
        if characters.problem(record.inspector) is not None:
            continue  # the character rule names the row and column; "X is not an account" would mislead
        if record.inspector and record.inspector not in known:
            name = _clip(record.inspector)
            out.append(Problem(BAD_INSPECTOR, f"{name} is not an account: " + advice.replace("{name}", name),
                               source=source, row=first_row.get(record.case_ref.casefold(), (None,))[0],
                               field=wide_table.INSPECTOR_COLUMN,
                               item=_clip(record.case_ref), item_kind="case"))
    return out


def record_refused(session: Session, actor: Actor, name: str, refusal: ProblemError, *,
                   inspection: inspections.InspectionRef = None) -> None:
    """Audit a refused import in its own transaction (the import's rolled back): the file's name
    and how many problems of each kind, never a cell of its content."""
    by_code: dict[str, int] = {}
    for p in refusal.problems:
        by_code[p.code] = by_code.get(p.code, 0) + 1
    try:
        inspection_id = inspections.resolve(session, inspection).id
    except ProblemError:
        inspection_id = None
    audit.record(session, actor.name, audit.IMPORT_REFUSED, inspection_id=inspection_id,
                 file=Path(name or "upload").name[:200], problems=len(refusal.problems), reasons=by_code)


DOUBLE_ENCODED = ("some notes hold character pairs such as 'â€™' or 'Ã©', the mark of text converted between "
                  "encodings twice: check them")


def _is_note_column(column: str) -> bool:
    return column.startswith(wide_table.NOTE_PREFIX)


def _is_answer_column(column: str) -> bool:
    """A question's column, whose answer may be free text in any script (the character rule's TEXT);
    the case reference, meta: columns and the header are names."""
    return column != wide_table.CASE_REF and not column.startswith((wide_table.META_PREFIX, wide_table.NOTE_PREFIX))


def _check_existing(session: Session, inspection: Inspection, questionnaire_id: str,
                    first_row: dict[str, tuple[int, str]], records: list[CaseRecord], source: str,
                    problems: list[Problem]) -> int:
    """Refuse a case that already has an assessment; a case only registered (no assessment yet)
    is filled in, under the register's spelling of its reference. Returns how many are."""
    folded = list(first_row)
    spelled: dict[str, str] = {}
    for start in range(0, len(folded), store.CHUNK):
        part = folded[start:start + store.CHUNK]
        found = session.execute(
            select(CaseFile.case_ref, func.count(Assessment.id))
            .outerjoin(Assessment, Assessment.case_id == CaseFile.id)
            .where(CaseFile.inspection_id == inspection.id, CaseFile.questionnaire == questionnaire_id,
                   func.lower(CaseFile.case_ref).in_(part))
            .group_by(CaseFile.id, CaseFile.case_ref)).all()
        for ref, assessments in found:
            key = ref.casefold()
            if key not in first_row:
                continue
            row, written = first_row[key]
            if assessments:
                problems.append(Problem(CASE_EXISTS, f"case {_clip(ref)} is already in the database with an "
                                        "assessment: change it there, or leave this row out", source=source, row=row,
                                        field=CASE_REF, item=_clip(written), item_kind="case"))
            else:
                spelled[written] = ref
    for record in records:
        record.case_ref = spelled.get(record.case_ref, record.case_ref)
    return len(spelled)


# --- writing ----------------------------------------------------------------------------


@dataclass
class ImportResult:
    checked: CheckedImport
    written: int


def check_file(session: Session, actor: Actor, questionnaire_id: str, data: bytes | Table, name: str, *,
               inspection: inspections.InspectionRef = None, release_rows: bool = False) -> CheckedImport:
    """Read and check without writing (the Import page's preview, ``--dry-run``): for those who
    may import, as ``import_file`` checks. ``release_rows``: as ``check``."""
    require_role(actor, LEADS, "import assessments")
    table = data if isinstance(data, Table) else read_table(data, name)
    return check(session, questionnaire_id, table, inspection=inspection, release_rows=release_rows)


def import_file(session: Session, actor: Actor, questionnaire_id: str, data: bytes | Table, name: str, *,
                inspection: inspections.InspectionRef = None, progress: Callable[[int, int], None] | None = None,
                release_rows: bool = False) -> ImportResult:
    """Read, check and write every row as a complete assessment, or raise with every problem
    and write nothing. Run inside one ``session_scope``: the caller's transaction."""
    actor = actor_check.at_write(session, actor)  # the account and session as they stand now
    require_role(actor, LEADS, "import assessments")
    table = data if isinstance(data, Table) else read_table(data, name)
    checked = check(session, questionnaire_id, table, inspection=inspection,
                    release_rows=release_rows or not isinstance(data, Table))
    written = store.add_complete_assessments(
        session, inspection_id=checked.inspection.id, version=checked.version, records=checked.records,
        created_by=actor.name, progress=progress)
    audit.record(session, actor.name, audit.IMPORT, inspection_id=checked.inspection.id,
                 questionnaire=questionnaire_id, version=checked.version.version, file=Path(name).name[:200],
                 rows=written, notes=sum(bool(r.notes) for r in checked.records))
    return ImportResult(checked, written)
