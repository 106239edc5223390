"""The architecture's import contracts (pyproject.toml [tool.importlinter], docs/architecture.md)
hold: layers, independent provider packages, wallet and core importing nothing above them."""

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def test_import_contracts_are_kept():
    lint_imports = Path(sys.executable).with_name("lint-imports")
    done = subprocess.run([str(lint_imports), "--no-cache"], cwd=ROOT, capture_output=True, text=True, timeout=300)
    assert done.returncode == 0, done.stdout[-4000:] + done.stderr[-2000:]
    assert "0 broken" in done.stdout


def test_no_two_top_level_packages_import_each_other():
    import grimp

    packages = ["config", "core", "wallet", "lobby", "providers", "transfers", "reports", "audit", "staffauth", "demo"]
    sys.path.insert(0, str(ROOT))
    graph = grimp.build_graph(*packages)

    def top(module: str) -> str:
        parts = module.split(".")
        # each provider package counts as a package of its own; providers' own modules are the call history
        return ".".join(parts[:2]) if parts[0] == "providers" and len(parts) > 1 and parts[1] in (
            "onegaming", "oppi", "sandbox") else parts[0]

    edges = {(top(a), top(b)) for a in graph.modules for b in graph.find_modules_directly_imported_by(a)
             if top(a) != top(b)}
    assert sorted((a, b) for a, b in edges if (b, a) in edges) == []


def test_no_code_outside_the_provider_packages_names_a_built_in_provider():
    """Settings list the installed providers; every other package iterates the registry."""
    import ast
    import re

    # a provider's name as a value, its package or its URL (help texts and comments may mention it)
    named = re.compile(r"^(onegaming|oppi)$|providers\.(onegaming|oppi)|/api/(onegaming|oppi)|^ONEGAMING|^OPPI")
    offenders = []
    for package in ("core", "wallet", "lobby", "transfers", "reports", "audit", "demo", "staffauth", "config"):
        for path in sorted((ROOT / package).rglob("*.py")):
            if "migrations" in path.parts or path.name == "settings.py":
                continue
            tree = ast.parse(path.read_text())
            docstrings = {id(node.body[0].value) for node in ast.walk(tree)
                          if isinstance(node, (ast.Module, ast.ClassDef, ast.FunctionDef, ast.AsyncFunctionDef))
                          and node.body and isinstance(node.body[0], ast.Expr)
                          and isinstance(node.body[0].value, ast.Constant)}
            for node in ast.walk(tree):
                if isinstance(node, ast.Constant) and isinstance(node.value, str) and id(node) not in docstrings \
                        and named.search(node.value):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: {node.value[:60]!r}")
                elif isinstance(node, ast.Attribute) and named.search(node.attr):
                    offenders.append(f"{path.relative_to(ROOT)}:{node.lineno}: .{node.attr}")
    assert offenders == []
