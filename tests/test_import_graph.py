"""The layout rule, checked on the source: bases below, registries and dispatchers above.

Every ``from … import …`` in src/tradeoff counts, inside functions too. The package face
(``tradeoff/__init__.py``), which only re-exports, is left out of the cycle check.
"""

from __future__ import annotations

import ast
from collections import defaultdict
from pathlib import Path

SRC = Path(__file__).resolve().parents[1] / "src"
PKG = SRC / "tradeoff"


def _module(path: Path) -> str:
    parts = list(path.relative_to(SRC).with_suffix("").parts)
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _resolve(name: str) -> str | None:
    """The module a dotted name refers to: a module, a package, or None outside tradeoff."""
    p = SRC.joinpath(*name.split("."))
    if p.is_dir() and (p / "__init__.py").exists():
        return name
    if p.with_suffix(".py").exists():
        return name
    return None


def imports():
    """(importer, imported module, imported names, line) for every import inside tradeoff."""
    out = []
    for path in PKG.rglob("*.py"):
        mod = _module(path)
        pkg = mod if path.name == "__init__.py" else mod.rsplit(".", 1)[0]
        for node in ast.walk(ast.parse(path.read_text(), str(path))):
            if isinstance(node, ast.ImportFrom):
                if node.level:
                    base = pkg.split(".")[: len(pkg.split(".")) - node.level + 1]
                    target = ".".join(base + ([node.module] if node.module else []))
                else:
                    target = node.module or ""
                if not target.startswith("tradeoff"):
                    continue
                for alias in node.names:  # `from . import x` may name a module
                    sub = _resolve(f"{target}.{alias.name}")
                    if sub is not None:
                        out.append((mod, sub, [], node.lineno))
                    elif _resolve(target) is not None:
                        out.append((mod, _resolve(target), [alias.name], node.lineno))
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("tradeoff") and _resolve(alias.name):
                        out.append((mod, alias.name, [], node.lineno))
    return out


def _cycles(edges: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan)."""
    index, low, stack, on, out = {}, {}, [], set(), []

    def visit(v):
        index[v] = low[v] = len(index)
        stack.append(v)
        on.add(v)
        for w in edges.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1 or v in edges.get(v, ()):
                out.append(sorted(group))

    for v in list(edges):
        if v not in index:
            visit(v)
    return out


def test_no_import_cycles():
    edges = defaultdict(set)
    for src, dst, _, _ in imports():
        if src != "tradeoff" and dst != src:
            edges[src].add(dst)
    assert _cycles(edges) == []


def test_no_module_imports_another_modules_private_name():
    bad = [(src, dst, name, line) for src, dst, names, line in imports() for name in names
           if name.startswith("_") and not name.startswith("__") and dst != src]
    assert bad == []


def test_the_checks_see_a_cycle_and_a_private_import():
    # the checker itself: a made-up graph with a circle, and the parser on a private import
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    tree = ast.parse("from .models import _EPS")
    assert tree.body[0].names[0].name.startswith("_")
