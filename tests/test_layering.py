"""The package's import structure (issue 16): no import circle among provenance modules, and imports
inside functions only for optional dependencies or the few lazy imports listed here with a reason."""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

import provenance

ROOT = Path(provenance.__file__).parent
#: Optional dependencies (pyproject extras, or huggingface_hub's lazily loaded parts): imported where used.
OPTIONAL = {"datasets", "huggingface_hub", "numba", "c2pa", "ray", "faiss", "pypdf", "zstandard"}
#: Function-level imports of the package itself, each for a reason.
LAZY = {
    # PEP 562 re-exports: importing any submodule runs provenance/__init__.py first
    ("provenance", "provenance.api"),
    ("provenance", "provenance.datasets_api"),
    ("provenance", "provenance.results"),
    # the compiled kernels import numba at module level: reached only once numba imported
    *(("provenance.textworks.kernel", f"provenance.textworks.kernel_{k}") for k in ("grams", "markup", "spans",
                                                                                    "tokens")),
}


def _modules() -> dict[str, Path]:
    out = {}
    for path in ROOT.rglob("*.py"):
        parts = path.relative_to(ROOT.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


class _Imports(ast.NodeVisitor):
    def __init__(self, module: str, is_package: bool) -> None:
        self.module, self.is_package = module, is_package
        self.depth = 0
        self.top: set[str] = set()
        self.inner: list[tuple[int, str]] = []

    def visit_If(self, node: ast.If) -> None:
        if "TYPE_CHECKING" in ast.unparse(node.test):  # annotations only: never run
            for n in node.orelse:
                self.visit(n)
            return
        self.generic_visit(node)

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.depth += 1
        self.generic_visit(node)
        self.depth -= 1

    visit_AsyncFunctionDef = visit_FunctionDef

    def _add(self, lineno: int, names: list[str]) -> None:
        for name in names:
            (self.inner.append((lineno, name)) if self.depth else self.top.add(name))

    def visit_Import(self, node: ast.Import) -> None:
        self._add(node.lineno, [a.name for a in node.names])

    def visit_ImportFrom(self, node: ast.ImportFrom) -> None:
        base = node.module or ""
        if node.level:
            parts = self.module.split(".")
            keep = len(parts) - node.level + (1 if self.is_package else 0)
            base = ".".join(parts[:keep] + ([node.module] if node.module else []))
        self._add(node.lineno, [f"{base}.{a.name}" for a in node.names])  # a submodule, or a name in `base`


def _scan() -> tuple[dict[str, set[str]], list[tuple[str, int, str]]]:
    modules = _modules()

    def owner(name: str) -> str | None:
        while name and name not in modules:
            name = name.rpartition(".")[0]
        return name or None

    graph: dict[str, set[str]] = defaultdict(set)
    inner: list[tuple[str, int, str]] = []
    for name, path in modules.items():
        v = _Imports(name, path.name == "__init__.py")
        v.visit(ast.parse(path.read_text(encoding="utf-8")))
        graph[name] |= {m for n in v.top if (m := owner(n)) and m != name}
        inner += [(name, line, owner(n) or n) for line, n in v.inner]
    return graph, inner


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative enough for ~200)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on: set[str] = set()
    found: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                found.append(sorted(comp))

    for v in list(graph):
        if v not in index:
            visit(v)
    return found


def test_no_import_circles() -> None:
    graph, _ = _scan()
    assert len(graph) > 100  # the whole package was read
    assert _cycles(graph) == []


def test_the_check_sees_a_circle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_imports_inside_functions_are_optional_dependencies_or_listed() -> None:
    _, inner = _scan()
    unexpected = [
        (module, line, name) for module, line, name in inner
        if not (name.split(".")[0] in OPTIONAL or (module, name) in LAZY)
    ]
    assert unexpected == []
    assert any(name.split(".")[0] == "datasets" for _, _, name in inner)  # the walk sees function bodies
