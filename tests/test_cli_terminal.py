"""Stored text never drives the terminal: on a terminal the command line shows each control
character as \\xNN (an inspector's name holding ESC[2J cleared the screen on `fieldwork bundle
export`, attacker re-test 22); a pipe gets the bytes as they are, since JSON and CSV are data."""

from __future__ import annotations

import io
import sys
from types import SimpleNamespace

from fieldwork import cli


class Terminal(io.StringIO):
    def isatty(self) -> bool:
        return True


def _say(args):
    print("inspector\x1b[2J1\x9b", file=sys.stdout)
    print("\r3/10 assessments\tdone\x07", file=sys.stderr)
    return 0


def test_on_a_terminal_control_characters_are_shown_not_obeyed(monkeypatch):
    out, err = Terminal(), Terminal()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", err)
    assert cli.run(SimpleNamespace(handler=_say)) == 0
    assert out.getvalue() == "inspector\\x1b[2J1\\x9b\n"
    assert err.getvalue() == "\r3/10 assessments\tdone\\x07\n"  # the progress line's \r and tabs stay
    assert sys.stdout is out and sys.stderr is err  # put back after the command


def test_a_pipe_gets_the_bytes_as_they_are(monkeypatch):
    out = io.StringIO()
    monkeypatch.setattr(sys, "stdout", out)
    monkeypatch.setattr(sys, "stderr", io.StringIO())
    cli.run(SimpleNamespace(handler=_say))
    assert out.getvalue() == "inspector\x1b[2J1\x9b\n"
