"""Random but valid answers for any questionnaire: for tests and benchmarks, never for findings.

Each case answers every question its skip logic asks (in questionnaire order, so a rule sees
the answers before it), single-choice questions with a random code, text with a short token,
integers and dates with plausible values. Case references are pseudonymous (``SYN-0000001``).
Seeded, so a run can be repeated.
"""

from __future__ import annotations

import random
from datetime import date, timedelta

from fieldwork import expr
from fieldwork.contract import CASE_REF
from fieldwork.questionnaire.model import Questionnaire
from fieldwork.services.store import CaseRecord


def answers(questionnaire: Questionnaire, rnd: random.Random, rules: dict | None = None) -> dict[str, str]:
    """One case's answers (``rules``: the parsed skip logic, to parse it once for many cases)."""
    rules = rules if rules is not None else _rules(questionnaire)
    out: dict[str, str] = {}
    for q in questionnaire.questions:
        if q.name in rules and not expr.evaluate(rules[q.name], out):
            continue
        if q.name == CASE_REF:
            continue
        if q.is_single_choice:
            out[q.name] = rnd.choice(questionnaire.codes(q.name))
        elif q.type == "integer":
            out[q.name] = str(rnd.randint(0, 90))
        elif q.type == "date":
            out[q.name] = (date(2016, 1, 1) + timedelta(days=rnd.randint(0, 365))).isoformat()
        elif not q.required and rnd.random() < 0.5:
            continue
        else:
            out[q.name] = f"t{rnd.randint(0, 9999)}"
    return out


def _rules(questionnaire: Questionnaire) -> dict:
    return {q.name: expr.parse(q.relevant) for q in questionnaire.questions if q.relevant}


def records(questionnaire: Questionnaire, n: int, *, seed: int = 1, prefix: str = "SYN",
            inspectors: int = 6, notes: bool = False) -> list[CaseRecord]:
    """``n`` complete cases; with ``notes``, an evidence note on about one answer in four."""
    rnd = random.Random(seed)
    rules = _rules(questionnaire)
    out = []
    for i in range(1, n + 1):
        ref = f"{prefix}-{i:07d}"  # seven digits: six may read as a date (120384), refused as a reference
        given = answers(questionnaire, rnd, rules)
        noted = {k: f"Seen in file section {rnd.randint(1, 40)}, page {rnd.randint(1, 200)}."
                 for k in given if notes and rnd.random() < 0.25}
        out.append(CaseRecord(ref, given, noted, inspector=f"inspector{1 + i % inspectors}"))
    return out
