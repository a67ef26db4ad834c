"""From plain dicts (a TOML file, or an XLSForm read by ``xlsform``) to a checked Questionnaire.

Every fault is collected, not only the first, each naming the file, the question and the
fault, and the questionnaire is refused whole if there is any (pyxform's pipeline: file ->
dicts -> checked survey object; the checks are small functions, one per kind of fault).
"""

from __future__ import annotations

import dataclasses
import re
from pathlib import Path
from typing import Mapping

from fieldwork import contract, expr, wording
from fieldwork.problem_codes import (
    BAD_ENTRY_LIMIT, BAD_EXPRESSION, BAD_NAME, BAD_TEMPLATE, CONTRACT_MISMATCH, DUPLICATE_CODE, DUPLICATE_NAME, CYCLE,
    FRAMEWORK_MISMATCH, MISSING_FIELD, REQUIRED_NOT_ALLOWED, SELF_REFERENCE, UNKNOWN_CHOICES, UNKNOWN_CODE,
    UNKNOWN_CRITERION, UNKNOWN_FRAMEWORK, UNKNOWN_SECTION, UNKNOWN_TYPE, UNKNOWN_VARIABLE,
)
from fieldwork.problems import Problem, ProblemError
from fieldwork.questionnaire import entry_terms
from fieldwork.questionnaire.framework import Framework, read_toml
from fieldwork.questionnaire.model import (CHOICE_TYPES, METADATA_TYPES, QUESTION_TYPES, Choice, Repeat, Indicator,
                                           Question, Questionnaire, Section)

# XLSForm names: a letter or underscore, then letters, digits, '_', '-' or '.' (as ODK allows)
NAME = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*$")
# a question's key: its name, or its group path when two questions share the name (xlsform_paths)
QUESTION_KEY = re.compile(r"^[A-Za-z_][A-Za-z0-9_.\-]*(/[A-Za-z_][A-Za-z0-9_.\-]*)*$")
FOOTNOTE_KINDS = ("not_known", "not_applicable")


# an XLSForm's words for what the loader calls a choice's code and a question's answer set
XLSFORM_FIELDS = {"code": "name", "choices": "type", "id": "form_id"}


class _Check:
    """Collects problems for one source file; for a workbook (``sheets``), each names its sheet
    and the column in XLSForm's words."""

    def __init__(self, source: str, sheets: bool = False):
        self.source, self.sheets = source, sheets
        self.problems: list[Problem] = []
        self.warnings: list[Problem] = []  # said on import, never a refusal (pyxform converts such forms)

    def add(self, code: str, message: str, item: str | None = None, field: str | None = None, row: int | None = None,
            sheet: str = "survey", item_kind: str = "question", warning: bool = False):
        source = f"{self.source} {sheet}" if self.sheets else self.source
        if self.sheets and field:
            field = XLSFORM_FIELDS.get(field, field)
        (self.warnings if warning else self.problems).append(
            Problem(code, message, source=source, row=row, field=field, item=item, item_kind=item_kind))


def _text(value) -> str:
    return "" if value is None else str(value).strip()


def _criteria(value) -> tuple[str, ...]:
    if value is None or value == "":
        return ()
    if isinstance(value, str):
        return tuple(value.replace(",", " ").split())
    return tuple(str(v).strip() for v in value)


def _bool(value) -> bool:
    if isinstance(value, bool):
        return value
    return _text(value).lower() in ("yes", "true", "1", "true()")


