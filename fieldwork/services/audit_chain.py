"""A tamper-evident audit trail: every row carries a SHA-256 hash of the previous row's hash
and its own content, and a one-row head (``audit_head``) holds the count and the last hash.

``seal`` is called by ``fieldwork.audit.record`` for every row, in the writer's transaction:
it updates the head first (so writers queue: the chain never forks), then chains the row.
``verify`` walks the trail in id order and says whether the chain is whole and, if not, from
which row it breaks:

- an overwritten row (SQLite's INSERT OR REPLACE, or an UPDATE with the triggers dropped): its
  content no longer hashes to its row_hash;
- a deleted row: the next row's prev_hash is not the hash of the row before it;
- a truncated or shortened trail: it no longer ends where the head says (count and hash);
- a backdated insert: its time is earlier than the row it follows, or it is not in the head;
- a dropped or disabled guard trigger: named.

What it cannot catch alone: someone with the owner's rights who switches the guards off,
removes rows from the end (or rewrites rows and recomputes the hashes), puts the head back in
step and the guards back as they were. Nothing inside the database then differs from an honest
trail, so "whole" means "whole as far as this database can tell". The defence is an *anchor*
kept outside: ``fieldwork audit verify`` prints ``ROWS:HASH``; ``--expect ROWS:HASH`` later
reports a break if the trail is shorter than ROWS or its row ROWS no longer has hash HASH.
"""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass, field
from datetime import datetime, timezone

from sqlalchemy import func, text, update
from sqlalchemy.exc import DBAPIError
from sqlmodel import Session, select

from fieldwork.audit_guard_sql import GUARD_RESTORED
from fieldwork.services import audit_guards
from models import AuditEvent, AuditHead

GENESIS = "0" * 64
CHUNK = 5_000
_FIELDS = ("actor", "action", "inspection_id", "case_ref", "assessment_uid", "question", "old_value", "new_value",
           "detail")


def _moment(at: datetime | None) -> str:
    if at is None:
        return ""
    if at.tzinfo is not None:
        at = at.astimezone(timezone.utc).replace(tzinfo=None)
    return at.isoformat(timespec="microseconds")


def row_hash(prev_hash: str, event) -> str:
    """The hash of one row: the previous hash, its time and every field, canonically written."""
    content = {name: getattr(event, name) for name in _FIELDS}
    content["at"] = _moment(event.at)
    body = prev_hash + json.dumps(content, sort_keys=True, separators=(",", ":"), ensure_ascii=False, default=str)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def seal(session: Session, event: AuditEvent) -> None:
    """Chain a new row (not yet flushed) to the trail, in the caller's transaction."""
    if session.get_bind().dialect.name == "postgresql":
        return _seal_postgresql(session, event)
    # The UPDATE comes first: it takes the write lock (SQLite) until this transaction ends, so no
    # other writer reads the same head.
    done = session.exec(update(AuditHead).where(AuditHead.id == 1).values(rows=AuditHead.rows + 1))
    now = datetime.now(timezone.utc)
    if not done.rowcount:
        session.add(AuditHead(id=1, rows=1, last_hash=GENESIS))
        session.flush()
        prev, last_at = GENESIS, None
    else:
        prev, last_at = session.exec(select(AuditHead.last_hash, AuditHead.last_at).where(AuditHead.id == 1)).one()
        prev = prev or GENESIS
    # Timed once the head is held, never before the row it follows: the order of times is the
    # order of the chain, so a row with an earlier time shows as backdated.
    if last_at is not None and last_at.tzinfo is None:
        last_at = last_at.replace(tzinfo=timezone.utc)
    _chain(event, prev, last_at, now)
    session.exec(update(AuditHead).where(AuditHead.id == 1).values(last_hash=event.row_hash, last_at=event.at))


def _chain(event: AuditEvent, prev: str, last_at: datetime | None, now: datetime) -> None:
    event.at = max(now, last_at) if last_at is not None else now
    event.prev_hash = prev
    event.row_hash = row_hash(prev, event)


