"""docker-compose.yml's services start against this machine's PostgreSQL and Redis.

No image can be pulled here, so this runs each service's own `command` from the compose file, with
the compose file's own environment, as a local process: only the service host names (`db`,
`redis`) point at 127.0.0.1, the database is the test database, and SECRET_KEY is a test value.
"""

from __future__ import annotations

import os
import re
import secrets
import socket
import subprocess
import sys
import threading
import time
from pathlib import Path

import httpx
import pytest
import yaml
from django.db import connection

pytestmark = [pytest.mark.postgres, pytest.mark.redis, pytest.mark.django_db]

ROOT = Path(__file__).resolve().parent.parent
COMPOSE = yaml.safe_load((ROOT / "docker-compose.yml").read_text())
APP_SERVICES = ("migrate", "web", "backoffice", "worker", "beat")
BIN = Path(sys.executable).parent
WAIT_SECONDS = 90  # generous: CI machines are small and busy


def _interpolate(value: str) -> str:
    """Compose's ${NAME:-default} and ${NAME:?message}: the default, or a test value for a required one."""
    def one(match: re.Match) -> str:
        name, op, rest = match.group(1), match.group(2), match.group(3)
        if name == "SECRET_KEY":
            return "test-" + secrets.token_urlsafe(40)
        return rest if op == ":-" else ""

    return re.sub(r"\$\{(\w+)(:-|:\?)?([^}]*)\}", one, value)


def _local_url(url: str, *, database: str | None = None, redis_db: int | None = None) -> str:
    """The same URL with the compose host names pointing at this machine."""
    if url.startswith("postgres"):
        settings = connection.settings_dict
        return f"postgres://{settings['USER']}@{settings['HOST'] or '127.0.0.1'}:{settings['PORT'] or 5432}/{database}"
    base = os.environ["TEST_REDIS_URL"].rsplit("/", 1)[0]
    return f"{base}/{redis_db}"


def _service_env(name: str, tmp_path: Path) -> dict[str, str]:
    compose_env = {k: _interpolate(str(v)) for k, v in COMPOSE["services"][name]["environment"].items()}
    redis_db = int(os.environ["TEST_REDIS_URL"].rsplit("/", 1)[1])
    compose_env["DATABASE_URL"] = _local_url(compose_env["DATABASE_URL"], database=connection.settings_dict["NAME"])
    compose_env["REDIS_URL"] = _local_url(compose_env["REDIS_URL"], redis_db=redis_db)
    compose_env["CELERY_BROKER_URL"] = _local_url(compose_env["CELERY_BROKER_URL"], redis_db=redis_db)
    compose_env["PROMETHEUS_MULTIPROC_DIR"] = str(tmp_path / "prometheus")
    env = {k: v for k, v in os.environ.items() if k not in ("DJANGO_SETTINGS_MODULE",)}
    env.update(compose_env)
    env["PATH"] = f"{BIN}{os.pathsep}{env.get('PATH', '')}"
    return env


def _command(name: str) -> list[str]:
    command = list(COMPOSE["services"][name]["command"])
    return [str(BIN / command[0]) if (BIN / command[0]).exists() else command[0], *command[1:]]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _stop(process: subprocess.Popen) -> str:
    process.terminate()
    try:
        out, _ = process.communicate(timeout=30)
    except subprocess.TimeoutExpired:
        process.kill()
        out, _ = process.communicate()
    return out or ""


def test_compose_file_has_the_production_services_on_one_image_and_one_environment():
    services = COMPOSE["services"]
    assert set(services) >= {"web", "worker", "beat", "db", "redis", "migrate"}
    environments = [services[name]["environment"] for name in APP_SERVICES]
    assert all(env == environments[0] for env in environments)
    assert environments[0]["DEBUG"] == "false" and "SECRET_KEY" in environments[0]
    assert services["web"]["command"][:3] == ["gunicorn", "-c", "gunicorn.conf.py"]


