"""Tail truncation with the head put back in step (issue 17, 3f, 3g, 3w) leaves nothing inside the
database to show it: `fieldwork audit verify` says "whole as far as this database can tell",
prints an anchor (ROWS:HASH) to keep outside, and `--expect ROWS:HASH` catches the truncation.
An empty trail beside accounts is reported. SQLite and, under scripts/with-postgres, PostgreSQL."""

from __future__ import annotations

from sqlalchemy import text

from fieldwork import audit, cli, db
from fieldwork.services import audit_chain
from tests.accounts_helpers import cheap_hashing, make_user  # noqa: F401 (fixture)

GUARDED = ["audit_event_no_update", "audit_event_no_delete", "audit_event_no_replace", "audit_head_no_delete",
           "audit_head_forward_only"]


def _trail(engine, n: int = 5) -> None:
    for i in range(n):
        with db.session_scope(engine) as s:
            audit.record(s, "inspector1", audit.EXPORT, file=f"cases-{i}.xlsx")


def _anchor(db_url, capsys) -> str:
    assert cli.main(["--db", db_url, "audit", "verify"]) == 0
    out = capsys.readouterr().out
    assert "whole as far as this database can tell" in out
    return out.split("--expect ", 1)[1].split()[0]


def _behind_the_guards(engine, *statements: str) -> None:
    """The owner's way round every guard: off, change, back on exactly as it was made."""
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            conn.execute(text("ALTER TABLE audit_event DISABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_head DISABLE TRIGGER USER"))
            for statement in statements:
                conn.execute(text(statement))
            conn.execute(text("ALTER TABLE audit_event ENABLE TRIGGER USER"))
            conn.execute(text("ALTER TABLE audit_head ENABLE TRIGGER USER"))
            return
        saved = dict(conn.execute(text("SELECT name, sql FROM sqlite_master WHERE type = 'trigger'")).all())
        for name in GUARDED:
            conn.execute(text(f"DROP TRIGGER {name}"))
        for statement in statements:
            conn.execute(text(statement))
        for name in GUARDED:
            conn.execute(text(saved[name]))


def _verify(db_url, capsys, *extra: str) -> tuple[int, str]:
    code = cli.main(["--db", db_url, "audit", "verify", *extra])
    seen = capsys.readouterr()
    return code, seen.out + seen.err


def test_the_anchor_holds_for_an_honest_trail_that_has_grown(engine, db_url, capsys):
    _trail(engine, 3)
    anchor = _anchor(db_url, capsys)
    _trail(engine, 2)
    code, said = _verify(db_url, capsys, "--expect", anchor)
    assert code == 0 and "whole and holds the anchor given" in said, said


def test_the_last_row_removed_and_the_head_put_back_is_caught_by_the_anchor(engine, db_url, capsys):
    """3f (SQLite) / 3w (PostgreSQL)."""
    _trail(engine, 5)
    anchor = _anchor(db_url, capsys)
    _behind_the_guards(
        engine, "DELETE FROM audit_event WHERE id = (SELECT max(id) FROM audit_event)",
        "UPDATE audit_head SET rows = rows - 1, last_hash = (SELECT row_hash FROM audit_event ORDER BY id DESC "
        "LIMIT 1), last_at = (SELECT at FROM audit_event ORDER BY id DESC LIMIT 1)")
    code, said = _verify(db_url, capsys)
    assert code == 0 and "whole as far as this database can tell" in said, said  # the honest limit
    code, said = _verify(db_url, capsys, "--expect", anchor)
    assert code == 1 and "fewer than the 5 in the anchor" in said, said


def test_a_row_rewritten_with_recomputed_hashes_is_caught_by_the_anchor(engine, db_url, capsys):
    _trail(engine, 3)
    anchor = _anchor(db_url, capsys)
    with db.session_scope(engine) as s:
        last = s.exec(audit_chain.select(audit_chain.AuditEvent).order_by(audit_chain.AuditEvent.id.desc())).first()
        last.actor = "someone"
        forged = audit_chain.row_hash(last.prev_hash, last)
        s.expunge(last)
    _behind_the_guards(engine, f"UPDATE audit_event SET actor = 'someone', row_hash = '{forged}' WHERE id = {last.id}",
                       f"UPDATE audit_head SET last_hash = '{forged}'")
    assert _verify(db_url, capsys)[0] == 0
    code, said = _verify(db_url, capsys, "--expect", anchor)
    assert code == 1 and "chained row 3 no longer has the hash in the anchor" in said, said


def test_an_emptied_trail_with_the_head_reset_is_caught(engine, db_url, capsys, cheap_hashing):  # noqa: F811
    """3g: every row deleted, the head reset to 0 rows and the genesis hash."""
    with db.session_scope(engine) as s:
        make_user(s, "inspector1")
    _trail(engine, 3)
    anchor = _anchor(db_url, capsys)
    _behind_the_guards(engine, "DELETE FROM audit_event",
                       f"UPDATE audit_head SET rows = 0, last_hash = '{'0' * 64}', last_at = NULL")
    code, said = _verify(db_url, capsys)
    assert code == 1 and "there are no audit rows, yet the database holds 1 account:" in said, said
    code, said = _verify(db_url, capsys, "--expect", anchor)
    assert code == 1 and "fewer than the 4 in the anchor" in said, said


def test_a_malformed_anchor_is_refused_in_words(engine, db_url, capsys):
    code, said = _verify(db_url, capsys, "--expect", "12:nothex")
    assert code == 2 and "is not an anchor: expected ROWS:HASH" in said


def test_an_empty_database_with_an_empty_trail_is_whole(engine, db_url, capsys):
    code, said = _verify(db_url, capsys)
    assert code == 0 and "0 rows chained" in said, said
