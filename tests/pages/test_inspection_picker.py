"""Several inspections in one database: the sidebar's picker (drawn by the router only when
there is more than one), and every page working on the inspection picked, not the default.

The second inspection is added the way seeding adds one (inspections.add_inspection).
"""

from __future__ import annotations

import time

import pytest
from streamlit.runtime.pages_manager import PagesManager
from streamlit.testing.v1 import AppTest

from fieldwork import db
from fieldwork.catalog import InspectionSpec
from fieldwork.problems import ProblemError
from fieldwork.services import cases, demo, inspections, store
from fieldwork.ui import navigation, session
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401  (fixture)
from tests.apptest import ROOT, page
from tests.assess_helpers import CONTEXT, INSPECTOR1, add

FOLLOW_UP = InspectionSpec(id="stalking_follow_up_2019", name="Stalking follow-up",
                           title="Stalking and harassment: a follow-up inspection",
                           framework="harassment_stalking_2017", questionnaires=("case_review",))
LIVING_IN_FEAR = "Living in fear"


def add_follow_up(engine) -> None:
    with db.session_scope(engine) as s:
        inspections.add_inspection(s, FOLLOW_UP)


def add_to_follow_up(session, ref: str, actor=INSPECTOR1) -> cases.NewCase:
    return cases.add_case(session, actor, inspection=FOLLOW_UP.id, questionnaire_id="case_review", case_ref=ref,
                          context=CONTEXT)


def complete(engine, inspection_code: str | None, n: int, prefix: str) -> None:
    """n complete case_review assessments (cases of the demonstration set) in the inspection."""
    with db.session_scope(engine) as s:
        inspection = inspections.inspection_by_code(s, inspection_code)
        version = inspections.current_version(s, "case_review")
        records = demo.records(inspections.questionnaire_of(version), demo.case_review_answers()[:n], prefix)
        store.add_complete_assessments(s, inspection_id=inspection.id, version=version, records=records,
                                       created_by="lead1")


@pytest.fixture
def router(engine, db_url, monkeypatch, cheap_hashing):
    """The whole app (fieldwork_app.py) signed in as an account of the role.

    AppTest resets Streamlit's "pages/ directory" flag before each run, and with pages/ beside
    fieldwork_app.py every rerun after the first then runs the page file alone; under
    ``streamlit run`` the router runs every time (st.navigation turns that flag off for good).
    Keep it off, so the sidebar the router draws is there on every run, as in the browser."""
    original = PagesManager.__init__

    def init(self, *args, **kwargs):
        original(self, *args, **kwargs)
        PagesManager.uses_pages_directory = False

    monkeypatch.setattr(PagesManager, "__init__", init)
    monkeypatch.setattr(PagesManager, "uses_pages_directory", None)  # restored after the test
    monkeypatch.setenv(db.ENV_URL, db_url)

    def signed_in(name: str, role: str) -> AppTest:
        with db.session_scope(engine) as s:
            make_user(s, name, role)
        at = AppTest.from_file(str(ROOT / "fieldwork_app.py"), default_timeout=60)
        at.session_state[session.USER_KEY] = {"name": name, "role": role, "forces": []}
        at.session_state[session.SEEN_KEY] = time.time()
        return at.run()

    return signed_in


def picker(at):
    return next((b for b in at.sidebar.selectbox if b.key == session.PICKER_KEY), None)


def register_refs(at) -> list[str]:
    """The case references in the Cases page's register (none when it says there are none)."""
    tables = [d.value for d in at.dataframe if "Case" in d.value.columns]
    return list(tables[0]["Case"]) if tables else []


def test_with_one_inspection_there_is_no_picker(engine, router):
    at = router("inspector1", session.INSPECTOR)
    assert not at.exception
    assert picker(at) is None
    assert not at.sidebar.selectbox


def test_the_picker_shows_the_chosen_inspections_cases_and_keeps_the_choice(engine, router):
    add_follow_up(engine)
    with db.session_scope(engine) as s:
        add(s, ref="HS-0001")
        followed = add_to_follow_up(s, "HS-0101")
    at = router("inspector1", session.INSPECTOR)
    at.switch_page("pages/cases.py").run()
    assert not at.exception
    choose = picker(at)
    assert choose.options == [LIVING_IN_FEAR, "Stalking follow-up"] and choose.value == "living_in_fear_2017"
    assert register_refs(at) == ["HS-0001"]

    picker(at).set_value(FOLLOW_UP.id).run()
    assert not at.exception
    assert register_refs(at) == ["HS-0101"]
    assert "Stalking follow-up" in at.caption[0].value

    at.switch_page("pages/assess.py").run()  # the choice survives a page switch
    assert not at.exception
    assert picker(at).value == FOLLOW_UP.id
    assert at.selectbox(key="assess_case").options == ["HS-0101 · Joint case file review"]  # the title, not the id
    assert at.selectbox(key="assess_case").value == followed.case_id

    at.switch_page("pages/cases.py").run()
    assert register_refs(at) == ["HS-0101"]
    picker(at).set_value("living_in_fear_2017").run()
    assert register_refs(at) == ["HS-0001"]