def _choices(data: Mapping, shared: Mapping[str, tuple[Choice, ...]], chk: _Check,
             duplicates: bool = False) -> dict[str, tuple[Choice, ...]]:
    sets: dict[str, tuple[Choice, ...]] = {}
    for set_name, items in (data or {}).items():
        seen: set[str] = set()
        out = []
        for item in items or []:
            code, label = _text(item.get("code")), _text(item.get("label"))
            row = item.get("_row")
            if not code:
                chk.add(MISSING_FIELD, f"a choice in list {set_name!r} has no name", field="code", item=set_name,
                        row=row, sheet="choices", item_kind="list")
                continue
            if code in seen and not duplicates:  # XLSForm's allow_choice_duplicates: one code, filtered lists
                chk.add(DUPLICATE_CODE, f"{code!r} appears twice in list {set_name!r} (if that is meant, for "
                        "lists filtered by a choice_filter, set allow_choice_duplicates to yes in settings)",
                        field="code", item=set_name, row=row, sheet="choices", item_kind="list")
            seen.add(code)
            extra = {str(k): _text(v) for k, v in (item.get("columns") or {}).items() if _text(v)}
            out.append(Choice(code, label or code, extra))
        sets[set_name] = tuple(out)
    for name, items in shared.items():
        sets.setdefault(name, tuple(items))
    return sets


def _expression(text: str, field: str, name: str, row, chk: _Check) -> expr.Node | None:
    if not text:
        return None
    try:
        return expr.parse(text)
    except expr.ExpressionError as exc:
        chk.add(BAD_EXPRESSION, f"{field} cannot be read: {exc.message}"
                + (f" at character {exc.position + 1}" if exc.position is not None else ""), item=name, field=field, row=row)
        return None


def _check_references(node, field: str, name: str, row, position: dict[str, int], here: int | None,
                      codes: Mapping[str, list[str] | None], chk: _Check, sheet: str = "survey") -> None:
    """Variables must exist (a later question may be named, as XLSForm allows; a circle is
    refused by ``_check_cycles``); compared codes must exist."""
    for var in expr.variables(node):
        if var not in position:
            chk.add(UNKNOWN_VARIABLE, f"{field} refers to ${{{var}}}, which is not a question", item=name, field=field,
                    row=row, sheet=sheet)
        elif here is not None and var == name:
            chk.add(SELF_REFERENCE, f"{field} refers to the question itself", item=name, field=field, row=row)
    for var, code in expr.compared_codes(node):
        allowed = codes.get(var)
        # '' is "not answered", never a code. pyxform converts an XLSForm comparing with an unknown
        # code, so there it is a warning (the rule can never hold as written); our own files (TOML,
        # the indicators sheet) are refused
        if allowed is not None and code != "" and code not in allowed:
            chk.add(UNKNOWN_CODE, f"{field} compares ${{{var}}} with {code!r}, which is not one of its codes "
                    f"({', '.join(allowed)}): this rule can never hold as written", item=name, field=field, row=row,
                    sheet=sheet, warning=chk.sheets and field not in ("population", "condition"))


def _check_criteria(value, known: set[str] | None, framework_id: str, name: str, row, chk: _Check) -> tuple[str, ...]:
    criteria = _criteria(value)
    for c in criteria if known is not None else ():
        if c not in known:
            chk.add(UNKNOWN_CRITERION, f"criterion {c!r} is not a specific criterion of {framework_id}",
                    item=name, field="criteria", row=row)
    return criteria


