"""The shape of the code, checked from its source (docs/development.md, "Conventions"):
no import cycles, imports at the top of modules, thin states and pages that never
query, services that never commit and never import Reflex, each rule in one place,
pages that take their pieces from the UI kit, and files a person can hold in mind."""

from __future__ import annotations

import ast
import re
from collections import defaultdict
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
PKG = ROOT / "pool_portal"
MAX_LINES = 400
LAZY = "# lazy:"  # the comment that documents a function-level import of a heavy library


def _modules() -> dict[str, Path]:
    found = {}
    for path in sorted(PKG.rglob("*.py")):
        name = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        found[name.removesuffix(".__init__")] = path
    return found


MODULES = _modules()


def _rel(path: Path) -> str:
    return str(path.relative_to(ROOT))


def _imports(path: Path, module: str) -> list[tuple[ast.stmt, list[str], bool]]:
    """(node, the absolute names it imports, whether it sits inside a function)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    inner: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
            for child in ast.walk(node):
                if child is not node:
                    inner.add(id(child))
    out = []
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                package = module.split(".") if path.name == "__init__.py" else module.split(".")[:-1]
                package = package[: len(package) - node.level + 1]
                base = ".".join([*package, base] if base else package)
            names = [base] + [f"{base}.{a.name}" for a in node.names]
        else:
            continue
        out.append((node, names, id(node) in inner))
    return out


def _local(name: str) -> str | None:
    """The project module ``name`` refers to (a module, or a name inside one)."""
    while name:
        if name in MODULES:
            return name
        name = name.rpartition(".")[0]
    return None


def _graph() -> dict[str, set[str]]:
    graph: dict[str, set[str]] = defaultdict(set)
    for module, path in MODULES.items():
        for _node, names, _inner in _imports(path, module):
            for name in names:
                target = _local(name)
                if target and target != module and not module.startswith(target + "."):
                    graph[module].add(target)
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    counter = [0]

    def visit(v: str) -> None:
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph.get(v, ())):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for v in sorted(set(graph) | {w for targets in graph.values() for w in targets}):
        if v not in index:
            visit(v)
    return found


def test_the_import_graph_has_no_cycle_even_through_imports_inside_functions():
    assert _cycles(_graph()) == []


def test_the_cycle_finder_finds_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_sit_at_module_top_except_a_documented_lazy_import_of_a_heavy_library():
    offenders = []
    for module, path in MODULES.items():
        lines = path.read_text(encoding="utf-8").splitlines()
        for node, names, inner in _imports(path, module):
            if not inner:
                continue
            first = lines[node.lineno - 1]
            if any(_local(n) for n in names) or LAZY not in first:
                offenders.append(f"{_rel(path)}:{node.lineno}: {first.strip()}")
    assert offenders == []


def _code_lines(path: Path) -> list[tuple[int, str]]:
    """(line number, line) of the code, without comments and docstrings."""
    source = path.read_text(encoding="utf-8")
    tree = ast.parse(source)
    doc_lines: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(getattr(body[0], "value", None), ast.Constant):
                doc_lines.update(range(body[0].lineno, body[0].end_lineno + 1))
    return [(n, line.split("#", 1)[0]) for n, line in enumerate(source.splitlines(), 1) if n not in doc_lines]


def _grep(folders: tuple[str, ...], pattern: str, exclude: tuple[str, ...] = ()) -> list[str]:
    rx = re.compile(pattern)
    hits = []
    for folder in folders:
        for path in sorted((PKG / folder).rglob("*.py") if (PKG / folder).is_dir() else [PKG / folder]):
            if _rel(path) in exclude:
                continue
            hits += [f"{_rel(path)}:{n}: {line.strip()}" for n, line in _code_lines(path) if rx.search(line)]
    return hits


def test_states_and_pages_never_query_models_or_open_sessions():
    # A bare select( is a query (rx.el.select( is an HTML element, not one).
    pattern = r"(?<![\w.])select\(|\bdb\.get\(|session_scope|\.exec\(|\.execute\("
    assert _grep(("states", "pages", "components"), pattern) == []


def test_services_never_commit_nor_roll_back():
    assert _grep(("services",), r"\.commit\(\)|\.rollback\(\)") == []


@pytest.mark.parametrize("folder", ["services", "presentation", "models"])
def test_plain_python_layers_do_not_import_reflex(folder):
    offenders = []
    for path in sorted((PKG / folder).rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for _node, names, _inner in _imports(path, module):
            offenders += [f"{_rel(path)}: {n}" for n in names if n == "reflex" or n.startswith("reflex.")]
    assert offenders == []


def test_pages_take_their_pieces_from_the_ui_kit_never_from_another_page():
    offenders = []
    for path in sorted((PKG / "pages").rglob("*.py")):
        module = ".".join(path.relative_to(ROOT).with_suffix("").parts)
        for _node, names, _inner in _imports(path, module):
            offenders += [f"{_rel(path)}: {n}" for n in names if (_local(n) or "").startswith("pool_portal.pages")]
    assert offenders == []


def test_the_portal_settings_row_is_read_in_one_place():
    assert (
        _grep(("",), r"select\(\s*PortalSettings\b", exclude=("pool_portal/services/portal/portal_settings.py",)) == []
    )


def test_the_tenant_time_zone_is_read_in_one_place():
    assert _grep(("",), r"Tenant\.timezone|ZoneInfo\(", exclude=("pool_portal/services/core/clock.py",)) == []


def test_role_sets_are_named_once():
    assert _grep(("",), r"StaffRole\.ADMIN,\s*StaffRole\.OFFICE", exclude=("pool_portal/services/core/roles.py",)) == []


def test_colours_come_from_the_palette():
    allowed = ("pool_portal/presentation/palette.py",)
    hits = _grep(
        ("services", "states", "pages", "components", "presentation", "api"),
        r"[\"']#[0-9A-Fa-f]{6}[\"']",
        exclude=allowed,
    )
    assert hits == []


def test_no_module_is_longer_than_a_person_can_hold_in_mind():
    long = {_rel(p): n for p in MODULES.values() if (n := len(p.read_text(encoding="utf-8").splitlines())) > MAX_LINES}
    assert long == {}
