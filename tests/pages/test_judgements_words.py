"""The Judgements page in words (walk 23, F19): the grid's columns fit the main column at 1,440 px
with the sidebar open (short force names, the full name as the header's tooltip), a cell's kinds
of evidence in words, the findings picker with the figures for the force its label promises."""

from __future__ import annotations

import json

from fieldwork import db
from fieldwork.services import evidence, judgements
from fieldwork.services.judgements import FindingRef
from fieldwork.ui import session
from tests.apptest import page
from tests.evidence_helpers import LEAD1, add_cases, add_interview

KEY = "force_durham_3.1"


def lead_page(db_url, monkeypatch):
    return page("pages/judgements.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()


def test_the_grid_fits_beside_the_sidebar_with_full_names_as_tooltips(engine, db_url, monkeypatch):
    at = lead_page(db_url, monkeypatch)
    assert not at.exception
    shown = at.dataframe(key="jd_grid")
    config = json.loads(shown.proto.columns)
    units = list(shown.value.columns)
    assert "Avon and Somerset" in units and "Sussex" in units
    assert config["Avon and Somerset"]["help"] == "Avon and Somerset Constabulary"
    assert sum(config[u]["width"] for u in units) <= 900  # the main column at 1,440 px is about 980 px
    assert max(len(u) for u in units) * 7 < config[units[0]]["width"]  # each header whole


def test_a_cell_reads_in_words_and_the_findings_picker_gives_the_forces_figures(engine, db_url, monkeypatch):
    with db.session_scope(engine) as s:
        add_interview(s)
        add_cases(s, "durham", ["yes"] * 12 + ["no"] * 4)
        ex = next(e.uid for v in evidence.list_evidence(s, LEAD1) for e in v.excerpts if e.criterion == "3.1")
        judgements.judge(s, LEAD1, unit_type="force", unit="durham", criterion="3.1", grade="partially_met",
                         rationale="r", excerpts=[ex],
                         findings=[FindingRef("case_review", "initial_risk_assessment", "yes")])
    at = lead_page(db_url, monkeypatch)
    at.selectbox(key="jd_unit").select("durham")
    at.selectbox(key="jd_criterion").select("3.1").run()
    assert not at.exception
    text = " ".join(m.value for m in at.markdown)
    assert "kinds of evidence: case files, interview" in text and "case_files" not in text
    picker = next(m for m in at.multiselect if m.key.startswith(f"jd_f_{KEY}"))
    yes = picker.format_func("case_review:initial_risk_assessment:yes")
    assert yes.startswith("12 of 16 (75%) · Joint case file review · ") and yes.endswith(": Yes"), yes
    assert not any("case_review" in o for o in picker.options)  # as shown: the options' words
    assert all(o.split(" · ")[0].endswith("%)") or o.startswith("no figure yet · ") for o in picker.options)
    at.selectbox(key="jd_across").select("3.1").run()
    across = at.dataframe[-1]
    row = across.value.set_index("Force").loc["Durham Constabulary"]
    assert row["kinds of evidence"] == "case files, interview"
    assert across.proto.placeholder == "—"  # the forces not judged: "—", never "None"
