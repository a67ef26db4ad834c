"""The audit trail's action codes in words, for the Audit page (the codes stay in the
database and the downloads, where a program reads them)."""

from __future__ import annotations

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
             "reserve_position": "reserve position", "frame_cases": "cases in the frame"}


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


def detail_words(detail: str) -> str:
    """The detail JSON as "field: value" parts, in words ("account: inspector1; change: added;
    role: admin; forces: every force"); text that is not a JSON object is shown as it is."""
    import json

    if not detail:
        return ""
    try:
        data = json.loads(detail)
    except ValueError:
        return detail
    if not isinstance(data, dict):
        return str(data)
    return "; ".join(f"{KEY_WORDS.get(k, k.replace('_', ' '))}: {value_words(k, v)}" for k, v in data.items())


def change_words(question: str | None, old: str | None, new: str | None, action: str = "") -> str:
    """What a row changed, "field: old → new" ("vps_taken: no → yes", "status: draft →
    complete"); the question alone when the row records no value ("question: vps_taken"), else ""."""
    if old is None and new is None:
        return f"question: {question}" if question else ""
    what = question or ("status" if action == "status.changed" else "value")
    return f"{what}: {value_words('', old)} → {value_words('', new)}"  # "partially_met" as "partially met"
