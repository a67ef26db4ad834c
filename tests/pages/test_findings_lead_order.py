"""The Findings page read as a lead reads it (walk 23, F19), with the Durham filter the walk
set: "All findings" opens on the findings the report writes, not on 43 rows "Force – …: 0 of
16"; the answers no counted case holds are listed apart, every figure the report prints stays
in the grid, and an empty cell reads "—", never "None". "Cases behind a figure" opens on the
first finding the report writes, with forces and answers in words."""

from __future__ import annotations

from fieldwork import db
from fieldwork.services import findings
from fieldwork.ui import findings_grid
from tests.apptest import page

PAGE = "pages/findings.py"


def durham_page(db_url, monkeypatch, view: str):
    at = page(PAGE, db_url, monkeypatch, user="lead1", role="lead", timeout=60).run()
    at.multiselect(key="findings_filter_case_review_force").select("durham").run()
    at.session_state["findings_view"] = view
    return at.run()


def test_all_findings_open_on_the_reported_ones_and_fold_the_answers_no_case_holds(demo_engine, db_url, monkeypatch):
    at = durham_page(db_url, monkeypatch, "All findings")
    assert not at.exception
    with db.session_scope(demo_engine) as s:
        report = findings.compute(s, "case_review", by="force", filters={"force": ["durham"]})
    overall = report.overall()
    reported = [f for f in overall if f.reported]
    grid, groups, none_hold = (next(d.value for d in at.dataframe if columns(d.value) == wanted) for wanted in (
        ["finding", "count", "percent", "95% interval", "as the report writes it"],
        ["finding", "group", "count", "percent", "95% interval", "against the rest"],
        ["finding", "count"]))

    # the report's findings first, in the questionnaire's order; every one of them, zeros too
    names = [findings_grid.finding_name(f, "case_review") for f in reported]
    assert list(grid["finding"][:len(reported)]) == names
    assert grid.iloc[0]["finding"] == "Charged by – Police" and grid.iloc[0]["count"] == "5 of 16"
    plea = grid.set_index("finding").loc["Plea acceptance sound – Yes"]
    assert plea["count"] == "0 of 1"  # a figure the report prints stays, though no case holds it
    # no force Durham's cases do not come from clutters the grid: 42 such rows are folded apart;
    # a zero left in the grid is one the report prints
    assert set(grid.loc[grid["count"].str.startswith("0 of"), "finding"]) <= set(names)
    assert "Force – Durham Constabulary" in set(grid["finding"])  # 16 of 16: a figure, shown
    assert "Force – Avon and Somerset Constabulary" in set(none_hold["finding"])
    assert (none_hold["count"].str.startswith("0 of")).all()
    assert len(grid) + len(none_hold) == len(overall)  # every overall figure is in one or the other
    folded = next(e for e in at.expander if "no counted case holds" in e.label)
    assert folded.label.startswith(f"{len(none_hold)} answers no counted case holds")
    caption = " ".join(c.value for c in at.caption)
    assert f"First the {len(reported)} findings the report writes a sentence for" in caption

    # each group's grid: the same order, no answer that no case holds, an empty cell as "—"
    assert groups.iloc[0]["finding"] == "Charged by – Police"
    assert not set(groups["finding"]) & set(none_hold["finding"])
    assert "None" not in groups.astype(str).to_numpy().ravel()
    for d in at.dataframe:
        assert d.proto.placeholder in ("—", ""), d.proto.placeholder
    assert {d.proto.placeholder for d in at.dataframe if columns(d.value)[-1] in (
        "as the report writes it", "against the rest")} == {"—"}


def columns(frame) -> list[str]:
    return list(frame.columns)


def test_cases_behind_a_figure_open_on_the_first_reported_finding_in_words(demo_engine, db_url, monkeypatch):
    at = durham_page(db_url, monkeypatch, "Cases behind a figure")
    assert not at.exception
    picker = at.selectbox(key="findings_cases_case_review")
    assert picker.value == ("charged_by", "police")
    assert picker.options[0] == "Charged by – Police"  # words, never a code
    said = " ".join(m.value for m in at.markdown)
    assert "**5** of **16** cases" in said  # not "0 of 17" for a force outside the filter
    table = next(d.value for d in at.dataframe if "in the count" in d.value.columns)
    assert set(table["force"]) == {"Durham Constabulary"}
    assert set(table["answer"]) <= {"Police", "CPS (charging decision by a CPS prosecutor, including CPS Direct)"}
    assert set(table.loc[table["in the count"], "answer"]) == {"Police"}

    # an answer of a question with long labels, and an indicator: the answer cell never a code
    picker.select(("enhanced_risk_assessment", "dash")).run()
    table = next(d.value for d in at.dataframe if "in the count" in d.value.columns)
    assert "dash" not in set(table["answer"]) and "DASH" in " ".join(table["answer"])
