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


# Files outside providers/<name>/ that may still name a provider in their prose, each with why.
PROSE_ALLOWED: dict[str, str] = {}  # path -> why it may name a provider (none now)


def test_no_text_outside_the_provider_packages_names_a_provider():
    """Not in a message, a label or help text, a comment, a docstring or a template: outside
    providers/<name>/, a provider is reached through the registry and named by its label there.
    (Settings list the installed providers; migrations are history.)"""
    import io
    import re
    import tokenize

    from core.registry import registrations

    words = {"1G", "1Gaming", "onegaming", "ONEGAMING", "Oppi", "oppi", "OPPI"}
    for registration in registrations(accounts_only=True):
        words.update(w for w in (registration.name, registration.label, registration.short_name) if w)
    escaped = "|".join(re.escape(w) for w in sorted(words, key=len, reverse=True))
    named = re.compile(rf"(?<![\w-])({escaped})(?![\w-])")
    offenders = []
    for package in ("core", "wallet", "lobby", "transfers", "reports", "audit", "demo", "staffauth", "config"):
        for path in sorted((ROOT / package).rglob("*.py")):
            relative = str(path.relative_to(ROOT))
            if "migrations" in path.parts or relative == "config/settings.py" or relative in PROSE_ALLOWED:
                continue
            for token in tokenize.generate_tokens(io.StringIO(path.read_text()).readline):
                if token.type in (tokenize.STRING, tokenize.COMMENT, getattr(tokenize, "FSTRING_MIDDLE", tokenize.STRING)) \
                        and named.search(token.string):
                    offenders.append(f"{relative}:{token.start[0]}: {token.string.strip()[:70]}")
    for path in sorted((ROOT / "templates").rglob("*.html")):
        for number, line in enumerate(path.read_text().splitlines(), 1):
            if named.search(line):
                offenders.append(f"{path.relative_to(ROOT)}:{number}: {line.strip()[:70]}")
    assert offenders == []
