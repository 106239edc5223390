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
