"""Names and paths in an XLSForm's expressions, resolved as pyxform and ODK resolve them.

XLSForm authors write ``${name}``, but also XPath paths: ``.`` (the question itself),
``../x`` (a question beside this one), ``./x`` (inside this group), ``current()/../x`` and
absolute ``/data/group/x``. pyxform allows the same name in two different groups, as long as
no ``${name}`` names it (then it refuses the form: which one would it be?).

Our answers are keyed by one text per question, so (the design, docs/xlsform.md):

- a name used once in the form is its key, as before (``charged``);
- a name used by two or more questions is keyed by its **group path**, the names of the
  groups around it and its own, joined by ``/`` (``victim/age`` and ``suspect/age``): the
  column header KoboToolbox itself writes when it exports group names;
- every path in an expression is resolved from the question (or group) it is written on to
  the question it points at, and written as ``${key}``; ``${name}`` of a name used twice is
  refused with the row, as pyxform refuses it.
"""

from __future__ import annotations

import re

# a path: relative (., .., current()) or absolute (/root/...), then /-separated names
_NAME = r"[A-Za-z_][A-Za-z0-9_.\-]*"
PATH = re.compile(
    rf"(?<![\w)\]}}$])(?:(?:current\(\)|\.\.|\.(?!\.))(?:/(?:\.\.|{_NAME}))+|/{_NAME}(?:/(?:\.\.|{_NAME}))+)")
_QUOTED = re.compile(r"""('[^']*'|"[^"]*")""")
_VAR = re.compile(r"\$\{([^}]*)\}")


class Names:
    """Every question of the form by its full path (groups, then its name), and its key."""

    def __init__(self, paths: list[tuple[str, ...]]):
        counts: dict[str, int] = {}
        for p in paths:
            counts[p[-1]] = counts.get(p[-1], 0) + 1
        self.twice = {n for n, c in counts.items() if c > 1}
        self.keys = {p: ("/".join(p) if p[-1] in self.twice else p[-1]) for p in paths}
        self.by_name = {p[-1]: self.keys[p] for p in paths if p[-1] not in self.twice}

    def key(self, path: tuple[str, ...]) -> str:
        return self.keys[path]

    def _target(self, text: str, here: tuple[str, ...]) -> str | None:
        steps = text.split("/")
        if steps[0] == "":  # absolute: /root/group/name (the root's name is the form's own)
            at: list[str] = []
            steps = steps[2:]
        else:
            at = list(here)
            if steps[0] == "current()":
                steps = steps[1:]
        for step in steps:
            if step == "..":
                if not at:
                    return None
                at.pop()
            elif step != ".":
                at.append(step)
        path = tuple(at)
        if path in self.keys:
            return self.keys[path]
        # written relative to the wrong level (authors often are): the name, if it is unique
        return self.by_name.get(path[-1]) if path else None

    def resolve(self, text: str, here: tuple[str, ...]) -> tuple[str, list[str]]:
        """The expression with every path written ``${key}``, and the faults found (a path
        that leads to no question, ``${name}`` of a name two questions share)."""
        faults: list[str] = []

        def path(m: re.Match) -> str:
            key = self._target(m.group(0), here)
            if key is None:
                faults.append(f"the path {m.group(0)!r} leads to no question")
                return m.group(0)
            return "${" + key + "}"

        def var(m: re.Match) -> str:
            name = m.group(1).strip()
            if name in self.twice:
                faults.append(f"${{{name}}} is ambiguous: the name {name!r} is used by more than one question "
                              "(in different groups); write the path to the one meant, e.g. ../" + name)
            return m.group(0)

        parts = _QUOTED.split(str(text or ""))
        out = "".join(p if i % 2 else _VAR.sub(var, PATH.sub(path, p)) for i, p in enumerate(parts))
        return out.strip(), faults


def question_paths(children: list[dict], at: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    """Full paths of the questions of pyxform's survey dict, in order."""
    paths: list[tuple[str, ...]] = []
    for child in children:
        name = str(child.get("name", ""))
        if child.get("type") in ("group", "repeat"):
            if not (child.get("control") or {}).get("bodyless"):  # pyxform's own meta group
                paths += question_paths(child.get("children") or [], at + (name,))
        elif child.get("type") != "note":
            paths.append(at + (name,))
    return paths