def _seal_postgresql(session: Session, event: AuditEvent) -> None:
    """The app's role may not UPDATE the head (fieldwork.db_roles): ``audit_head_take()``, run
    with the owner's rights, locks the head's row until this transaction ends (writers queue, the
    chain never forks) and says where the chain ends; the row's insert then moves the head by the
    owner's trigger ``audit_event_advance_head`` (fieldwork.audit_guard_sql)."""
    session.flush()  # rows sealed earlier in this transaction are in: their trigger has moved the head
    held = session.execute(text("SELECT head_hash, head_at FROM audit_head_take()")).first()
    if held is None:  # a database whose head was never made (fieldwork init makes it)
        session.add(AuditHead(id=1, rows=0, last_hash=""))
        session.flush()
        held = (GENESIS, None)
    prev, last_at = held
    if last_at is not None and last_at.tzinfo is None:
        last_at = last_at.replace(tzinfo=timezone.utc)
    _chain(event, prev or GENESIS, last_at, datetime.now(timezone.utc))


@dataclass
class ChainReport:
    rows: int = 0
    unchained: int = 0  # rows written before the chain began
    head_hash: str = ""
    broken_at: int | None = None  # the id of the first row that does not fit
    reasons: list[str] = field(default_factory=list)
    anchor_checked: bool = False  # an anchor kept outside the database was given and held

    @property
    def anchor(self) -> str:
        """What a lead keeps outside the database (the inspection's log, an email): ROWS:HASH."""
        return f"{self.rows}:{self.head_hash}"

    @property
    def whole(self) -> bool:
        return not self.reasons

    def describe(self) -> str:
        if self.whole:
            scope = ("and holds the anchor given" if self.anchor_checked
                     else "as far as this database can tell")
            return (f"The audit trail is whole {scope}: {self.rows:,} rows chained"
                    + (f" (and {self.unchained:,} written before the chain began)" if self.unchained else "")
                    + f"; last hash {self.head_hash}.")
        where = f" from row {self.broken_at}" if self.broken_at is not None else ""
        return f"The audit trail has been tampered with{where}: " + "; ".join(self.reasons) + "."


def parse_anchor(value: str) -> tuple[int, str]:
    """``ROWS:HASH`` as printed by ``fieldwork audit verify``; ValueError with a plain reason."""
    rows, sep, digest = value.strip().partition(":")
    digest = digest.strip().lower()
    if not sep or not rows.strip().isdigit() or len(digest) != 64 or any(c not in "0123456789abcdef" for c in digest):
        raise ValueError(f"{value!r} is not an anchor: expected ROWS:HASH, e.g. 120:{'ab' * 32}, "
                         "as printed by `fieldwork audit verify`")
    return int(rows), digest


def verify(session: Session, expect: tuple[int, str] | None = None) -> ChainReport:
    """``_verify``, with a database that refuses to read the trail (a row-level security policy
    that fails, a permission revoked) reported in words rather than a traceback."""
    try:
        return _verify(session, expect)
    except DBAPIError as exc:
        session.rollback()
        first = str(getattr(exc, "orig", exc)).strip().splitlines()[0][:200]
        report = ChainReport()
        report.reasons.append(f"the database refused to read the audit trail ({first}): a row-level security "
                              "policy, a permission or a rule now stands between fieldwork and the trail, so "
                              "it cannot be shown whole")
        try:
            report.reasons += audit_guards.problems(session)
        except DBAPIError:
            session.rollback()
        return report


