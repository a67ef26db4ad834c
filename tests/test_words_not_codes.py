"""What a person reads leads with words: problem tables open with a sentence and keep the code
in the last column; the register never says "113 of 112"; the workbook's cover has no
doubled apostrophe."""

from __future__ import annotations

from fieldwork.files.cells import safe
from exports.workbook import CONVENTIONS
from fieldwork.problems import Problem, ProblemError
from fieldwork.services.cases import ForceProgress, sample_totals
from fieldwork.ui.components import problem_rows, sentence


def test_a_problem_reads_as_a_sentence_and_the_code_comes_last():
    exc = ProblemError([
        Problem("missing_answer", "not answered: “Was a DASH completed?” (Risk)", row=3, field="dash", item="HS-0002",
                item_kind="case"),
        Problem("unknown_inspector", "inspector9 has no active account", item="HS-0004", item_kind="case"),
        Problem("bad_case_ref", "a case reference needs at least one digit"),
    ])
    frame = problem_rows(exc)
    assert list(frame.columns)[0] == "problem" and list(frame.columns)[-1] == "code"
    assert list(frame["problem"]) == [
        "Row 3, case HS-0002, column dash: not answered: “Was a DASH completed?” (Risk)",
        "Case HS-0004: inspector9 has no active account.",
        "A case reference needs at least one digit.",
    ]
    assert not any(p.code in sentence(p) for p in exc.problems)


def test_the_sample_count_never_passes_its_target():
    progress = [ForceProgress("case_review", "durham", 17, 17, 16), ForceProgress("case_review", "gwent", 15, 15, 16)]
    done, target, beyond = sample_totals(progress)
    assert (done, target, beyond) == (31, 32, 1)


def test_the_cover_conventions_are_written_as_typed():
    assert all(safe(text) == text for text in CONVENTIONS)  # no protective quote doubling an apostrophe


def test_a_sentence_starting_with_a_file_name_or_code_keeps_it_as_written():
    from fieldwork.ui.components import capitalised, problem_rows

    assert capitalised("bad.csv: 28 problem(s); nothing was imported") == "bad.csv: 28 problem(s); nothing was imported"
    assert capitalised("case_ref is missing") == "case_ref is missing"
    assert capitalised("nothing was imported") == "Nothing was imported"
    rows = problem_rows(ProblemError([Problem("x", "a problem", row=2), Problem("y", "another", item="HS-0001")]))
    assert list(rows["item"]) == ["", "HS-0001"] and list(rows["row"]) == [2, ""]  # blank, never "None"
