"""Problem tables in words (walk 23, F6 and F8), through AppTest: a bundle whose inspector has
no account here says what to do with a bundle (an administrator adds the account, then upload
again), never an import's "leave it blank"; its sentence wraps instead of being cut; the
code stays in the data but is not shown; an empty cell reads "—"."""

from __future__ import annotations

import json

import pandas as pd

from fieldwork.problems import Problem, ProblemError
from fieldwork.ui import session
from fieldwork.ui.components import tables
from tests.apptest import page
from tests.laptops import databases, export, inspector, random_answers, score

__all__ = ["databases"]


def test_a_bundle_from_an_inspector_without_an_account_says_what_to_do(engine, db_url, monkeypatch, databases):
    laptop = databases("laptop")  # inspector1 has an account there, none on the lead's database
    score(laptop, "inspector1", "HS-0001", random_answers(laptop, seed=1))
    at = page("pages/bundles.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.file_uploader(key="bundle_upload").upload("laptop1.fwbundle.zip", export(laptop, inspector("inspector1")),
                                                "application/zip").run()
    assert not at.exception
    shown = at.dataframe[-1]
    problem, = [p for p in shown.value["problem"] if "inspector1" in p]
    assert problem == ("Case HS-0001: inspector1 is not an account: ask an administrator to add the account "
                       "inspector1 on this database (Users page), then upload the bundle again.")
    assert "blank" not in problem
    assert shown.proto.row_height > tables.WRAPS_ABOVE  # wrapped onto lines, not cut at the edge
    config = json.loads(shown.proto.columns)
    assert config["code"]["hidden"] is True and "code" in shown.value.columns  # kept for a download, not shown
    assert shown.proto.placeholder == tables.EMPTY


def test_short_problems_keep_one_line_and_long_ones_wrap():
    short = pd.DataFrame({"problem": ["Choose a force."]})
    assert tables.row_height(short) is None
    long = pd.DataFrame({"problem": ["x" * 200], "code": ["y" * 400]})
    assert tables.row_height(long, ["problem"]) == 3 * tables.LINE_PX + 8  # the code column does not count
    assert tables.row_height(pd.DataFrame({"problem": ["x" * 5000]})) == tables.MAX_LINES * tables.LINE_PX + 8


def test_a_forms_refusal_names_the_question_in_words_not_by_its_variable(engine, db_url, monkeypatch):
    from fieldwork.ui.components import sentence

    form = Problem("undecided", "no agreed answer yet for “Was a DASH completed?”", item="dash")
    imported = Problem("missing_answer", "not answered", source="cases.csv", row=3, field="dash", item="dash")
    assert sentence(form) == "No agreed answer yet for “Was a DASH completed?”."
    assert sentence(imported) == "Row 3, question dash, column dash: not answered."  # a file's own names

    at = page("pages/cases.py", db_url, monkeypatch).run()  # Add a case with no force: refused on the form
    at.text_input(key="add_case_ref_0").input("HS-0201")
    next(b for b in at.button if b.label == "Add case").click().run()
    assert not at.exception
    shown = at.dataframe[-1]
    assert shown.value["problem"][0].startswith("Choose the force")
    config = json.loads(shown.proto.columns)
    assert all(config[c]["hidden"] is True for c in ("code", "column", "item"))
