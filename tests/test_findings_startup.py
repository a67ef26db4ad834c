"""``fieldwork findings`` starts without the modules other commands need (issue 13, deliver 5):
its start-up is part of the time a lead waits, and of the comparison with a pandas script."""

from __future__ import annotations

import json
import subprocess
import sys

from fieldwork import cli

HEAVY = ("openpyxl", "numpy", "pandas", "streamlit", "altair", "vl_convert", "docx")

PROBE = """
import json, sys
from fieldwork import cli
code = cli.main(sys.argv[1:])
heavy = sorted(m for m in {heavy!r} if m in sys.modules)
sys.stderr.write(json.dumps({{"code": code, "heavy": heavy}}) + chr(10))
"""


def test_command_of_skips_the_valued_options():
    assert cli.command_of(["--db", "sqlite:///x.db", "findings", "case_review"]) == "findings"
    assert cli.command_of(["--inspection", "plan", "findings"]) == "findings"  # an inspection named like a command
    assert cli.command_of(["-h"]) is None


def test_findings_imports_no_spreadsheet_chart_or_page_library(db_url):
    done = subprocess.run([sys.executable, "-c", PROBE.format(heavy=HEAVY), "--db", db_url, "findings", "case_review"],
                          capture_output=True, text=True, timeout=120)
    report = json.loads(done.stderr.strip().splitlines()[-1])
    assert report == {"code": 0, "heavy": []}
    assert json.loads(done.stdout)["questionnaire"] == "case_review"


def test_the_whole_parser_still_lists_every_command(capsys):
    try:
        cli.main(["--help"])
    except SystemExit:
        pass
    out = capsys.readouterr().out
    for name in ("findings", "plan", "export", "sample", "evidence", "report"):
        assert name in out


def test_the_command_ends_its_own_process_with_its_output_whole_and_its_exit_code(db_url):
    """Run as a user runs it (``python -m``: the process's own command line), the command's
    process ends without the interpreter's teardown (``cli.leave``): every byte of the JSON
    and the exit code still arrive, and a refusal still says why on stderr."""
    done = subprocess.run([sys.executable, "-m", "fieldwork.cli", "--db", db_url, "findings", "case_review"],
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    assert json.loads(done.stdout)["questionnaire"] == "case_review"
    refused = subprocess.run([sys.executable, "-m", "fieldwork.cli", "--db", db_url, "findings", "no_such_form"],
                             capture_output=True, text=True, timeout=120)
    assert refused.returncode == 1
    assert "no_such_form" in refused.stderr and refused.stdout == ""
