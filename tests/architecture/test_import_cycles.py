"""No import cycle between any two modules of the project, inside a package as well as across
packages (import-linter's contracts see packages; this sees modules).

A cycle is found the way anyone can look for one: grimp (what import-linter reads) builds the
graph of every import statement, at module level or inside a function, and a strongly connected
component of more than one module is a cycle. Breaking one means moving the piece both modules
need down into a module both import (providers/day_partitions.py, transfers/start.py), not
hiding an import inside a function.
"""

from __future__ import annotations

import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
PACKAGES = ("config", "core", "wallet", "lobby", "providers", "transfers", "reports", "audit", "staffauth", "demo")

# Cycles that may stay, each with its reason (none today).
ALLOWED: dict[frozenset[str], str] = {}


def _cycles(graph) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan, iterative)."""
    imports = {m: sorted(graph.find_modules_directly_imported_by(m)) for m in graph.modules}
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []
    for root in sorted(imports):
        if root in index:
            continue
        work = [(root, iter(imports[root]))]
        index[root] = low[root] = len(index)
        stack.append(root)
        on_stack.add(root)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = len(index)
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(imports[child])))
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


def _graph():
    import grimp

    if str(ROOT) not in sys.path:
        sys.path.insert(0, str(ROOT))
    return grimp.build_graph(*PACKAGES)


def test_no_import_cycle_between_modules():
    graph = _graph()
    cycles = [c for c in _cycles(graph) if frozenset(c) not in ALLOWED]
    described = []
    for cycle in cycles:
        edges = [f"{a} -> {b} (line {d['line_number']}: {d['line_contents']})" for a in cycle for b in cycle
                 for d in graph.get_import_details(importer=a, imported=b)]
        described.append("; ".join(edges))
    assert described == []


def test_the_cycle_finder_finds_a_cycle():
    """The check itself: a made-up graph with one loop inside a package and one across two."""
    import grimp

    graph = grimp.ImportGraph()
    for importer, imported in [("a.models", "a.parts"), ("a.parts", "a.models"), ("a.tasks", "a.models"),
                               ("b.x", "c.y"), ("c.y", "c.z"), ("c.z", "b.x"), ("c.z", "a.tasks")]:
        graph.add_import(importer=importer, imported=imported)
    assert sorted(_cycles(graph)) == [["a.models", "a.parts"], ["b.x", "c.y", "c.z"]]


def test_allowed_cycles_still_exist():
    """An allowed cycle that is gone is taken off the list (so it cannot come back unnoticed)."""
    present = {frozenset(c) for c in _cycles(_graph())}
    assert [sorted(c) for c in ALLOWED if c not in present] == []
