"""The audit trail's action codes in words, for the Audit page (the codes stay in the
database and the downloads, where a program reads them)."""

from __future__ import annotations

from fieldwork.questionnaire import entries
from fieldwork.questionnaire.model import Questionnaire

WORDS = {
    "sign_in": "signed in",
    "sign_in.failed": "sign-in refused",
    "sign_out": "signed out",
    "case.created": "case added",
    "case.renamed": "case reference changed",
    "assessment.created": "assessment started",
    "answer.changed": "answer changed",
    "note.changed": "evidence note changed",
    "answer.cleared": "answer cleared by skip logic",
    "entry.added": "entry of a repeated group added",
    "entry.removed": "entry of a repeated group removed",
    "status.changed": "status changed (complete / reopened)",
    "change.chosen": "clash between two places resolved",
    "import": "file imported",
    "import.refused": "file import refused",
    "export": "data exported",
    "merge": "bundle merged",
    "moderation": "moderation decision",
    "second_marking": "second marking assigned",
    "questionnaire.added": "questionnaire added",
    "user.changed": "account changed",
    "demo.loaded": "demonstration data loaded",
    "report": "draft report written",
    "audit.guard_restored": "audit guard found dropped and made again",
    "audit.guard_added": "audit guard added by an upgrade",
    "evidence.added": "evidence added",
    "evidence.changed": "evidence changed",
    "evidence.imported": "evidence imported",
    "evidence.exported": "evidence exported",
    "evidence.merged": "evidence merged from a bundle",
    "evidence.conflict_resolved": "evidence clash resolved",
    "judgement.set": "judgement recorded",
    "judgement.bearing_set": "evidence linked to a judgement",
    "judgement.bearing_removed": "evidence unlinked from a judgement",
    "example.marked": "case example marked",
    "example.removed": "case example removed",
    "sample.drawn": "sample drawn",
    "sample.excluded": "case excluded from the sample",
    "sample.replaced": "reserve case brought in",
    "sample.frame_imported": "sampling frame imported",
}


def words(code: str) -> str:
    """The action in words; an action not listed here (a newer version's) in readable form."""
    return WORDS.get(code) or code.replace(".", ": ").replace("_", " ")


# --- a row's change and details in words (the Audit page; the downloads keep the JSON) ----------

FORCE_KEYS = frozenset({"force", "forces"})  # detail keys whose values are force codes
KEY_WORDS = {"cps_area": "CPS Area", "unit_type": "judged for", "notes_included": "notes included",
             "reserve_position": "reserve position", "frame_cases": "cases in the frame",
             # second marking and moderation (walk 25, V4: "context_copied: 7, first: …, step: assigned")
             "context_copied": "case facts copied from the first marking", "first": "first marker",
             "second": "second marker", "rule": "sampling rule", "disagreements": "answers differing",
             "changed_from_first": "answers changed from the first marking", "cleared": "answers cleared",
             "instance": "entry", "type": "answer type"}
ANSWER_KEYS = frozenset({"second"})  # on a row naming a question, these details hold an answer code


def _force_names() -> dict[str, str]:
    from fieldwork.catalog import load_catalog

    return {c.code: c.label for c in load_catalog().codes.forces}


def _is_code(text: str) -> bool:
    return text.replace("_", "").isalnum() and text == text.lower()


def value_words(key: str, value) -> str:
    """One detail's value as a person reads it: forces by name, yes/no, lists with commas,
    codes such as ``wrong_password`` with spaces; "—" for nothing."""
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return "yes" if value else "no"
    if isinstance(value, list):
        if key in FORCE_KEYS and not value:
            return "every force"
        return ", ".join(value_words(key, v) for v in value) or "none"
    if isinstance(value, dict):
        return ", ".join(f"{value_words('', k)} {value_words(k, v)}" for k, v in value.items()) or "none"
    text = str(value)
    if key in FORCE_KEYS or key == "unit":
        text = _force_names().get(text, text)
    return text.replace("_", " ") if _is_code(text) else text


def _known(questionnaire: Questionnaire | None, question: str | None) -> bool:
    return bool(questionnaire and question and questionnaire.has_question(question))


def answer_label(questionnaire: Questionnaire | None, question: str | None, code) -> str:
    """An answer code as Assess shows it ("fully_met" as "Fully met"), several codes of a
    multiple choice each by its label; without the questionnaire, the code in readable form."""
    if code is None or code == "" or not _known(questionnaire, question):
        return value_words("", code)
    codes = str(code).split() if questionnaire.question(question).is_multiple_choice else [str(code)]
    return ", ".join(questionnaire.label_of(question, c) or c for c in codes)


def question_words(questionnaire: Questionnaire | None, question: str | None) -> str:
    """The question as Assess asks it ("Was a VPS taken?"), else its code."""
    return questionnaire.question(question).label or question if _known(questionnaire, question) else question or ""


def detail_words(detail: str, questionnaire: Questionnaire | None = None, question: str | None = None) -> str:
    """The detail JSON as "field: value" parts, in words ("account: inspector1; change: added;
    role: admin; forces: every force"); text that is not a JSON object is shown as it is. With
    the row's questionnaire, an entry of a repeat group by its name ("Incident 2") and a second
    marker's answer by its label."""
    import json

    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return str(data)

    def shown(key, value) -> str:
        if key == "instance" and questionnaire and isinstance(value, str) and value:
            return entries.title(questionnaire, value)
        if key in ANSWER_KEYS and question:
            return answer_label(questionnaire, question, value)
        return value_words(key, value)
    return "; ".join(f"{KEY_WORDS.get(k, k.replace('_', ' '))}: {shown(k, v)}" for k, v in data.items())


def change_words(question: str | None, old: str | None, new: str | None, action: str = "",
                 questionnaire: Questionnaire | None = None) -> str:
    """What a row changed, "field: old → new" ("vps_taken: no → yes", "status: draft →
    complete"); the question alone when the row records no value ("question: vps_taken"), else "".
    With the questionnaire of the row's assessment, the question's words and the answers' labels
    ("Was a VPS taken? No → Yes")."""
    words = question_words(questionnaire, question)
    if old is None and new is None:
        return (words if _known(questionnaire, question) else f"question: {question}") if question else ""
    what = words or ("status" if action == "status.changed" else "value")
    mark = "" if what.rstrip().endswith(("?", ":")) else ":"
    # "partially_met" as "partially met" where the questionnaire is not known
    return f"{what.rstrip()}{mark} {answer_label(questionnaire, question, old)} → {answer_label(questionnaire, question, new)}"
