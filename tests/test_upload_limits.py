"""Uploads state the limit the app applies (walk 23, F19: "200MB per file" of files refused over
50 MB): the server lets through the largest any page accepts, each uploader says and applies its
own, and a larger file is refused in words naming the file and the limit."""

from __future__ import annotations

import tomllib
from pathlib import Path

from fieldwork.files import limits
from fieldwork.services import bundles
from fieldwork.ui import session
from fieldwork.ui.components import problems
from tests.apptest import page

ROOT = Path(__file__).resolve().parent.parent
MB = 1024 * 1024


def test_a_file_over_the_limit_is_refused_naming_the_file_and_the_limit():
    assert limits.too_large("week1.csv", 50 * MB) is None  # at the limit: accepted
    refusal = limits.too_large("week1.csv", 50 * MB + 1)
    [problem] = refusal.problems
    assert problem.code == limits.FILE_TOO_LARGE and problem.source == "week1.csv"
    assert problems.sentence(problem) == "week1.csv is more than 50 MB: at most 50 MB a file are accepted."
    assert "week1.csv was refused: nothing was imported" in str(refusal)
    bundle = limits.too_large("laptop2.fwbundle.zip", 70 * MB, bundles.MAX_FILE_BYTES)
    assert bundle.problems[0].message == "laptop2.fwbundle.zip is 70 MB: at most 64 MB a file are accepted"


def test_the_server_lets_through_no_more_than_the_largest_limit_of_a_page():
    config = tomllib.loads((ROOT / ".streamlit" / "config.toml").read_text())
    assert config["server"]["maxUploadSize"] == limits.MAX_UPLOAD_MB
    assert limits.MAX_UPLOAD_MB * MB == max(limits.MAX_FILE_BYTES, bundles.MAX_FILE_BYTES)
    served = (ROOT / "fieldwork" / "commands" / "app.py").read_text()
    assert '"--server.maxUploadSize", str(limits.MAX_UPLOAD_MB)' in served  # `fieldwork serve` says the same


def limit_shown(at) -> list[int]:
    return [u.proto.max_upload_size_mb for u in at.get("file_uploader")]


def test_each_uploader_states_its_own_limit(engine, db_url, monkeypatch):
    lead = {"user": "lead1", "role": session.LEAD}
    assert limit_shown(page("pages/import_data.py", db_url, monkeypatch, **lead).run()) == [50]
    assert limit_shown(page("pages/bundles.py", db_url, monkeypatch, **lead).run()) == [64]
    assert limit_shown(page("pages/sample.py", db_url, monkeypatch, **lead).run()) == [50]
    evidence = page("pages/evidence.py", db_url, monkeypatch, **lead).run()
    assert limit_shown(evidence) == [50]
    admin = {"user": "admin1", "role": session.ADMIN}
    assert limit_shown(page("pages/questionnaires.py", db_url, monkeypatch, **admin).run()) == [50]


def test_a_larger_file_that_reaches_the_page_is_refused_in_words(engine, db_url, monkeypatch):
    monkeypatch.setattr(limits, "MAX_FILE_BYTES", 1 * MB)  # a small limit, not a 50 MB file in a test
    at = page("pages/import_data.py", db_url, monkeypatch, user="lead1", role=session.LEAD).run()
    at.file_uploader[0].set_value(("week1.csv", b"case_ref\n" + b"HS-0001\n" * (MB // 4 + 1), "text/csv")).run()
    assert not at.exception
    shown = at.dataframe[0].value
    assert list(shown["problem"]) == ["week1.csv is 2 MB: at most 1 MB a file are accepted."]
    assert list(shown["file"]) == ["week1.csv"]
    assert not at.button  # nothing offered to import