def test_a_case_added_under_the_chosen_inspection_joins_it(engine, router):
    add_follow_up(engine)
    at = router("inspector1", session.INSPECTOR)
    at.switch_page("pages/cases.py").run()
    picker(at).set_value(FOLLOW_UP.id).run()
    at.text_input(key="add_case_ref_0").input("HS-0202")
    at.selectbox(key="add_case_force_0").set_value("gwent")
    next(b for b in at.button if b.label == "Add case").click().run()
    assert not at.exception
    assert register_refs(at) == ["HS-0202"]
    with db.session_scope(engine) as s:
        assert [r.case_ref for r in cases.register(s, INSPECTOR1, inspection=FOLLOW_UP.id).rows] == ["HS-0202"]
        assert cases.register(s, INSPECTOR1).rows == []


def test_a_questionnaire_the_other_inspection_lacks_gives_way_to_the_chosen_ones(engine, router):
    add_follow_up(engine)
    at = router("lead1", session.LEAD)
    at.switch_page("pages/cases.py").run()
    at.selectbox(key="cases_questionnaire").set_value("pin_review").run()
    picker(at).set_value(FOLLOW_UP.id).run()  # the follow-up scores case_review only
    assert not at.exception
    assert at.selectbox(key="cases_questionnaire").value == "case_review"


def test_findings_are_the_chosen_inspections(engine, router):
    add_follow_up(engine)
    complete(engine, None, 3, "HS")
    complete(engine, FOLLOW_UP.id, 7, "FU")
    at = router("lead1", session.LEAD)
    at.switch_page("pages/findings.py").run()
    assert not at.exception
    assert "**3** complete cases counted" in " ".join(i.value for i in at.info)

    picker(at).set_value(FOLLOW_UP.id).run()
    assert not at.exception
    info = " ".join(i.value for i in at.info)
    assert "**7** complete cases counted" in info and "**3**" not in info
    assert not [b for b in at.button if b.key == "findings_load_demo"]  # the follow-up holds no pin_review
    assert at.selectbox(key="findings_questionnaire").options == ["Joint case file review"]  # titles in the picker


PAGES = ["pages/cases.py", "pages/assess.py", "pages/findings.py", "pages/export.py", "pages/import_data.py",
         "pages/bundles.py", "pages/second_marking.py", "pages/moderation.py", "pages/conflicts.py",
         "pages/criteria.py"]


@pytest.mark.parametrize("path", PAGES)
def test_every_page_works_on_the_chosen_inspection(engine, db_url, monkeypatch, path):
    add_follow_up(engine)
    with db.session_scope(engine) as s:
        add(s, ref="HS-0001", actor=INSPECTOR1)
    role = session.INSPECTOR if path == "pages/assess.py" else session.LEAD
    assert role in next(spec.roles for spec in navigation.PAGES if spec.path == path)
    at = page(path, db_url, monkeypatch, user="inspector1" if role == session.INSPECTOR else "lead1", role=role)
    at.session_state[session.INSPECTION_KEY] = FOLLOW_UP.id
    at.run()
    assert not at.exception
    shown = " ".join(e.value for kind in ("caption", "info", "markdown", "success") for e in at.get(kind))
    if path != "pages/criteria.py":  # the framework both inspections share cites the 2017 report
        assert "HS-0001" not in shown and LIVING_IN_FEAR not in shown
    if path in ("pages/cases.py", "pages/export.py", "pages/import_data.py", "pages/criteria.py"):
        assert "Stalking follow-up" in shown


def test_exports_and_bundles_come_from_the_chosen_inspection(engine, db_url, monkeypatch):
    add_follow_up(engine)
    complete(engine, None, 3, "HS")
    complete(engine, FOLLOW_UP.id, 7, "FU")
    at = page("pages/export.py", db_url, monkeypatch, user="lead1", role=session.LEAD)
    at.session_state[session.INSPECTION_KEY] = FOLLOW_UP.id
    at.run()
    assert "7 complete assessment(s) to export" in " ".join(c.value for c in at.caption)
    at.radio(key="export_format").set_value("csv")
    at.button(key="export_prepare").click().run()
    assert not at.exception
    prepared = at.session_state["export_prepared"]
    assert prepared["name"].startswith(FOLLOW_UP.id)
    body = prepared["data"].decode("utf-8-sig")
    assert "FU-0001" in body and "HS-0001" not in body

    at = page("pages/bundles.py", db_url, monkeypatch, user="lead1", role=session.LEAD)
    at.session_state[session.INSPECTION_KEY] = FOLLOW_UP.id
    at.run()
    assert "7 assessment(s)" in " ".join(c.value for c in at.caption)


def test_a_vanished_choice_falls_back_to_the_default_inspection(engine, db_url, monkeypatch):
    at = page("pages/cases.py", db_url, monkeypatch)
    at.session_state[session.INSPECTION_KEY] = "no_such_inspection"
    at.run()
    assert not at.exception
    assert LIVING_IN_FEAR in at.caption[0].value


def test_the_demonstration_data_goes_only_to_an_inspection_that_scores_both_questionnaires(engine):
    add_follow_up(engine)
    with db.session_scope(engine) as s:
        assert not demo.can_load(s, FOLLOW_UP.id) and demo.can_load(s)
        with pytest.raises(ProblemError) as exc:
            demo.load(s, actor="lead1", inspection=FOLLOW_UP.id)
    assert [(p.code, p.item) for p in exc.value.problems] == [(demo.DEMO_REFUSED, "pin_review")]