def _verify(session: Session, expect: tuple[int, str] | None = None) -> ChainReport:
    """Walk the whole trail in id order (a chunk at a time) and check every link; with ``expect``
    (an anchor kept outside the database) also check the trail still holds it."""
    report = ChainReport()
    anchored: str | None = None  # the hash of chained row number expect[0], once reached
    prev, prev_at, started = GENESIS, None, False
    last_id: int | None = None  # every row is read, whatever its id: a row at id 0 or below is no exception
    unchained_at = None  # the time of the last row written before the chain began

    def broken(row_id: int | None, reason: str) -> None:
        if report.broken_at is None and row_id is not None:
            report.broken_at = row_id
        report.reasons.append(reason)

    while True:
        query = select(AuditEvent) if last_id is None else select(AuditEvent).where(AuditEvent.id > last_id)
        rows = session.exec(query.order_by(AuditEvent.id).limit(CHUNK)).all()
        if not rows:
            break
        for event in rows:
            last_id = event.id
            if event.id <= 0 and report.broken_at is None:
                # ids start at 1 and only grow: such a row was written by hand, not by fieldwork
                broken(event.id, f"row {event.id} has an id of 0 or below, which fieldwork never writes "
                       f"(dated {_moment(event.at)[:19]}): it was inserted by hand, out of turn")
            if event.row_hash is None and not started:
                report.unchained += 1
                if (report.broken_at is None and unchained_at is not None
                        and _moment(event.at) < _moment(unchained_at)):
                    broken(event.id, f"row {event.id} is dated {_moment(event.at)[:19]}, before the row it "
                           f"follows ({_moment(unchained_at)[:19]}): it was inserted out of order")
                unchained_at = event.at
                continue
            started = True
            report.rows += 1
            if expect is not None and report.rows == expect[0]:
                anchored = event.row_hash
            if report.broken_at is not None:
                continue
            if event.row_hash is None or event.prev_hash != prev:
                broken(event.id, f"row {event.id} does not follow the row before it (a row was deleted or "
                       "inserted out of turn)")
            elif row_hash(prev, event) != event.row_hash:
                broken(event.id, f"row {event.id} was changed after it was written")
            elif prev_at is not None and _moment(event.at) < _moment(prev_at):
                broken(event.id, f"row {event.id} is dated {_moment(event.at)[:19]}, before the row it follows "
                       f"({_moment(prev_at)[:19]}): it was inserted with a false date")
            prev, prev_at = event.row_hash or prev, event.at
    report.head_hash = prev
    head = session.get(AuditHead, 1)
    if head is None:
        if report.rows:
            broken(None, "the chain's head is missing")
    elif report.broken_at is None and (head.rows != report.rows or (head.last_hash or GENESIS) != prev):
        broken(last_id or None, f"the trail ends at {report.rows:,} chained rows but {head.rows:,} were written "
               "(rows were removed from the end, or the table was emptied)")
    report.reasons += audit_guards.problems(session)
    report.reasons += _guards_found_dropped(session)
    if expect is not None:
        _check_anchor(report, expect, GENESIS if expect[0] == 0 else anchored)
    if report.rows == 0 and report.unchained == 0:
        report.reasons += _empty_trail_problems(session)
    return report


def _guards_found_dropped(session: Session) -> list[str]:
    """Each start that found guards dropped and made them again (fieldwork.startup) left a row."""
    rows = session.exec(select(AuditEvent).where(AuditEvent.action == GUARD_RESTORED).order_by(AuditEvent.id)).all()
    out = []
    for event in rows:
        try:
            names = list(json.loads(event.detail or "{}").get("guards", []))
        except (ValueError, AttributeError):
            names = []
        what = (f"the guard trigger {names[0]}" if len(names) == 1
                else f"the guard triggers {', '.join(names)}" if names else "a guard trigger")
        out.append(f"row {event.id} records that a start on {_moment(event.at)[:19]} found {what} dropped and "
                   "made it again: the trail was unguarded until then")
    return out


def _check_anchor(report: ChainReport, expect: tuple[int, str], found: str | None) -> None:
    rows, digest = expect
    if found is None:
        report.reasons.append(f"the trail now holds {report.rows:,} chained rows, fewer than the {rows:,} "
                              "in the anchor kept outside the database: rows were removed from the end")
    elif found != digest:
        report.reasons.append(f"chained row {rows:,} no longer has the hash in the anchor kept outside the "
                              "database: the trail was rewritten at or before that row")
    else:
        report.anchor_checked = True


def _empty_trail_problems(session: Session) -> list[str]:
    """An empty trail is only believable in an empty database: accounts, cases and assessments
    are all made through audited services."""
    from models import Assessment, CaseFile, User

    found = []
    for model, word in ((User, "account"), (CaseFile, "case"), (Assessment, "assessment")):
        n = session.exec(select(func.count()).select_from(model)).one()
        if n:
            found.append(f"{n:,} {word}" + ("s" if n != 1 else ""))
    if not found:
        return []
    return [f"there are no audit rows, yet the database holds {', '.join(found)}: the trail was probably emptied"]
