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
