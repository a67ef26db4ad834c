"""How an indicator reaches the entries of repeat groups: the parts of its expression that read
questions asked once per entry, and what it cannot count (plain Python over the tree; the SQL
is ``fieldwork.services.entry_indicators``).

An indicator counts *cases*. Where its population or condition reads a question asked once per
entry of a repeat group (``${pin_served}``) or a repeat group itself (``${pin}``), it reads a
*nodeset*: one value per entry of the case. XPath 1.0 (section 3.4) gives such a reading a
meaning, and so do we:

* ``indexed-repeat(${pin_served}, ${pin}, 2)``: the second PIN's answer (blank where the case has
  none), positions written as whole numbers;
* ``count(${pin})`` / ``count(${pin_served})``: the case's entries of that repeat group
  (nested ones: every entry in every outer entry); ``sum(${calls})``: the sum of the entries'
  numbers, blanks and non-numbers left out, 0 without entries — as the form's own
  ``count()``/``sum()`` work them out (fieldwork.expr).
* an **atom** (a comparison, ``in``, ``selected()``, ``contains()`` ... or a bare name, standing
  where a true/false is wanted: the whole expression, an operand of ``and``/``or``/``not()``,
  ``boolean()``, or a branch of ``if()`` there) that reads one question asked per entry holds
  for the case when it holds for **at least one entry** of the case, that entry's answer in
  place of the question (a blank or missing answer is "", as everywhere). That is XPath's rule
  for comparing a nodeset with a value: true if any node satisfies it; so it is false for a
  case with no entries, whichever the operator; ``${pin_served} != 'in_person'`` holds where
  some entry was not served in person, and "no entry served in person" is
  ``not(${pin_served} = 'in_person')``. Each atom is tested on its own: ``${pin_served} =
  'in_person' and ${pin_recorded} = 'no'`` holds where one PIN was served in person and one
  (maybe another) was not recorded. A bare ``${pin_served}`` holds where an entry answered it;
  a bare ``${pin}`` where the case has an entry. (ODK Collect refuses a repeated field read as
  one value — "This field is repeated" — so a form that works in Collect reads one entry at
  most, where every rule agrees.)

Refused, with what and why: an atom reading two different questions asked per entry (XPath
would pair every entry of one with every entry of the other, which no reader expects), a
repeat group's name compared or computed with (its entries have no single value: use
``count()``), ``sum()`` of a repeat group, ``count()``/``sum()`` of anything but a name, and
``indexed-repeat()`` with a position worked out from the answers.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from fieldwork import expr

COUNT, SUM, ANY, INDEXED = "count", "sum", "any", "indexed-repeat"
# functions whose value is true or false: a place where an atom stands
_GLUE_CALLS = {"not", "boolean"}  # and if(), whose test and branches stand there too


@dataclass(frozen=True)
class Term:
    """A part of an expression counted over a case's entries: ``count``/``sum`` of ``name``, or
    ``any`` entry of ``name``'s repeat group making ``node`` true (``name`` is the question asked
    per entry it reads, or the repeat group where ``node`` is the bare group)."""

    node: expr.Node
    kind: str
    name: str
    instance: str = ""  # indexed-repeat: the entry named, "incident[1]/contact[2]"


@dataclass
class Reading:
    terms: dict = field(default_factory=dict)  # node -> Term, in order of appearance
    faults: list[str] = field(default_factory=list)  # sentences: what cannot be counted and why


def read(node: expr.Node, entry_questions: set[str], repeats: set[str]) -> Reading:
    """The terms of ``node`` that reach entries, and the faults that stop it being counted."""
    out = Reading()
    entry_questions = set(entry_questions) - set(repeats)

    def direct(n) -> list[str]:
        """Per-entry names read outside count()/sum() (those are terms of their own)."""
        found: dict[str, None] = {}

        def go(m):
            if isinstance(m, expr.Call) and m.name in (COUNT, SUM, INDEXED):
                return
            if isinstance(m, expr.Var) and (m.name in entry_questions or m.name in repeats):
                found.setdefault(m.name, None)
            for child in _children(m):
                go(child)
        go(n)
        return list(found)

    def indexed(m) -> None:
        target, pairs = m.args[0], m.args[1:]
        whole = [p for p in pairs[1::2] if isinstance(p, expr.Literal) and isinstance(p.value, float)
                 and p.value == int(p.value) and p.value >= 1]
        if (isinstance(target, expr.Var) and target.name in entry_questions and len(pairs) % 2 == 0
                and all(isinstance(r, expr.Var) and r.name in repeats for r in pairs[::2])
                and len(whole) == len(pairs) // 2):
            # the entry as the form's own indexed-repeat() names it (fieldwork.expr): pairs in order
            path = "/".join(f"{r.name}[{int(p.value)}]" for r, p in zip(pairs[::2], pairs[1::2]))
            out.terms.setdefault(m, Term(m, INDEXED, target.name, path))
        else:
            out.faults.append("indexed-repeat() is counted where it names a question asked per entry, then each "
                              "repeat group around it with a whole number (indexed-repeat(${served}, ${pin}, 2)); "
                              "a position worked out from the answers is not")

    def aggregates(n) -> None:
        for m in expr.walk(n):
            if isinstance(m, expr.Call) and m.name == INDEXED:
                indexed(m)
                continue
            if not (isinstance(m, expr.Call) and m.name in (COUNT, SUM)):
                continue
            (arg,) = m.args
            if not isinstance(arg, expr.Var):
                if any(isinstance(x, expr.Var) and (x.name in entry_questions or x.name in repeats)
                       for x in expr.walk(arg)):
                    out.faults.append(f"{m.name}() is given an expression, not a ${{name}}: an indicator counts "
                                      f"{m.name}(${{question}}) or {m.name}(${{repeat}})")
                continue
            if m.name == SUM and arg.name in repeats:
                out.faults.append(f"sum(${{{arg.name}}}) adds up a repeat group, which has no value of its own: "
                                  "sum a question asked in it")
            elif arg.name in entry_questions or arg.name in repeats:
                out.terms.setdefault(m, Term(m, m.name, arg.name))

    def atom(n) -> None:
        names = direct(n)
        groups = [x for x in names if x in repeats]
        if isinstance(n, expr.Var) and groups:
            out.terms.setdefault(n, Term(n, ANY, n.name))  # ${pin}: the case has an entry
        elif groups:
            out.faults.append(f"{_shown(n)} reads the repeat group {', '.join(groups)} as a value; its entries "
                              f"have none of their own: use count(${{{groups[0]}}})")
        elif len(names) > 1:
            out.faults.append(f"{_shown(n)} reads {' and '.join(names)}, each asked once per entry: an indicator "
                              "tests one question asked per entry at a time (any entry), so write one test for "
                              "each, joined with and / or")
        elif names:
            out.terms.setdefault(n, Term(n, ANY, names[0]))
        aggregates(n)

    def boolean_place(n) -> None:
        if isinstance(n, expr.BoolOp):
            for o in n.operands:
                boolean_place(o)
        elif isinstance(n, expr.Not):
            boolean_place(n.operand)
        elif isinstance(n, expr.Call) and n.name in _GLUE_CALLS:
            boolean_place(n.args[0])
        elif isinstance(n, expr.Call) and n.name == "if":  # its test and both branches give true/false here
            for a in n.args:
                boolean_place(a)
        else:
            atom(n)

    boolean_place(node)
    return out


def _children(n) -> tuple:
    if isinstance(n, expr.Compare):
        return (n.left, n.right)
    if isinstance(n, expr.InList):
        return (n.operand,)
    if isinstance(n, expr.BoolOp):
        return n.operands
    if isinstance(n, expr.Not):
        return (n.operand,)
    if isinstance(n, expr.Call):
        return n.args
    if isinstance(n, expr.Arith):
        return (n.left, n.right)
    return ()


def _shown(n) -> str:
    """A short name for a part of an expression, in a message."""
    if isinstance(n, expr.Compare):
        return f"the comparison with {n.op}"
    if isinstance(n, expr.InList):
        return "the `in` test"
    if isinstance(n, expr.Call):
        return f"{n.name}()"
    if isinstance(n, expr.Var):
        return f"${{{n.name}}}"
    return "the expression"
