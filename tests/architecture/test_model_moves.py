"""The integration account (lobby -> core) and the games sync's state (transfers -> lobby) moved
with their tables: on a database made before the move, `migrate` keeps every row, and the content
types (so the permissions and the staff groups that hold them) follow the models.

Run in a child process on a throwaway SQLite file (the suite's own database is never touched);
the same migrations were also run on a PostgreSQL database loaded by the old code (docs)."""

import os
import sqlite3
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BEFORE_THE_MOVE = [("lobby", "0008_issue25_currency_and_credentials"), ("wallet", "0010_rare_row_indexes"),
                   ("transfers", "0004_transfer_event_time_index"), ("providers", "0008_calllog_unauthenticated"),
                   ("audit", "0007_historical_accept_bets_in_other_currency"),
                   ("reports", "0003_dailycallstat_unauthenticated")]


def _manage(db: Path, *args: str) -> str:
    env = {**os.environ, "DATABASE_URL": f"sqlite:///{db}", "DJANGO_SETTINGS_MODULE": "config.settings"}
    done = subprocess.run([sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True,
                          timeout=600)
    assert done.returncode == 0, done.stdout[-3000:] + done.stderr[-3000:]
    return done.stdout


def _content_type_as_before(cursor, new_label: str, old_label: str, model: str) -> int:
    """Make the database look as the old code left it: the model's content type under its old app,
    one of its permissions held by a group."""
    new = "SELECT id FROM django_content_type WHERE app_label = ? AND model = ?"
    cursor.execute(f"DELETE FROM auth_group_permissions WHERE permission_id IN (SELECT id FROM auth_permission "
                   f"WHERE content_type_id IN ({new}))", (new_label, model))
    cursor.execute(f"DELETE FROM auth_permission WHERE content_type_id IN ({new})", (new_label, model))
    cursor.execute("DELETE FROM django_content_type WHERE app_label = ? AND model = ?", (new_label, model))
    row = cursor.execute("SELECT id FROM django_content_type WHERE app_label = ? AND model = ?",
                         (old_label, model)).fetchone()
    if row is None:
        cursor.execute("INSERT INTO django_content_type (app_label, model) VALUES (?, ?)", (old_label, model))
    ct = row[0] if row else cursor.lastrowid
    found = cursor.execute("SELECT id FROM auth_permission WHERE content_type_id = ? AND codename = ?",
                           (ct, f"view_{model}")).fetchone()
    if found is None:
        cursor.execute("INSERT INTO auth_permission (name, content_type_id, codename) VALUES (?, ?, ?)",
                       (f"Can view {model}", ct, f"view_{model}"))
    perm = found[0] if found else cursor.lastrowid
    cursor.execute("INSERT INTO auth_group (name) VALUES (?)", (f"old-{model}",))
    cursor.execute("INSERT INTO auth_group_permissions (group_id, permission_id) VALUES (?, ?)", (cursor.lastrowid, perm))
    return ct


def test_migrating_a_database_made_before_the_moves_keeps_rows_and_permissions(tmp_path):
    db = tmp_path / "before.sqlite3"
    for app, migration in BEFORE_THE_MOVE:
        _manage(db, "migrate", app, migration, "--verbosity", "0")
    with sqlite3.connect(db) as conn:
        cursor = conn.cursor()
        cursor.execute("INSERT INTO lobby_integration (provider, code, name, mode, agent_code, sub_agent, api_key, "
                       "secret, secret_set_by, api_base_url, allowed_ips, launch_method, signature_encoding, "
                       "time_zone, accept_unknown_bet_sessions, accept_bets_in_other_currency, enabled, created_at, "
                       "updated_at) VALUES ('onegaming', 'kept-1', '', 'seamless', 'AG', '', '', 's', '', '', '', "
                       "'iframe', 'hex', 'UTC', 0, 0, 1, '2026-01-01', '2026-01-01')")
        integration_ct = _content_type_as_before(cursor, "core", "lobby", "integration")
        synced_ct = _content_type_as_before(cursor, "lobby", "transfers", "syncedgame")
    _manage(db, "migrate", "--verbosity", "0")
    with sqlite3.connect(db) as conn:
        cursor = conn.cursor()
        assert cursor.execute("SELECT code FROM lobby_integration").fetchall() == [("kept-1",)]
        labels = dict(cursor.execute("SELECT id, app_label FROM django_content_type "
                                     "WHERE model IN ('integration', 'syncedgame')").fetchall())
        assert labels == {integration_ct: "core", synced_ct: "lobby"}  # the same rows, renamed
        held = cursor.execute("SELECT g.name, ct.app_label FROM auth_group g JOIN auth_group_permissions gp "
                              "ON gp.group_id = g.id JOIN auth_permission p ON p.id = gp.permission_id JOIN "
                              "django_content_type ct ON ct.id = p.content_type_id WHERE g.name LIKE 'old-%'").fetchall()
        assert sorted(held) == [("old-integration", "core"), ("old-syncedgame", "lobby")]
    out = _manage(db, "shell", "-v", "0", "-c", "from core.models import Integration; print(Integration.objects.get().code)")
    assert out.strip().splitlines()[-1] == "kept-1"


def test_a_fresh_database_has_one_content_type_per_moved_model(tmp_path):
    db = tmp_path / "fresh.sqlite3"
    _manage(db, "migrate", "--verbosity", "0")
    with sqlite3.connect(db) as conn:
        rows = conn.execute("SELECT app_label, model FROM django_content_type "
                            "WHERE model IN ('integration', 'syncedgame') ORDER BY model").fetchall()
    assert rows == [("core", "integration"), ("lobby", "syncedgame")]
