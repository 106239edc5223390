"""Small structural leftovers of issue 23: settings that the environment can set, one definition
of each wire table."""

import ast
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _settings_in_child(env: dict, *names: str) -> dict:
    code = ("import json, django; django.setup(); from django.conf import settings; "
            f"print(json.dumps({{n: getattr(settings, n, '<undefined>') for n in {list(names)!r}}}, default=str))")
    child_env = {**os.environ, "DJANGO_SETTINGS_MODULE": "config.settings", **env}
    out = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=child_env, capture_output=True, text=True,
                         check=True, timeout=120)
    return json.loads(out.stdout.strip().splitlines()[-1])


def test_launch_session_lifetimes_come_from_the_environment():
    values = _settings_in_child({"OPPI_SESSION_TTL_SECONDS": "123", "ONEGAMING_START_TTL_SECONDS": "456"},
                                "OPPI_SESSION_TTL_SECONDS", "ONEGAMING_START_TTL_SECONDS")
    assert values == {"OPPI_SESSION_TTL_SECONDS": 123, "ONEGAMING_START_TTL_SECONDS": 456}


def test_launch_session_lifetimes_default_to_the_documented_values():
    values = _settings_in_child({}, "OPPI_SESSION_TTL_SECONDS", "ONEGAMING_START_TTL_SECONDS")
    if "OPPI_SESSION_TTL_SECONDS" not in os.environ:
        assert values["OPPI_SESSION_TTL_SECONDS"] == 30 * 60
    if "ONEGAMING_START_TTL_SECONDS" not in os.environ:
        assert values["ONEGAMING_START_TTL_SECONDS"] == 15 * 60


def test_no_provider_dialect_assigns_a_module_name_twice():
    for path in sorted(ROOT.glob("providers/*/dialect.py")):
        seen: dict[str, int] = {}
        for node in ast.parse(path.read_text()).body:
            targets = node.targets if isinstance(node, ast.Assign) else [node.target] if isinstance(
                node, ast.AnnAssign) else []
            for target in targets:
                if isinstance(target, ast.Name):
                    assert target.id not in seen, f"{path.name}: {target.id} defined at lines {seen[target.id]} " \
                                                  f"and {node.lineno}"
                    seen[target.id] = node.lineno


def test_every_setting_the_code_reads_with_a_fallback_is_defined_in_settings():
    """A name read as getattr(settings, NAME, default) and never defined cannot be set from the
    environment (OPPI_SESSION_TTL_SECONDS was such a name)."""
    import re

    read = set()
    for path in ROOT.rglob("*.py"):
        relative = path.relative_to(ROOT)
        if relative.parts[0] in ("tests", ".venv", "var", "bench") or "migrations" in relative.parts:
            continue
        read.update(re.findall(r'getattr\(settings, "([A-Z][A-Z0-9_]*)"', path.read_text()))
    values = _settings_in_child({}, *sorted(read))
    assert sorted(name for name, value in values.items() if value == "<undefined>") == []
