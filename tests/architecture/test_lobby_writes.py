"""Launch sessions and catalogue games are written by the lobby only (issue 23): a LaunchSession row
is created or changed in lobby/sessions.py alone (the provider packages open, validate and touch
sessions through it), a Game row in the lobby's own modules alone (the catalogue services, the
sync, the reference catalogue, its admin). Everything else, provider packages included (the
test provider under tests/ too), goes through those functions.

The scan reads the source (AST and SQL text): ORM writes on the model (`<Model>.objects...create/
update/get_or_create/update_or_create/bulk_create/bulk_update/delete`, also through the related
managers `launches` and `games`), `.save()`/`.delete()` on a variable named for a session, launch or
game, building an instance of the model, handing the model to an insert/update/upsert helper, and
hand-written INSERT/UPDATE/DELETE of its table."""

from __future__ import annotations

import ast
import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

WRITES = {"create", "update", "get_or_create", "update_or_create", "bulk_create", "bulk_update", "delete", "save"}
RELATED = {"launches": "LaunchSession", "games": "Game"}
HELPER_WORDS = ("insert", "update", "upsert", "create", "save", "write")
TABLES = {"LaunchSession": ("lobby_launchsession",), "Game": ("lobby_game",)}
SQL_WRITE = re.compile(
    r"(INSERT\s+INTO|UPDATE|DELETE\s+FROM)\s+[\"'{]*\s*(lobby_launchsession|lobby_game|LaunchSession\._meta\.db_table"
    r"|Game\._meta\.db_table)\b", re.IGNORECASE)
# Where each model may be written: (path prefix relative to the project root, ...)
ALLOWED = {"LaunchSession": ("lobby/sessions.py",), "Game": ("lobby/",)}


def _instance_model(name: str) -> str | None:
    """The model a variable's name says it holds (a session or launch, a game)."""
    lowered = name.lower()
    if "session" in lowered or "launch" in lowered:
        return "LaunchSession"
    if lowered == "game" or lowered.endswith("_game") or lowered.startswith("game_"):
        return "Game"
    return None


def _receiver_model(node: ast.AST) -> str | None:
    """The model at the root of a chain like `Model.objects.filter(...).update` or `x.launches.create`."""
    while isinstance(node, ast.Attribute | ast.Call | ast.Subscript):
        if isinstance(node, ast.Attribute) and node.attr in RELATED:
            return RELATED[node.attr]
        node = node.func if isinstance(node, ast.Call) else node.value
    if isinstance(node, ast.Name) and node.id in TABLES:
        return node.id
    return None


def writes_in(text: str) -> list[tuple[str, int, str]]:
    """(model, line, source) of every write of LaunchSession or Game the source makes."""
    found = []
    for node in ast.walk(ast.parse(text)):
        if not isinstance(node, ast.Call):
            continue
        func, model = node.func, None
        if isinstance(func, ast.Attribute) and func.attr in WRITES:
            if func.attr in ("save", "delete") and isinstance(func.value, ast.Name):
                model = _instance_model(func.value.id) or _receiver_model(func.value)
            else:
                model = _receiver_model(func.value)
        elif isinstance(func, ast.Name) and func.id in TABLES:
            model = func.id  # an instance built to be saved
        if model is None:
            name = func.attr if isinstance(func, ast.Attribute) else getattr(func, "id", "")
            if any(word in name.lower() for word in HELPER_WORDS):
                handed = [a.id for a in [*node.args, *(k.value for k in node.keywords)]
                          if isinstance(a, ast.Name) and a.id in TABLES]
                model = handed[0] if handed else None
        if model is not None:
            found.append((model, node.lineno, (ast.get_source_segment(text, node) or "")[:80]))
    for match in SQL_WRITE.finditer(text):
        table = match.group(2)
        model = "LaunchSession" if "launchsession" in table.lower() else "Game"
        found.append((model, text.count("\n", 0, match.start()) + 1, match.group(0)[:80]))
    return found


def _sources():
    for path in sorted(ROOT.rglob("*.py")):
        relative = path.relative_to(ROOT)
        parts = relative.parts
        if parts[0] in (".venv", "var", "node_modules") or "migrations" in parts:
            continue
        if parts[0] == "tests" and parts[:2] != ("tests", "thirdprovider"):
            continue  # tests arrange their rows; the test provider package is scanned like any provider
        yield relative.as_posix(), path.read_text()


def test_launch_sessions_and_games_are_written_by_the_lobby_only():
    outside = []
    for relative, text in _sources():
        for model, line, source in writes_in(text):
            if not relative.startswith(ALLOWED[model]):
                outside.append(f"{relative}:{line}: {model}: {source}")
    assert outside == []


def test_the_lobby_itself_is_seen_writing_them():
    """The scan finds the lobby's own writes: the guard above is not passing on an empty search."""
    seen = {model for relative, text in _sources() if relative.startswith("lobby/")
            for model, _line, _source in writes_in(text)}
    assert seen == {"LaunchSession", "Game"}


def test_the_scan_finds_each_kind_of_write():
    samples = {
        "LaunchSession.objects.create(token='t')": "LaunchSession",
        "LaunchSession.objects.filter(pk=1).update(last_seen_at=now)": "LaunchSession",
        "LaunchSession.objects.bulk_create(rows)": "LaunchSession",
        "integration.launches.create(token='t')": "LaunchSession",
        "session.save(update_fields=['url'])": "LaunchSession",
        "launch.delete()": "LaunchSession",
        "LaunchSession(token='t').save()": "LaunchSession",
        "sql.insert(LaunchSession, values)": "LaunchSession",
        "cursor.execute(f'UPDATE {LaunchSession._meta.db_table} SET url = %s')": "LaunchSession",
        "cursor.execute('INSERT INTO lobby_launchsession (token) VALUES (%s)')": "LaunchSession",
        "Game.objects.get_or_create(integration=i, game_id='x')": "Game",
        "Game.objects.update_or_create(game_id='x', defaults={})": "Game",
        "integration.games.update(enabled=False)": "Game",
        "game.save()": "Game",
        "cursor.execute('delete from lobby_game where id = %s')": "Game",
    }
    for source, model in samples.items():
        assert model in {m for m, _line, _text in writes_in(source)}, source


def test_reads_are_not_writes():
    samples = [
        "LaunchSession.objects.filter(token=t).exists()",
        "LaunchSession.objects.filter(pk=1).values_list('game__game_type').first()",
        "Game.objects.filter(game_id__in=codes)",
        "LaunchSession.from_db('default', names, values)",
        "request.session.save()",
        "cursor.execute(f'SELECT id FROM {LaunchSession._meta.db_table} WHERE token = %s')",
        "player.save()",
    ]
    for source in samples:
        assert writes_in(source) == [], source
