"""The floors of docs/ARCHITECTURE.md, held against the code's own imports.

Every ``.py`` of ``fieldwork/``, ``models/``, ``exports/``, ``pages/`` and ``fieldwork_app.py`` is
read with ``ast`` (nothing is imported or run); every import counts, at module level, inside a
function or under ``TYPE_CHECKING``. A module may import its own floor and the floors below;
an arrow from a lower floor to a higher one fails, and so does any cycle, each printed with
the modules concerned. Every module must stand on a floor: a new top-level module is placed
here on purpose, not by accident.
"""

from __future__ import annotations

import ast
import functools
from collections import defaultdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
FOLDERS = ("fieldwork", "models", "exports", "pages")
SINGLE_FILES = ("fieldwork_app.py",)

# Lowest first. A module stands on the floor of the longest prefix that names it.
FLOORS: list[tuple[str, tuple[str, ...]]] = [
    ("base", ("fieldwork.problems", "fieldwork.problem_codes", "fieldwork.contract", "fieldwork.expr",
              "fieldwork.expr_math", "fieldwork.expr_odk", "fieldwork.expr_sql_values", "fieldwork.stats", "fieldwork.wording")),
    ("models", ("models",)),
    # engines, sessions and the schema (with the audit trail's guards): tables only, no data
    ("database", ("fieldwork.db", "fieldwork.db_location", "fieldwork.db_roles", "fieldwork.audit_guard_sql",
                  "fieldwork.audit_tables")),
    ("questionnaire", ("fieldwork.questionnaire", "fieldwork.catalog", "fieldwork.short_labels")),
    # bytes in and out; the XLSForm reader and writer are the questionnaire's file format (they
    # live beside the questionnaire model, where other tools import them)
    ("files", ("fieldwork.files", "fieldwork.questionnaire.xlsform",
               "fieldwork.questionnaire.xlsform_read")),
    ("services", ("fieldwork.services", "fieldwork.audit", "fieldwork.audit_words", "fieldwork.charts",
                  "fieldwork.summary_charts")),
    ("exports", ("exports",)),
    # a run's database made ready: the schema prepared, then the catalog's inspections seeded
    ("startup", ("fieldwork.startup", "fieldwork.start_stamp", "fieldwork.start_fingerprint",
                 "fieldwork.findings_prepared")),
    ("commands and ui", ("fieldwork.commands", "fieldwork.cli", "fieldwork.ui")),
    ("pages", ("pages", "fieldwork_app")),
]

# services -> exports arrows excused for a while. None is left: the file layer (fieldwork/files)
# reads and writes the bytes, and services write no file format. Nothing is ever excused here.
KNOWN_UPWARD_UNTIL_FILE_LAYER: set[tuple[str, str]] = set()


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(ROOT).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _sources() -> dict[str, Path]:
    files = [p for folder in FOLDERS for p in (ROOT / folder).rglob("*.py")]
    files += [ROOT / name for name in SINGLE_FILES]
    return {_module_name(p): p for p in files}


def _imported(node: ast.AST, module: str, is_package: bool) -> list[str]:
    """The dotted names an import statement may refer to, most specific first."""
    if isinstance(node, ast.Import):
        return [alias.name for alias in node.names]
    if isinstance(node, ast.ImportFrom):
        if node.level:
            package = module.split(".") if is_package else module.split(".")[:-1]
            base = ".".join(package[:len(package) - node.level + 1] + ([node.module] if node.module else []))
        else:
            base = node.module or ""
        return [f"{base}.{alias.name}" for alias in node.names] + [base]
    return []


@functools.cache
def _parsed() -> dict[str, ast.Module]:
    """Every module's syntax tree, read once per process: six tests walk the same trees (about
    0.5 s of CPU each time). The sources do not change while the tests run."""
    return {module: ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
            for module, path in _sources().items()}


def import_graph() -> dict[str, set[str]]:
    """module -> the modules of the project it imports (a new dict each call)."""
    return {module: set(targets) for module, targets in _import_graph().items()}


