"""The Sample page through AppTest: the lead's dry run and draw, the report, an inspector's
exclusion replaced by the next reserve, refusals shown with every problem."""

from __future__ import annotations

from sqlmodel import select

from fieldwork import db
from fieldwork.services import cases, sampling_frames
from fieldwork.services.permissions import INSPECTOR, LEAD, Actor
from fieldwork.ui import session
from models import SampleDraw, SampleExclusion
from tests.apptest import page
from tests.sampling_helpers import add_users, frame_csv, frame_rows

SAMPLE = "pages/sample.py"
TWO_FORCES = {"durham": 60, "greater_manchester": 140}


def with_frame(engine):
    with db.session_scope(engine) as s:
        add_users(s, ("inspector1", INSPECTOR), ("lead1", LEAD))
        sampling_frames.import_frame(s, Actor("lead1", LEAD), "case_review", frame_csv(frame_rows(TWO_FORCES)),
                                     "frame.csv")


def table(at, column):
    """The first table with this column (AppTest does not expose a dataframe's key)."""
    return next(d.value for d in at.dataframe if column in d.value.columns)


def button(at, label):
    return next(b for b in at.button if b.label == label)


def test_the_lead_dry_runs_then_draws_balanced_on_plea_and_domestic_abuse(engine, db_url, monkeypatch):
    with_frame(engine)
    at = page(SAMPLE, db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    assert not at.exception
    assert at.multiselect(key="sample_draw_strata").value == ["plea", "domestic_abuse"]
    assert at.number_input(key="sample_target_greater_manchester").value == 32
    at.selectbox(key="sample_draw_inspector").set_value("inspector1")
    at = button(at, "Dry run").click().run()
    dry = table(at, "First reserves")
    assert len(dry) == 8 and dry.groupby("Force")["Drawn"].sum().to_dict() == \
        {"Durham Constabulary": 16, "Greater Manchester Police": 32}
    assert set(dry[dry.Force == "Durham Constabulary"]["Drawn"]) == {4}
    with db.session_scope(engine) as s:
        assert s.exec(select(SampleDraw)).all() == []
    at = button(at, "Draw").click().run()
    assert "48 case(s) are in the Cases register as drafts for inspector1" in at.success[0].value
    report = table(at, "Reserves left")
    assert report["Drawn"].sum() == 48 and report["Frame"].sum() == 200
    assert "Draw the sample" not in [h.value for h in at.subheader]  # every frame is drawn: no second draw
    at.selectbox(key="sample_weight_question").set_value("plea")
    at = at.run()
    weighted = table(at, "Percent (weighted)")  # nothing assessed yet: no share to weight
    assert list(weighted["Answer"]) == ["Guilty", "Not guilty"] and list(weighted["Denominator"]) == [0, 0]
    nxt = table(at, "Order")
    assert len(nxt) == 8 * 5 and list(nxt["Order"][:5]) == [5, 6, 7, 8, 9]  # after the 4 drawn of the stratum
    with db.session_scope(engine) as s:
        assert [fp.questionnaire for fp in cases.register(s, Actor("lead1", LEAD)).progress][:1] == ["case_review"]
        assert len(cases.register(s, Actor("lead1", LEAD), questionnaire="case_review").rows) == 48


def test_an_inspector_excludes_a_case_and_the_reserve_takes_its_place(engine, db_url, monkeypatch):
    with_frame(engine)
    lead = page(SAMPLE, db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    lead.selectbox(key="sample_draw_inspector").set_value("inspector1")
    button(lead, "Draw").click().run()
    at = page(SAMPLE, db_url, monkeypatch).run()
    assert not at.exception and "Sampling frames" not in [h.value for h in at.subheader]
    at = button(at, "Exclude and replace").click().run()
    assert "choose the drawn case" in table(at, "problem")["problem"][0].lower()
    gone = at.selectbox(key="sample_exclude_case").options[0].split(" · ")[0]
    at.selectbox(key="sample_exclude_case").set_value(gone)
    at.selectbox(key="sample_exclude_reason").set_value("other")
    at = button(at, "Exclude and replace").click().run()
    assert "say why" in table(at, "problem")["problem"][0].lower()
    at.text_input(key="sample_exclude_detail").input("file held by another unit")
    at = button(at, "Exclude and replace").click().run()
    message = at.success[0].value
    assert message.startswith(f"{gone} excluded (Other); ") and "takes its place in the Cases register" in message
    replacement = message.split("; ")[1].split(" ")[0]
    excl = table(at, "Replaced by")
    assert list(excl["Case"]) == [gone] and list(excl["Replaced by"]) == [replacement]
    with db.session_scope(engine) as s:
        refs = {r.case_ref for r in cases.register(s, Actor("inspector1", INSPECTOR)).rows}
        assert s.exec(select(SampleExclusion.excluded_by)).one() == "inspector1"
    assert replacement in refs and gone not in refs and len(refs) == 48


def test_an_inspector_restricted_to_a_force_sees_and_excludes_only_its_cases(engine, db_url, monkeypatch):
    with_frame(engine)
    lead = page(SAMPLE, db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    lead.selectbox(key="sample_draw_inspector").set_value("inspector1")
    button(lead, "Draw").click().run()
    at = page(SAMPLE, db_url, monkeypatch, forces=("durham",)).run()
    assert set(table(at, "Reserves left")["Force"]) == {"Durham Constabulary"}
    assert len(at.selectbox(key="sample_exclude_case").options) == 16


def test_the_sample_reads_in_words(engine, db_url, monkeypatch):
    """Walk 23, F19: the questionnaire by its title, strata and attributes by the questionnaire's
    labels, "—" where no stratum is short, the exclusion's time readable: no codes, no "None"."""
    import json
    from datetime import datetime

    from fieldwork.ui.components import tables

    with_frame(engine)
    lead = page(SAMPLE, db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    assert lead.selectbox(key="sample_questionnaire").format_func("case_review") == "Joint case file review"
    assert lead.multiselect(key="sample_draw_strata").format_func("domestic_abuse") == "Domestic abuse"
    assert table(lead, "Attributes")["Attributes"][0] == "Domestic abuse, finalised, Plea"
    lead.selectbox(key="sample_draw_inspector").set_value("inspector1")
    lead = button(lead, "Dry run").click().run()
    assert set(table(lead, "First reserves")["Stratum"]) == {
        f"Plea: {p}; Domestic abuse: {d}" for p in ("Guilty", "Not guilty") for d in ("Yes", "No")}
    lead = button(lead, "Draw").click().run()
    at = page(SAMPLE, db_url, monkeypatch).run()
    gone = at.selectbox(key="sample_exclude_case").options[0].split(" · ")[0]
    at.selectbox(key="sample_exclude_case").set_value(gone)
    at = button(at, "Exclude and replace").click().run()
    assert not at.exception
    shown = next(d for d in at.dataframe if "Reserves left" in d.value.columns)
    report = shown.value
    assert "plea=" not in " ".join(report["Stratum"]) and "Plea: Guilty; Domestic abuse: No" in set(report["Stratum"])
    assert report["Short by"].isna().all() and shown.proto.placeholder == tables.EMPTY  # none short: "—"
    widths = {c: v["width"] for c, v in json.loads(shown.proto.columns).items() if c != "_index"}  # hidden
    assert set(widths) == set(report.columns) and sum(widths.values()) <= 960  # within 1,440 px beside the sidebar
    assert shown.proto.row_height > 64  # tall enough for a stratum to wrap onto a second line
    excluded = next(d for d in at.dataframe if "Replaced by" in d.value.columns)
    when = excluded.value["When"][0]
    assert abs(datetime.strptime(when, "%d %b %Y %H:%M") - datetime.now()).total_seconds() < 300
    assert "+00:00" not in when and excluded.value["Stratum"][0].startswith("Plea: ")
    reserves = table(at, "Order")
    assert all(s.startswith("Plea: ") for s in reserves["Stratum"])
    assert not any(t.value for t in at.caption if "strata plea" in t.value)