def _lock_waits() -> list:
    """Who waits for whom on the test database (a diagnosis for a migrate that does not finish)."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT datname, pid, state, wait_event_type, left(query, 200), pg_blocking_pids(pid) "
                       "FROM pg_stat_activity WHERE datname LIKE current_database() || '%' AND pid <> pg_backend_pid()")
        return cursor.fetchall()


def test_migrate_service_command_runs(tmp_path):
    try:
        done = subprocess.run(_command("migrate"), cwd=ROOT, env=_service_env("migrate", tmp_path),
                              capture_output=True, text=True, timeout=WAIT_SECONDS * 2)
    except subprocess.TimeoutExpired as exc:
        raise AssertionError(f"migrate did not finish; sessions on the database: {_lock_waits()}") from exc
    assert done.returncode == 0, done.stderr[-3000:]


def _gunicorn_service(name: str, tmp_path: Path, path: str, inspect=lambda process: None):
    """Start a compose gunicorn service's command on a free port, GET `path` once it answers, call
    `inspect(process)` while it runs; (the answer or None, what inspect gave, the service's output)."""
    env = _service_env(name, tmp_path)
    port = _free_port()
    env.update(GUNICORN_BIND=f"127.0.0.1:{port}", WEB_CONCURRENCY="1")
    host = env["ALLOWED_HOSTS"].split(",")[0]
    process = subprocess.Popen(_command(name), cwd=ROOT, env=env, stdout=subprocess.PIPE,
                               stderr=subprocess.STDOUT, text=True)
    answer, seen = None, None
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and process.poll() is None:
            try:
                answer = httpx.get(f"http://127.0.0.1:{port}{path}", timeout=5,
                                   headers={"Host": host, "X-Forwarded-Proto": "https"})
                break
            except httpx.TransportError:
                time.sleep(0.5)
        seen = inspect(process)
    finally:
        output = _stop(process)
    return answer, seen, output


def test_web_service_serves_healthz_with_database_redis_and_broker(tmp_path):
    answer, _, output = _gunicorn_service("web", tmp_path, "/healthz")
    assert answer is not None, output[-3000:]
    assert answer.status_code == 200, (answer.text, output[-3000:])
    assert answer.json() == {"status": "ok", "database": "ok", "redis": "ok", "broker": "ok"}


def _niceness(process) -> list[int]:
    """The nice value of a process and of each of its children (gunicorn's master and workers)."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    return [os.getpriority(os.PRIO_PROCESS, process.pid), *(os.getpriority(os.PRIO_PROCESS, int(c)) for c in children)]


def test_backoffice_service_serves_staff_pages_from_workers_at_a_lower_cpu_priority(tmp_path):
    """Staff pages have their own service whose workers run at nice 10 (issue 24: staff reads
    cannot starve callbacks): the kernel gives the callbacks' workers the cores first."""
    answer, niceness, output = _gunicorn_service("backoffice", tmp_path, "/admin/login/", inspect=_niceness)
    assert answer is not None, output[-3000:]
    assert answer.status_code == 200, (answer.text[:500], output[-3000:])
    assert "Log in" in answer.text or "Sign in" in answer.text
    assert len(niceness) >= 2 and set(niceness) == {os.getpriority(os.PRIO_PROCESS, 0) + 10}, niceness


def test_worker_service_answers_a_ping(tmp_path):
    env = _service_env("worker", tmp_path)
    worker = subprocess.Popen([*_command("worker"), "--hostname", f"compose-test-{os.getpid()}@%h"], cwd=ROOT,
                              env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    pong = None
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and worker.poll() is None:
            pong = subprocess.run([str(BIN / "celery"), "-A", "config", "inspect", "ping", "--timeout", "3",
                                   "--destination", f"compose-test-{os.getpid()}@{socket.gethostname()}"],
                                  cwd=ROOT, env=env, capture_output=True, text=True, timeout=60)
            if pong.returncode == 0:
                break
            time.sleep(1)
    finally:
        output = _stop(worker)
    assert pong is not None and pong.returncode == 0, output[-3000:]
    assert "pong" in pong.stdout


def test_beat_service_starts_its_schedule(tmp_path):
    env = _service_env("beat", tmp_path)
    command = _command("beat")
    command[command.index("--schedule") + 1] = str(tmp_path / "celerybeat-schedule")
    beat = subprocess.Popen(command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[str] = []
    reader = threading.Thread(target=lambda: lines.extend(beat.stdout), daemon=True)
    reader.start()
    try:
        deadline = time.monotonic() + WAIT_SECONDS
        while time.monotonic() < deadline and beat.poll() is None and not any("beat: Starting" in x for x in lines):
            time.sleep(0.5)
        started = any("beat: Starting" in line for line in lines)
    finally:
        beat.terminate()
        try:
            beat.wait(timeout=30)
        except subprocess.TimeoutExpired:
            beat.kill()
        reader.join(timeout=10)
    assert started, "".join(lines)[-3000:]
