"""The Criteria page: the framework as a tree with the evidencing questions and guidance."""

from tests.apptest import page


def test_criteria_page_shows_the_tree_with_questions_and_guidance(engine, db_url, monkeypatch):
    at = page("pages/criteria.py", db_url, monkeypatch).run()
    assert not at.exception
    titles = [e.label for e in at.expander]
    assert len(titles) == 6
    assert titles[2].startswith("**3.** The police assess and manage the risk")
    text = " ".join(m.value for m in at.markdown)
    assert "3.1" in text and "initial_risk_assessment" in text


def test_criteria_search_narrows_the_tree(engine, db_url, monkeypatch):
    at = page("pages/criteria.py", db_url, monkeypatch).run()
    at.text_input(key="criteria_search").input("MG3").run()
    assert 0 < len(at.expander) < 6


def test_a_visitor_who_is_not_signed_in_sees_nothing(engine, db_url, monkeypatch):
    at = page("pages/criteria.py", db_url, monkeypatch, user="").run()
    assert not at.expander
    assert "sign in" in at.warning[0].value.lower()