@functools.cache
def _import_graph() -> dict[str, set[str]]:
    sources = _sources()
    trees = _parsed()
    graph: dict[str, set[str]] = {m: set() for m in sources}
    for module, path in sources.items():
        tree = trees[module]
        for node in ast.walk(tree):
            if not isinstance(node, (ast.Import, ast.ImportFrom)):
                continue
            names = _imported(node, module, path.name == "__init__.py")
            if isinstance(node, ast.ImportFrom):
                # ``from package import submodule`` is an arrow to the submodule; the package
                # itself only where a name is not a module of it
                base = names[-1]
                targets = [n for n in names[:-1] if n in sources]
                if len(targets) < len(names) - 1:
                    targets.append(base)
            else:
                targets = names
            for name in targets:
                while name and name not in sources:
                    name = name.rpartition(".")[0]
                if name and name != module:
                    graph[module].add(name)
    return graph


def floor_of(module: str) -> int | None:
    best, floor = -1, None
    for index, (_name, prefixes) in enumerate(FLOORS):
        for prefix in prefixes:
            if (module == prefix or module.startswith(prefix + ".")) and len(prefix) > best:
                best, floor = len(prefix), index
    return floor


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan, iterative)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph.get(child, ())))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    found.append(sorted(component))
    return found


def upward_arrows(graph: dict[str, set[str]]) -> list[tuple[str, str]]:
    return sorted((src, dst) for src, targets in graph.items() for dst in targets
                  if floor_of(src) is not None and floor_of(dst) is not None and floor_of(src) < floor_of(dst))


def _floor_name(module: str) -> str:
    return FLOORS[floor_of(module)][0]


# --- the tests ---------------------------------------------------------------------------


def test_the_graph_sees_the_whole_package():
    graph = import_graph()
    assert {"fieldwork.services.findings", "models.core", "exports.workbook", "pages.findings",
            "fieldwork_app"} <= set(graph)
    # function-level imports count: the inspections service reads XLSForms only when asked
    assert "fieldwork.questionnaire.xlsform" in graph["fieldwork.services.inspections"]


def test_every_module_stands_on_a_floor():
    unplaced = sorted(m for m in import_graph() if floor_of(m) is None)
    assert not unplaced, "modules on no floor (place them in FLOORS and docs/ARCHITECTURE.md): " + ", ".join(unplaced)


def test_no_import_cycle():
    found = cycles(import_graph())
    assert not found, "import cycles:\n" + "\n".join("  " + " <-> ".join(c) for c in found)


def test_no_arrow_from_a_lower_floor_to_a_higher_one():
    graph = import_graph()
    wrong = [(a, b) for a, b in upward_arrows(graph) if (a, b) not in KNOWN_UPWARD_UNTIL_FILE_LAYER]
    assert not wrong, "arrows up the floors:\n" + "\n".join(
        f"  {a} ({_floor_name(a)}) -> {b} ({_floor_name(b)})" for a, b in wrong)


def test_the_excused_arrows_are_only_services_to_exports_and_still_there():
    graph = import_graph()
    services, exports = (next(i for i, (name, _) in enumerate(FLOORS) if name == n) for n in ("services", "exports"))
    not_allowed = sorted((a, b) for a, b in KNOWN_UPWARD_UNTIL_FILE_LAYER
                         if (floor_of(a), floor_of(b)) != (services, exports))
    assert not not_allowed, f"only services -> exports arrows may wait for the file layer: {not_allowed}"
    gone = sorted((a, b) for a, b in KNOWN_UPWARD_UNTIL_FILE_LAYER if b not in graph.get(a, ()))
    assert not gone, f"remove from KNOWN_UPWARD_UNTIL_FILE_LAYER, the code no longer has them: {gone}"


def test_the_checks_catch_what_they_are_for():
    """The rules themselves, on a made-up graph: a cycle and an upward arrow are found."""
    graph = {"models.core": {"fieldwork.services.findings"}, "fieldwork.services.findings": {"models.core"},
             "pages.findings": {"fieldwork.services.findings"}}
    assert cycles(graph) == [["fieldwork.services.findings", "models.core"]]
    assert upward_arrows(graph) == [("models.core", "fieldwork.services.findings")]


