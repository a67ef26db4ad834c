"""A bundle's answers checked by the import's own row check, not a copy of it.

Each assessment of a bundle is laid out as the row an import of the same case would be (the
wide table's columns: ``case_ref``, every case-level variable, ``meta:inspector``, the
``note:`` columns) and given to ``importing.row_checker``'s ``check``: codes and values,
required answers (of a complete assessment), skip logic, constraints, the inspection's
case-reference rule, note length and characters, the inspector's name. So a rule added to the
import holds for bundles the day it is added, and so does a warning: the row check's warnings
(a note that looks as if it holds personal data, ...) are kept on the bundle and passed on by
the merge's report. On top of it a bundle must carry each answer as
the app stores it (a code as written in the form, not its label or another letter case): a
bundle holds stored values, and the merge stores them as they are.

The entries of repeat groups are not rows of the cases' table; they are checked by the app's
own completion rules in bundles.py.
"""

from __future__ import annotations

from sqlmodel import Session

from fieldwork import expr
from fieldwork.files.table import Table
from fieldwork.problem_codes import BAD_INSPECTOR, BAD_VALUE
from fieldwork.problems import Problem
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.questionnaire.repeat_levels import case_level
from fieldwork.services import importing, wide_table
from fieldwork.services.bundle_contents import Bundle
from fieldwork.services.bundle_records import ADVICE
from models import Inspection




def problems(session: Session, bundle: Bundle, parsed: dict[tuple[str, str], Questionnaire],
             inspection: Inspection, assessments: list[dict]) -> list[Problem]:
    """Every problem the import's row check finds in these assessments' case-level answers,
    named by case and question (a bundle has no rows to number); then the import's rule that
    the inspector is an account, in its words."""
    out: list[Problem] = []
    records: list = []
    for key, full in parsed.items():
        group = [a for a in assessments if (a["questionnaire"], a["questionnaire_version"]) == key]
        if group:
            out += _group_problems(bundle, full, inspection, group, records)
    unknown = importing.unknown_inspectors(session, records, bundle.file_name, {}, advice=ADVICE)
    return out + _by_account(unknown, bundle.file_name)


def _by_account(unknown: list[Problem], file_name: str) -> list[Problem]:
    """One line per missing account, not one per case: a whole inspection's bundle merged where
    seven accounts are missing said so 395 times (walk 24, W17). A name with one case keeps the
    import's line for that case. (The import's line for one name is the same words each time.)"""
    named: dict[str, list[Problem]] = {}
    for p in unknown:
        named.setdefault(p.message, []).append(p)
    out = []
    for message, found in named.items():
        if len(found) == 1:
            p = found[0]
            out.append(Problem(p.code, p.message, source=p.source, field="inspector", item=p.item, item_kind="case"))
            continue
        refs = [p.item for p in found if p.item]
        shown = ", ".join(refs[:3]) + (f" and {len(refs) - 3} more" if len(refs) > 3 else "")
        who, _, advice = message.partition(": ")
        out.append(Problem(found[0].code, f"{who} (the inspector of {len(found)} cases in the bundle: {shown}): "
                           f"{advice}", source=file_name, field="inspector"))
    return out


