"""The start stamp (fieldwork.start_stamp): a command that only reads skips the migration and
the seeding of a database the same code and criteria folder already made ready, and does the
whole start otherwise; the findings it prints are the same either way."""

from __future__ import annotations

import json
import shutil

from sqlalchemy import event, text

from fieldwork import cli, db, start_stamp, startup
from fieldwork.services import findings
from fieldwork.services.findings_formats import to_json
from tests.conftest import new_database_url


class Statements:
    """Every SQL statement an engine runs inside the block."""

    def __init__(self, engine):
        self.engine, self.seen = engine, []

    def _note(self, conn, cursor, statement, *args):
        self.seen.append(statement)

    def __enter__(self):
        event.listen(self.engine, "before_cursor_execute", self._note)
        return self.seen

    def __exit__(self, *exc):
        event.remove(self.engine, "before_cursor_execute", self._note)


def _forget(engine) -> None:
    """As a new process would find it: nothing of this engine seeded or prepared yet."""
    startup._seeded.discard(engine)
    db.prepared_engines.discard(engine)


def test_a_prepared_database_carries_the_current_stamp(engine):
    assert start_stamp.stored(engine) == start_stamp.fingerprint()
    assert start_stamp.is_current(engine)


def test_a_read_only_open_of_a_current_database_reads_only_the_stamp(engine):
    _forget(engine)
    with Statements(engine) as seen:
        assert startup.open_engine(str(engine.url), read_only=True) is engine
    assert len(seen) == 1 and "start_stamp" in seen[0] and seen[0].lstrip().upper().startswith("SELECT")


def test_an_ordinary_open_still_seeds(engine):
    _forget(engine)
    with Statements(engine) as seen:
        startup.open_engine(str(engine.url))
    assert any("FROM inspection" in s for s in seen)  # the seed looked for the catalog's inspections


def test_a_stale_stamp_makes_the_read_only_open_do_the_whole_start_and_stamp_again(engine):
    with engine.begin() as conn:
        conn.execute(text("UPDATE start_stamp SET fingerprint = 'made by other code'"))
    _forget(engine)
    with Statements(engine) as seen:
        startup.open_engine(str(engine.url), read_only=True)
    assert len(seen) > 10  # migrated and seeded
    assert start_stamp.is_current(engine)


def test_a_database_from_before_stamps_is_made_ready_and_stamped(engine):
    with engine.begin() as conn:
        conn.execute(text("DROP TABLE start_stamp"))
    _forget(engine)
    assert start_stamp.stored(engine) is None
    startup.open_engine(str(engine.url), read_only=True)
    assert start_stamp.is_current(engine)


def test_findings_on_an_empty_database_does_the_whole_start(tmp_path, capsys):
    url = new_database_url(tmp_path)  # nothing in it: no schema, no inspection
    assert cli.main(["--db", url, "findings", "case_review"]) == 0
    assert json.loads(capsys.readouterr().out)["questionnaire"] == "case_review"
    assert start_stamp.is_current(db.get_engine(url, prepared=False))


def test_another_criteria_folder_is_another_fingerprint(tmp_path, monkeypatch, engine):
    from fieldwork.catalog import criteria_dir

    copy = tmp_path / "criteria"
    shutil.copytree(criteria_dir(), copy)
    monkeypatch.setenv("FIELDWORK_CRITERIA_DIR", str(copy))
    assert start_stamp.fingerprint() == start_stamp.stored(engine)  # the same files: the same print
    codes = copy / "codes.toml"
    codes.write_bytes(codes.read_bytes() + b"\n# changed\n")
    start_stamp._fingerprint.cache_clear()
    try:
        assert not start_stamp.is_current(engine)
    finally:
        start_stamp._fingerprint.cache_clear()


def test_the_command_prints_what_the_service_counts_after_a_skipped_start(demo_engine, db_url, capsys):
    _forget(demo_engine)
    with db.session_scope(demo_engine) as session:
        expected = to_json(findings.compute(session, "case_review"))
    assert start_stamp.is_current(demo_engine)
    assert cli.main(["--db", db_url, "findings", "case_review"]) == 0
    assert capsys.readouterr().out == expected


LOADED = """
import io, json, sys
from fieldwork import cli
out, sys.stdout = sys.stdout, io.StringIO()
code = cli.main(sys.argv[1:])
sys.stdout = out
print(json.dumps({"code": code, "models": sorted(m for m in sys.modules if m.split(".")[0] == "models")}))
"""


def test_findings_on_a_current_database_builds_only_the_core_tables(engine, db_url):
    """The other table modules (accounts, evidence, sampling, ...) are imported when first
    used (models.LAZY): the findings command reads none of them, and with its start skipped
    nothing reads the whole metadata, so its process never builds them."""
    import subprocess
    import sys

    done = subprocess.run([sys.executable, "-c", LOADED, "--db", db_url, "findings", "case_review"],
                          capture_output=True, text=True, timeout=120)
    # on SQLite no table class at all: the statements prepared at the start answer through
    # sqlite3 (fieldwork.findings_prepared); a breakdown builds only the core ones
    short = [] if engine.dialect.name == "sqlite" else ["models", "models.core"]
    assert json.loads(done.stdout) == {"code": 0, "models": short}, done.stderr
    done = subprocess.run([sys.executable, "-c", LOADED, "--db", db_url, "findings", "case_review", "--by", "force"],
                          capture_output=True, text=True, timeout=120)
    assert json.loads(done.stdout) == {"code": 0, "models": ["models", "models.core"]}, done.stderr


def test_preparing_registers_every_table(engine):
    import models
    from sqlmodel import SQLModel

    db.prepare(engine)
    tables = set(SQLModel.metadata.tables.values())
    classes = [getattr(models, name) for name in models.__all__ if isinstance(getattr(models, name), type)]
    assert len(classes) == len(tables) == 31 and all(c.__table__ in tables for c in classes)
