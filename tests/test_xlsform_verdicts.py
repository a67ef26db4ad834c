"""pyxform and ``fieldwork questionnaire import`` give the same verdict on the same forms:
every form pyxform converts imports unchanged, every form it refuses is refused with the row.
Repeat groups and loops over a choice list (``begin loop``, read as pyxform's groups) are read
since issue 12."""

from __future__ import annotations

import pytest
from pyxform.errors import PyXFormError
from pyxform.xls2xform import convert

from fieldwork.cli import main
from tests.xlsform_collection import ACCEPTED, BESIDE, PYXFORM_REFUSES, REPEATS, xlsx


def pyxform_converts(data: bytes) -> bool:
    try:
        convert(xlsform=data, file_type=".xlsx", form_name="data")
    except PyXFormError:
        return False
    return True


def import_form(tmp_path, name: str, markdown: str, db_url: str) -> int:
    path = tmp_path / name
    path.write_bytes(xlsx(markdown))
    for other, text in BESIDE.get(name, {}).items():
        (tmp_path / other).write_text(text)
    return main(["questionnaire", "import", str(path), "--db", db_url])


@pytest.mark.parametrize("name", sorted(ACCEPTED))
def test_every_form_pyxform_converts_imports(name, tmp_path, db_url, capsys):
    assert pyxform_converts(xlsx(ACCEPTED[name]))
    assert import_form(tmp_path, name, ACCEPTED[name], db_url) == 0, capsys.readouterr()
    out = capsys.readouterr().out
    assert out.startswith(name.removesuffix(".xlsx") + " version ") or "form_id" in ACCEPTED[name]


@pytest.mark.parametrize("name", sorted(PYXFORM_REFUSES))
def test_every_form_pyxform_refuses_is_refused_with_the_row(name, tmp_path, db_url, capsys):
    markdown, row = PYXFORM_REFUSES[name]
    assert not pyxform_converts(xlsx(markdown))
    assert import_form(tmp_path, name, markdown, db_url) == 1
    err = capsys.readouterr().err
    assert f"row {row}" in err, err


@pytest.mark.parametrize("name", sorted(REPEATS))
def test_a_repeat_group_and_a_loop_import(name, tmp_path, db_url, capsys):
    markdown, _row = REPEATS[name]
    assert pyxform_converts(xlsx(markdown))
    assert import_form(tmp_path, name, markdown, db_url) == 0, capsys.readouterr()


def test_a_form_without_settings_takes_the_file_name_and_says_which_version(tmp_path, db_url, capsys):
    assert import_form(tmp_path, "timeliness_review.xlsx", ACCEPTED["timeliness_review.xlsx"], db_url) == 0
    out = capsys.readouterr().out
    assert out.startswith("timeliness_review version auto-")
    assert "settings sheet gives no version" in out
    # the same form again: the same version, nothing new
    assert import_form(tmp_path, "timeliness_review.xlsx", ACCEPTED["timeliness_review.xlsx"], db_url) == 0
    assert capsys.readouterr().out.splitlines()[0] == out.splitlines()[0]


def test_the_older_names_mean_what_pyxform_says_they_mean(tmp_path):
    from fieldwork.catalog import load_catalog
    from fieldwork.questionnaire.loader import filtered_choices
    from fieldwork.questionnaire.xlsform import import_xlsform

    q = import_xlsform(xlsx(ACCEPTED["older_types.xlsx"]), name="older_types.xlsx",
                       frameworks=load_catalog().frameworks)
    assert q.id == "Older_types"  # typed on command lines: the space becomes _
    types = {x.name: x.type for x in q.questions}
    assert types == {"phone": "text", "map": "file", "dev": "deviceid", "day": "today", "pic": "image",
                     "share": "integer", "state": "select_one", "county": "select_one",
                     "looked_up": "calculate"}
    assert [c.code for c in filtered_choices(q, q.question("county"), {"state": "or"})] == ["king"]
    assert q.codes("county") == ["king"]  # counted once
    # a value the device looked up (pulldata) cannot be looked up here: it is kept as given
    assert q.with_calculations({"looked_up": "apple"})["looked_up"] == "apple"