def test_problem_codes_are_written_only_in_the_catalogue():
    """``fieldwork/problem_codes.py`` is the one place a problem code is spelled: a Problem
    names its code by a constant imported from there, never a string of its own."""
    sources = _sources()
    trees = _parsed()
    # codes named through another module (``limits.EMPTY_FILE``): that module must not spell them either
    through = {node.args[0].attr for tree in trees.values() for node in ast.walk(tree)
               if isinstance(node, ast.Call) and node.args and isinstance(node.args[0], ast.Attribute)
               and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Problem"}
    catalogue = {n.value.value for n in trees["fieldwork.problem_codes"].body if isinstance(n, ast.Assign)}
    own = []
    for module, path in sources.items():
        if module == "fieldwork.problem_codes":
            continue
        tree = trees[module]
        strings = {n.targets[0].id: n.lineno for n in tree.body if isinstance(n, ast.Assign) and len(n.targets) == 1
                   and isinstance(n.targets[0], ast.Name) and isinstance(n.value, ast.Constant)
                   and isinstance(n.value.value, str)}
        own += [f"{path.relative_to(ROOT)}:{n.lineno} {n.targets[0].id} defined here" for n in tree.body
                if isinstance(n, ast.Assign) and len(n.targets) == 1 and isinstance(n.targets[0], ast.Name)
                and n.targets[0].id in through and isinstance(n.value, ast.Constant) and n.value.value in catalogue]
        for node in ast.walk(tree):
            if not (isinstance(node, ast.Call) and node.args
                    and getattr(node.func, "id", getattr(node.func, "attr", None)) == "Problem"):
                continue
            code = node.args[0]
            if isinstance(code, ast.Constant):
                own.append(f"{path.relative_to(ROOT)}:{node.lineno} Problem({code.value!r}, ...)")
            elif isinstance(code, ast.Name) and code.id in strings:
                own.append(f"{path.relative_to(ROOT)}:{strings[code.id]} {code.id} defined here")
    assert not own, "problem codes spelled outside fieldwork/problem_codes.py:\n" + "\n".join(sorted(set(own)))


def test_the_catalogue_spells_each_code_once():
    tree = ast.parse((ROOT / "fieldwork" / "problem_codes.py").read_text(encoding="utf-8"))
    codes = {n.targets[0].id: n.value.value for n in tree.body if isinstance(n, ast.Assign)}
    assert codes and all(name == code.upper() for name, code in codes.items())
    assert len(set(codes.values())) == len(codes)


def test_services_and_exports_are_handed_their_session():
    """The database floor stands below the services, yet no service or export opens an engine
    or a session of its own (``fieldwork.db``): the caller's transaction is handed to it."""
    graph = import_graph()
    core = {index for index, (name, _) in enumerate(FLOORS) if name in ("services", "exports")}
    wrong = sorted(m for m, targets in graph.items() if floor_of(m) in core and "fieldwork.db" in targets)
    assert not wrong, "services and exports that import fieldwork.db: " + ", ".join(wrong)


def test_services_take_the_inspection_one_way():
    """docs/ARCHITECTURE.md, Inspections: a public function of a service or an export names its
    inspection argument ``inspection`` (an ``inspections.InspectionRef``: the row, its code or
    id, or None for the default) and resolves it with ``inspections.resolve``; never a second
    spelling such as ``inspection_code`` (or ``inspection_ref``, ``code_of_inspection``)."""
    other_spellings = {"inspection_code", "inspection_ref", "inspection_name", "code_of_inspection"}
    core = {index for index, (name, _) in enumerate(FLOORS) if name in ("services", "exports")}
    found = []
    for module, path in _sources().items():
        if floor_of(module) not in core:
            continue
        for node in ast.walk(_parsed()[module]):
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)) and not node.name.startswith("_"):
                arguments = node.args.posonlyargs + node.args.args + node.args.kwonlyargs
                found += [f"{path.relative_to(ROOT)}:{node.lineno} {node.name}({a.arg})" for a in arguments
                          if a.arg in other_spellings]
    assert not found, "take `inspection: inspections.InspectionRef` instead:\n" + "\n".join(found)