def build_questionnaire(
    data: Mapping,
    *,
    source: str,
    frameworks: Mapping[str, Framework],
    shared_choices: Mapping[str, tuple[Choice, ...]] = {},
    inspection_framework: str | None = None,
    sheets: bool = False,
) -> Questionnaire:
    """Check plain data and build the Questionnaire, or raise ProblemError with every fault.

    ``inspection_framework`` is the framework of the inspection the questionnaire joins: a
    questionnaire that names none takes it (so its criteria are checked, not left unread), and
    one that names another is refused. ``sheets``: the data is a workbook's (XLSForm), so each
    fault names its sheet and the column in XLSForm's words."""
    chk = _Check(source, sheets)
    head = data.get("questionnaire") or {}
    qid, version = _text(head.get("id")), _text(head.get("version"))
    if not qid:
        chk.add(MISSING_FIELD, "the questionnaire has no id", field="id", sheet="settings")
    elif not NAME.match(qid):
        chk.add(BAD_NAME, f"questionnaire id {qid!r} must start with a letter and hold only letters, digits, "
                "'_', '-' and '.'", field="id", sheet="settings")
    if not version:
        chk.add(MISSING_FIELD, "the questionnaire has no version", field="version", sheet="settings")
    framework_id = _text(head.get("framework")) or (inspection_framework or "")
    if inspection_framework and framework_id != inspection_framework:
        chk.add(FRAMEWORK_MISMATCH, f"framework {framework_id!r} is not {inspection_framework!r}, the framework of the "
                "inspection it joins: leave framework blank, or import it into an inspection under its framework",
                field="framework", sheet="settings")
    framework = frameworks.get(framework_id) if framework_id else None
    if framework_id and framework is None:
        chk.add(UNKNOWN_FRAMEWORK, f"framework {framework_id!r} is not known (known: {', '.join(frameworks) or 'none'})",
                field="framework", sheet="settings")
    known_criteria = set(framework.specific_ids) if framework else None

    choices = _choices(data.get("choices") or {}, shared_choices, chk,
                       duplicates=_bool(head.get("allow_choice_duplicates")))

    sections: list[Section] = []
    for s in data.get("sections") or []:
        sid = _text(s.get("id"))
        if not sid:
            chk.add(MISSING_FIELD, "a section has no id", field="id")
            continue
        if any(x.id == sid for x in sections):
            chk.add(DUPLICATE_NAME, f"section {sid!r} is defined twice", item=sid, row=s.get("_row"))
        sections.append(Section(sid, _text(s.get("title")) or sid, _text(s.get("guidance")), _text(s.get("relevant")),
                                _text(s.get("repeat"))))
    section_ids = {s.id for s in sections}
    section_rows = {_text(s.get("id")): s.get("_row") for s in data.get("sections") or []}
    repeats = _repeats(data.get("repeats") or [], sections, chk)

    raw_questions = list(data.get("questions") or [])
    position: dict[str, int] = {}
    for i, q in enumerate(raw_questions):
        name = _text(q.get("name"))
        if name and name not in position:
            position[name] = i
    for r in repeats:  # count(${incident}): a repeat group is a nodeset an expression may name (issue 12)
        position.setdefault(r.name, -1)
    codes: dict[str, list[str] | None] = {}
    for q in raw_questions:
        name, set_name = _text(q.get("name")), _text(q.get("choices"))
        if _text(q.get("type")) in CHOICE_TYPES and choices.get(set_name):  # an absent file's list: codes unknown
            codes[name] = [c.code for c in choices[set_name]]
        else:
            codes.setdefault(name, None)

    questions: list[Question] = []
    seen_names: set[str] = set()
    section_checked: set[str] = set()
    for i, q in enumerate(raw_questions):
        row = q.get("_row")
        name = _text(q.get("name"))
        if not name:
            chk.add(MISSING_FIELD, f"question number {i + 1} has no name", field="name", row=row)
            continue
        if not QUESTION_KEY.match(name):
            chk.add(BAD_NAME, f"name {name!r} must start with a letter and hold only letters, digits, '_', '-' and '.'",
                    item=name, field="name", row=row)
        if name in seen_names:
            chk.add(DUPLICATE_NAME, f"question name {name!r} is used more than once", item=name, field="name", row=row)
        seen_names.add(name)
        qtype, set_name = _text(q.get("type")), _text(q.get("choices")) or None
        if qtype not in QUESTION_TYPES:
            chk.add(UNKNOWN_TYPE, f"type {qtype!r} is not one of {', '.join(QUESTION_TYPES)}", item=name, field="type", row=row)
        if qtype in CHOICE_TYPES:
            if not set_name:
                chk.add(MISSING_FIELD, f"a {qtype} question needs an answer set", item=name, field="choices", row=row)
            elif set_name not in choices:
                chk.add(UNKNOWN_CHOICES, f"answer set {set_name!r} is not defined", item=name, field="choices", row=row)
        label = _text(q.get("label"))
        if not label and qtype in ("calculate", *METADATA_TYPES):
            label = name
        if not label:
            chk.add(MISSING_FIELD, "the question has no label", item=name, field="label", row=row)
        section = _text(q.get("section"))
        if section in section_ids and section not in section_checked:
            section_checked.add(section)
            rule = next(x.relevant for x in sections if x.id == section)
            at = section_rows.get(section) or row  # the group's own row (begin group), where it has one
            node = _expression(rule, "relevant", section, at, chk)
            if node is not None:
                _check_references(node, "relevant", section, at, position, None, codes, chk)
        if sections and section not in section_ids:
            chk.add(UNKNOWN_SECTION, f"section {section!r} is not defined", item=name, field="section", row=row)
        criteria = _check_criteria(q.get("criteria"), known_criteria, framework_id, name, row, chk)
        relevant, constraint = _text(q.get("relevant")), _text(q.get("constraint"))
        node = _expression(relevant, "relevant", name, row, chk)
        if node is not None:
            _check_references(node, "relevant", name, row, position, i, codes, chk)
        node = _expression(constraint, "constraint", name, row, chk)
        if node is not None:
            _check_references(node, "constraint", name, row, position, None, codes, chk)
        calculation, choice_filter = _text(q.get("calculation")), _text(q.get("choice_filter"))
        node = _expression(calculation, "calculation", name, row, chk)
        if node is not None:
            _check_references(node, "calculation", name, row, position, i, codes, chk)
        if qtype == "calculate" and not calculation:
            chk.add(MISSING_FIELD, "a calculate needs a calculation", item=name, field="calculation", row=row)
        if _expression(_choice_filter(choice_filter), "choice_filter", name, row, chk) is not None:
            for var in re.findall(r"\$\{([^}]*)\}", choice_filter):  # bare words are the choices' own columns
                if var not in position:
                    chk.add(UNKNOWN_VARIABLE, f"choice_filter refers to ${{{var}}}, which is not a question",
                            item=name, field="choice_filter", row=row)
            _check_filter_columns(choice_filter, choices.get(set_name or "", ()), set_name, name, row, chk)
        parameters = {str(k): _text(v) for k, v in (q.get("parameters") or {}).items()}
        if qtype == "range":
            _check_range(parameters, name, row, chk)
        findings = {str(k): _text(v.get("text") if isinstance(v, Mapping) else v) for k, v in (q.get("findings") or {}).items()}
        allowed_codes = codes.get(name) or []
        for code in findings:
            if code not in allowed_codes:
                chk.add(BAD_TEMPLATE, f"a finding is written for answer {code!r}, which is not one of its codes",
                        item=name, field="findings", row=row)
        footnotes = {str(k): _text(v) for k, v in (q.get("footnotes") or {}).items() if _text(v)}
        _check_templates([*findings.values(), *footnotes.values()], name, "findings", row, chk)
        for kind in footnotes:
            if kind not in FOOTNOTE_KINDS:
                chk.add(BAD_TEMPLATE, f"footnote {kind!r} must be one of {', '.join(FOOTNOTE_KINDS)}",
                        item=name, field="footnotes", row=row)
        questions.append(Question(
            name=name, section=section or (sections[0].id if sections else ""), type=qtype, label=label,
            guidance=_text(q.get("guidance")), choices=set_name if qtype in CHOICE_TYPES else None,
            required=_bool(q.get("required")), relevant=relevant, constraint=constraint,
            constraint_message=_text(q.get("constraint_message")), criteria=criteria,
            findings=findings, footnotes=footnotes, calculation=calculation, choice_filter=choice_filter,
            default=_text(q.get("default")), read_only=_bool(q.get("read_only")),
            required_message=_text(q.get("required_message")), appearance=_text(q.get("appearance")),
            parameters=parameters,
        ))

    _check_cycles(questions, {x.id: x.relevant for x in sections},
                  {_text(q.get("name")): q.get("_row") for q in raw_questions}, chk)

    indicators: list[Indicator] = []
    mark, warned = len(chk.problems), len(chk.warnings)
    in_repeat = {x.id for x in sections if x.repeat}
    entry_names = {r.name for r in repeats} | {_text(x.get("name")) for x in raw_questions
                                                if _text(x.get("section")) in in_repeat}
    repeat_names = {r.name for r in repeats}
    for ind in data.get("indicators") or []:
        iid = _text(ind.get("id"))
        row = ind.get("_row")
        if not iid:
            chk.add(MISSING_FIELD, "an indicator has no id", field="id", row=row)
            continue
        if any(x.id == iid for x in indicators) or iid in position:
            chk.add(DUPLICATE_NAME, f"indicator id {iid!r} is used more than once", item=iid, row=row)
        for field in ("population", "condition"):
            node = _expression(_text(ind.get(field)), field, iid, row, chk)
            if node is not None:
                _check_references(node, field, iid, row, position, None, codes, chk)
                # issue 12: questions asked per entry are reached by count(), sum() and "any entry"
                # (entry_terms); what has no meaning there is refused, with what and why
                reading = entry_terms.read(node, entry_names - repeat_names, repeat_names)
                for fault in expr.sql_faults(node, reached=reading.terms):
                    # a function's name, or a phrase naming it and why (expr.sql_faults)
                    named = fault if fault == "." or " " in fault else f"{fault}()"
                    chk.add(BAD_EXPRESSION, f"{field} uses {named}, which an indicator "
                            "cannot count (indicators use comparisons, selected(), count-selected(), if(), "
                            "coalesce(), arithmetic, the text tests, and count() and sum() of a question or "
                            "repeat group)", item=iid, field=field, row=row)
                for fault in reading.faults:
                    chk.add(BAD_EXPRESSION, f"{field}: {fault}", item=iid, field=field, row=row)
        if not _text(ind.get("condition")):
            chk.add(MISSING_FIELD, "the indicator has no condition", item=iid, field="condition", row=row)
        criteria = _check_criteria(ind.get("criteria"), known_criteria, framework_id, iid, row, chk)
        _check_templates([_text(ind.get("text")), _text(ind.get("footnote"))], iid, "text", row, chk)
        indicators.append(Indicator(iid, _text(ind.get("label")) or iid, _text(ind.get("population")),
                                    _text(ind.get("condition")), criteria, _text(ind.get("text")),
                                    _text(ind.get("footnote"))))

    if sheets:  # the checks above are shared with the survey's; these rows are the indicators sheet's
        chk.problems[mark:] = [dataclasses.replace(p, source=f"{source} indicators") for p in chk.problems[mark:]]
        chk.warnings[warned:] = [dataclasses.replace(p, source=f"{source} indicators") for p in chk.warnings[warned:]]

    if qid in contract.QUESTIONNAIRES:
        _check_contract(qid, questions, choices, indicators, chk)

    if chk.problems:
        raise ProblemError(chk.problems, f"questionnaire {source} was refused")
    return Questionnaire(
        id=qid, version=version, title=_text(head.get("title")) or qid, framework=framework_id,
        description=_text(head.get("description")), choices=choices, sections=tuple(sections),
        questions=tuple(questions), indicators=tuple(indicators), repeats=repeats, warnings=tuple(chk.warnings),
    )