def _group_problems(bundle: Bundle, full: Questionnaire, inspection: Inspection, group: list[dict],
                    records: list) -> list[Problem]:
    variables = wide_table.variables(case_level(full))  # case_ref first
    header = [*variables, wide_table.INSPECTOR_COLUMN, *(wide_table.note_column(v) for v in variables[1:])]
    found: list[Problem] = []
    rows = importing.row_checker(full, Table(bundle.file_name, header, [], "bundle"), inspection, found)
    rows.one_row_per_case = False  # a case's primary, second and agreed assessments travel together
    rechecked = _rechecked_calculations(full)
    computed = {q.name for q in full.questions if q.is_computed} - rechecked
    for number, a in enumerate(group, start=2):
        given = {x["question"]: x for x in a["answers"] if not x.get("instance")}
        cells = [a["case_ref"] if v == wide_table.CASE_REF else given.get(v, {}).get("value") for v in variables]
        cells += [a["inspector"]]
        cells += [given.get(v, {}).get("note") for v in variables[1:]]
        record, row_problems = rows.check(number, cells, complete=a.get("status") == "complete")
        row_problems += _not_as_stored(record, given, computed) if record is not None else []
        # a case added before the app worked calculations out at "Add case" (walk 24, W16) holds
        # them blank until its next save: the fix is that save, on the laptop, not a rewritten bundle
        row_problems += [Problem(BAD_VALUE, f"is blank, which the app works out as {record.answers[n][:40]!r}: a "
                                 "bundle carries answers as stored. If the case was only added on the laptop, open "
                                 "it in Assess there and save any answer (the app then works this out), then export "
                                 "the bundle again", field=n)
                         for n in sorted(rechecked) if record is not None and record.answers.get(n) not in (None, "")
                         and given.get(n, {}).get("value") in (None, "")]
        if record is not None and record.inspector != (a["inspector"] or ""):
            # the import lowers a name to the account's; a bundle made by the app carries it as
            # stored, and a second spelling would pass second marking's "not the first marker"
            row_problems.append(Problem(BAD_INSPECTOR, f"{str(a['inspector'])[:40]} is not an account as it is "
                                        f"stored ({record.inspector}): a bundle carries the inspector's name as "
                                        "stored", field="inspector"))
        records += [record] if record is not None else []
        found += [Problem(p.code, p.message, source=bundle.file_name, field=p.field, item=a["case_ref"],
                          item_kind="case") for p in row_problems]
    # the import's warnings too (a note that looks personal, text converted twice): a merge says
    # what an import of the same rows would say, named by case and field as its problems are
    said = [Problem(w.code, w.message, source=bundle.file_name, field=w.field, item=w.item, item_kind="case")
            for w in rows.warnings]
    if rows.mojibake:
        said.append(Problem(importing.LOOKS_DOUBLE_ENCODED, importing.DOUBLE_ENCODED, source=bundle.file_name))
    bundle.warnings += [w for w in said if w not in bundle.warnings]  # a check run twice says each once
    return found


def _rechecked_calculations(q: Questionnaire) -> set[str]:
    """The case-level calculations the row check works out as the app does: every one that
    reads no repeat group's entries, directly or through another calculation (the row check sees
    case-level answers only). One using ``today()``/``now()`` keeps the value given
    (``with_calculations``), so it is compared with itself. The merge stores a bundle's
    calculated values as written, so a value the app would not have worked out is refused:
    otherwise a rewritten bundle could set any finding built on a calculation (attacker re-test
    22, F7)."""
    repeats = {r.name for r in q.repeats}
    reaching: set[str] = set()
    out: set[str] = set()
    for question in q._order:
        node = q._calculations.get(question.name)
        if node is None or not question.is_computed or q.repeat_of(question.name):
            continue
        parts = list(expr.walk(node))
        if any((isinstance(n, expr.Call) and n.name in expr.REPEAT_FUNCTIONS)
               or (isinstance(n, expr.Var) and (n.name in repeats or n.name in reaching or q.repeat_of(n.name)))
               for n in parts):
            reaching.add(question.name)
        else:
            out.add(question.name)
    return out


def _not_as_stored(record, given: dict[str, dict], computed: set[str]) -> list[Problem]:
    """An answer the check accepts only after converting it (``YES`` for ``yes``), or a calculated
    value other than the one the app works out, is not what the app stores: the merge would store
    it as the bundle wrote it. ``computed``: the calculations not compared (they read repeat
    entries, which the row check does not see; the app works them out again at the next save)."""
    out = []
    for name, answer in given.items():
        value = answer.get("value")
        if value in (None, "") or name in computed or name not in record.answers:
            continue
        stored = record.answers[name]
        if stored != value:
            out.append(Problem(BAD_VALUE, f"holds {str(value)[:40]!r}, which the app stores as {stored[:40]!r}: a "
                               "bundle carries answers as stored", field=name))
    return out
