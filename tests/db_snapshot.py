"""Every row of every table as one SHA-256: a refused action must leave it unchanged."""

from __future__ import annotations

import hashlib

from sqlalchemy import inspect, text


def snapshot(engine) -> str:
    digest = hashlib.sha256()
    with engine.connect() as conn:
        for table in sorted(inspect(engine).get_table_names()):
            rows = conn.execute(text(f'SELECT * FROM "{table}"')).all()
            digest.update(table.encode())
            for row in sorted(repr(tuple(r)) for r in rows):
                digest.update(row.encode())
    return digest.hexdigest()