def _check_cycles(questions: list[Question], section_rules: Mapping[str, str], rows: Mapping[str, int | None],
                  chk: _Check) -> None:
    """A later question may be named (XLSForm allows it; values are worked out in the order
    they depend on each other), but not in a circle: a calculation or skip rule that, through
    others, depends on itself can never be worked out (ODK refuses it too)."""
    graph: dict[str, list[str]] = {}
    for q in questions:
        deps: list[str] = []
        for text in (q.calculation, q.relevant, section_rules.get(q.section, "")):
            try:
                deps += expr.variables(expr.parse(text)) if text else []
            except expr.ExpressionError:
                pass  # reported where it is read
        graph[q.name] = [d for d in dict.fromkeys(deps) if d != q.name]
    for cycle in _cycles(graph):
        shown = " → ".join([*cycle, cycle[0]])
        for name in cycle:
            chk.add(CYCLE, f"its calculation or relevant goes round in a circle ({shown}), so it can never be "
                    "worked out", item=name, field="calculation" if any(
                        q.name == name and q.calculation for q in questions) else "relevant", row=rows.get(name))


def _cycles(graph: Mapping[str, list[str]]) -> list[list[str]]:
    """The circles of a dependency graph (Tarjan's strongly connected components, iterative),
    each in the form's order."""
    order = {name: i for i, name in enumerate(graph)}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []
    for root in graph:
        if root in index:
            continue
        work = [(root, iter(graph[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on.add(root)
        while work:
            node, children = work[-1]
            child = next((c for c in children if c in graph), None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on.add(child)
                    work.append((child, iter(graph[child])))
                elif child in on:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    top = stack.pop()
                    on.discard(top)
                    component.append(top)
                    if top == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component, key=order.get))
    return sorted(found, key=lambda c: order[c[0]])


def _entry_limit(r, key: str, chk: _Check) -> int:
    """A repeat's fewest or most entries (0: no limit), a whole number."""
    raw = _text(r.get(key))
    if raw.isdigit():
        return int(raw)
    if raw:
        chk.add(BAD_ENTRY_LIMIT, f"repeat group {r.get('name')!r}: {key.split('_')[0]}={raw!r} is not a whole number",
                item=_text(r.get("name")), field=key, row=r.get("_row"))
    return 0


def _repeats(data, sections: list[Section], chk: _Check) -> tuple[Repeat, ...]:
    """Repeat groups: named once, each inside a known one (or none), and every section's
    repeat a known one."""
    repeats: list[Repeat] = []
    for r in data:
        name, parent = _text(r.get("name")), _text(r.get("parent"))
        if not name:
            chk.add(MISSING_FIELD, "a repeat group has no name", field="name", row=r.get("_row"))
            continue
        if any(x.name == name for x in repeats):
            chk.add(DUPLICATE_NAME, f"repeat group {name!r} is defined twice", item=name, row=r.get("_row"))
        if parent and not any(x.name == parent for x in repeats):
            chk.add(UNKNOWN_SECTION, f"repeat group {name!r} sits in {parent!r}, which is not a repeat group defined "
                    "before it", item=name, row=r.get("_row"))
        low, high = _entry_limit(r, "min_entries", chk), _entry_limit(r, "max_entries", chk)
        if high and low > high:
            chk.add(BAD_ENTRY_LIMIT, f"repeat group {name!r}: at least {low} entries but at most {high}", item=name,
                    field="max_entries", row=r.get("_row"))
        repeats.append(Repeat(name, _text(r.get("label")) or name, parent, _text(r.get("count")),
                              _text(r.get("relevant")), low, high))
    names = {r.name for r in repeats}
    for s in sections:
        if s.repeat and s.repeat not in names:
            chk.add(UNKNOWN_SECTION, f"section {s.id!r} is in repeat group {s.repeat!r}, which is not defined",
                    item=s.id)
    return tuple(repeats)


def _choice_filter(text: str) -> str:
    # a choice filter names the choice's own columns bare (name, or a filter column): make
    # them variables, so the parser can read it; the references to questions stay ${...}
    if not text:
        return ""
    # a translated column is named label::English: the choice's label is the one label kept
    text = re.sub(r"\b(label|hint|image|audio|video)::[A-Za-z][\w-]*(?:\s*\([\w-]+\))?", r"\1", text)
    parts = re.split(r"""('[^']*'|"[^"]*"|\$\{[^}]*\})""", text)
    words = re.compile(r"(?<![\w.$:-])([A-Za-z_][\w]*)(?![\w(:-])")
    keep = {"and", "or", "not", "div", "mod", "in"}
    return "".join(p if i % 2 else words.sub(lambda m: m.group(1) if m.group(1) in keep
                                             else "${" + CHOICE_COLUMN + m.group(1) + "}", p)
                   for i, p in enumerate(parts))


CHOICE_COLUMN = "__choice."  # how a choice filter's bare column names are told apart from questions


def _check_filter_columns(text: str, options, set_name: str | None, name: str, row, chk: _Check) -> None:
    """A bare word in a choice filter is a column of the choices sheet (``force=${force}``): one
    that no choice of the list has a value in filters every choice out, so the question can
    never be answered (walk 24, W14: a typo ``forse`` was found only in Assess). Said at
    import as a warning: a column left blank on purpose is the form's affair, as pyxform lets it be."""
    if not options:
        return  # a list in a file that did not come: its columns are unknown
    held = {"name", "label"} | {k for c in options for k in c.columns}
    named = dict.fromkeys(re.findall(r"\$\{" + re.escape(CHOICE_COLUMN) + r"([^}]*)\}", _choice_filter(text)))
    for column in named:
        if column not in held:
            chk.add(UNKNOWN_VARIABLE, f"choice_filter names the column {column!r}, which no choice of list "
                    f"{set_name!r} has a value in (its columns: {', '.join(sorted(held))}): every choice would be "
                    "filtered out, so the question could never be answered", item=name, field="choice_filter",
                    row=row, warning=True)


def filtered_choices(questionnaire, question, answers) -> list:
    """The choices a ``choice_filter`` leaves, given the answers so far (all without a filter)."""
    options = list(questionnaire.choices.get(question.choices or "", ()))  # duplicates too: the filter picks
    node = choice_filter_node(question.choice_filter)
    if node is None:
        return options
    out, seen = [], set()
    for c in options:
        if c.code in seen:
            continue
        row = {CHOICE_COLUMN + "name": c.code, CHOICE_COLUMN + "label": c.label,
               **{CHOICE_COLUMN + k: v for k, v in c.columns.items()}}
        if expr.evaluate(node, {**answers, **row}):
            out.append(c)
            seen.add(c.code)
    return out


def choice_filter_node(text: str) -> expr.Node | None:
    """The choice filter as an expression over ``${name}`` (and other choice columns) and answers."""
    return expr.parse(_choice_filter(text)) if text else None


def _check_range(parameters: Mapping[str, str], name: str, row, chk: _Check) -> None:
    numbers = {}
    for key in ("start", "end", "step"):
        value = parameters.get(key, "")
        if value and expr._number(value) is None:
            chk.add(BAD_EXPRESSION, f"range {key} {value!r} is not a number", item=name, field="parameters", row=row)
        elif value:
            numbers[key] = float(value)
    if numbers.get("step") == 0:
        chk.add(BAD_EXPRESSION, "range step cannot be 0", item=name, field="parameters", row=row)


def _check_templates(templates, item: str, field: str, row, chk: _Check) -> None:
    for template in templates:
        for fault in wording.template_faults(template or ""):
            chk.add(BAD_TEMPLATE, f"a finding's wording is refused: {fault}", item=item, field=field, row=row)


def _check_contract(qid: str, questions: list[Question], choices, indicators, chk: _Check) -> None:
    variables, indicator_ids = contract.QUESTIONNAIRES[qid]
    by_name = {q.name: q for q in questions}
    for name, expected in variables.items():
        q = by_name.get(name)
        if q is None:
            chk.add(CONTRACT_MISMATCH, f"the contract's variable {name!r} is missing", item=name)
            continue
        if isinstance(expected, tuple):
            got = tuple(c.code for c in choices.get(q.choices or "", ()))
            if set(got) != set(expected):
                chk.add(CONTRACT_MISMATCH, f"codes must be {', '.join(expected)} as the contract fixes them, not "
                        f"{', '.join(got) or 'none'}", item=name, field="choices")
        elif expected is not None and q.choices != expected:
            chk.add(CONTRACT_MISMATCH, f"answer set must be {expected!r}", item=name, field="choices")
    for q in questions:
        if q.required and q.name not in variables:
            chk.add(REQUIRED_NOT_ALLOWED, "only the contract's variables may be required: a file holding only those "
                    "columns must import", item=q.name, field="required")
    have = {i.id for i in indicators}
    for iid in indicator_ids:
        if iid not in have:
            chk.add(CONTRACT_MISMATCH, f"the contract's indicator {iid!r} is missing", item=iid)


def load_questionnaire(path: Path, frameworks: Mapping[str, Framework], shared_choices=None) -> Questionnaire:
    return build_questionnaire(read_toml(path), source=path.name, frameworks=frameworks,
                               shared_choices=shared_choices or {})

