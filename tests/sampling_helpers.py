"""Helpers for the sampling tests: a synthetic frame file (pseudonymous references, no
names) and inspector accounts to own the drawn cases."""

from __future__ import annotations

import csv
import io
import random

from models import User

PLEAS = ("Guilty", "Not guilty")  # labels, as a force's list gives them
DA = ("Yes", "No")


def frame_rows(n_per_force: dict[str, int], seed: int = 7, prefix: str = "FR") -> list[dict]:
    """Rows of a frame: a reference, the force, plea, domestic abuse, a finalisation date."""
    rng = random.Random(seed)
    rows, k = [], 0
    for force, n in n_per_force.items():
        for _ in range(n):
            k += 1
            rows.append({"Case reference": f"{prefix}-{k:04d}", "Force": force, "Plea": rng.choice(PLEAS),
                         "Domestic abuse": rng.choice(DA), "Finalised": f"2016-11-{rng.randint(1, 30):02d}"})
    return rows


def frame_csv(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=list(rows[0]), lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode("utf-8")


def add_users(session, *names_roles: tuple[str, str]) -> None:
    """Accounts without a usable password (the tests never sign in with them)."""
    for name, role in names_roles:
        session.add(User(name=name, role=role, password_hash="!unusable"))
    session.flush()
