#!/usr/bin/env bash
# The whole suite on PostgreSQL and Redis (what `make test` and CI run).
#
# With CI=true a missing PostgreSQL or Redis is an error that says how to start it. Elsewhere
# the suite falls back to SQLite (tests marked `postgres` or `redis` are skipped and listed).
set -uo pipefail
cd "$(dirname "$0")/.."
PY=.venv/bin/python
mkdir -p var  # ignored by git: a fresh clone has none, and the logs and the SQLite fallback go there

PG_URL=${TEST_DATABASE_URL:-postgres://postgres@127.0.0.1:5432/backoffice}
REDIS=${TEST_REDIS_URL:-redis://127.0.0.1:6379/15}

pg_up() { $PY - "$PG_URL" <<'PYEOF'
import sys, psycopg, environ
cfg = environ.Env.db_url_config(sys.argv[1])
try:
    psycopg.connect(host=cfg["HOST"], port=cfg["PORT"] or 5432, user=cfg["USER"], password=cfg["PASSWORD"] or None,
                    dbname="postgres", connect_timeout=3).close()
except Exception as exc:
    print(exc, file=sys.stderr); sys.exit(1)
PYEOF
}
redis_up() { $PY -c "import redis,sys; redis.Redis.from_url(sys.argv[1], socket_timeout=3).ping()" "$REDIS" 2>/dev/null; }

if pg_up; then
  export DATABASE_URL=$PG_URL
  echo "test database: PostgreSQL ($PG_URL)"
elif [ "${CI:-}" = "true" ]; then
  echo "ERROR: PostgreSQL is not reachable at $PG_URL." >&2
  echo "Start it with: pg_ctlcluster --skip-systemctl-redirect \$(ls /etc/postgresql) main start" >&2
  exit 2
else
  export DATABASE_URL=sqlite:///$(pwd)/var/test.sqlite3
  echo "WARNING: PostgreSQL not reachable: running on SQLite; tests marked 'postgres' are skipped (listed below)."
fi
if redis_up; then
  export TEST_REDIS_URL=$REDIS
  echo "test redis: $REDIS"
elif [ "${CI:-}" = "true" ]; then
  echo "ERROR: Redis is not reachable at $REDIS." >&2
  echo "Start it with: redis-server --daemonize yes --bind 127.0.0.1 --port 6379 --save '' --appendonly no" >&2
  exit 2
else
  unset TEST_REDIS_URL
  echo "WARNING: Redis not reachable: tests marked 'redis' are skipped."
fi

# Browser tests drive Debian's Chromium (Playwright cannot download its own browser here).
if [ ! -x /usr/bin/chromium ]; then
  if [ "$(id -u)" = "0" ] && command -v apt-get >/dev/null; then
    echo "installing Debian's chromium for the browser tests..."
    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium) >var/apt-chromium.log 2>&1 \
      || { echo "ERROR: apt-get install chromium failed (see var/apt-chromium.log)" >&2; [ "${CI:-}" = "true" ] && exit 2; }
  elif [ "${CI:-}" = "true" ]; then
    echo "ERROR: /usr/bin/chromium is missing: apt-get install chromium (as root)" >&2; exit 2
  fi
fi


.venv/bin/ruff check --quiet . || exit 1
# The architecture's contracts (pyproject.toml [tool.importlinter], docs/architecture.md): layers,
# independent provider packages, a wallet and a core that import nothing above them.
.venv/bin/lint-imports --no-cache || exit 1

# Hypothesis (state machines, fuzzers): a fresh seed each run, printed so that a failure can be
# replayed exactly (HYPOTHESIS_SEED=<seed> bash scripts/test.sh <the failing test>); failing
# examples are also kept in .hypothesis/examples (tests/conftest.py) and printed with a
# @reproduce_failure line.
SEED=${HYPOTHESIS_SEED:-$(( (RANDOM << 15) | RANDOM ))}
export HYPOTHESIS_PROFILE=${HYPOTHESIS_PROFILE:-ci}
echo "hypothesis seed: $SEED (profile $HYPOTHESIS_PROFILE; replay: HYPOTHESIS_SEED=$SEED bash scripts/test.sh ...)"

# On every core (pytest-xdist; TEST_WORKERS=1 runs in one process): a worker takes a whole module
# at a time (loadscope), so a module's fixtures are built once; each worker has its own PostgreSQL
# test database and Redis db (tests/conftest.py).
WORKERS=${TEST_WORKERS:-auto}
if [ "$WORKERS" = "1" ]; then XDIST=(); else XDIST=(-n "$WORKERS" --dist loadscope); fi
$PY -m pytest -rs --hypothesis-seed="$SEED" "${XDIST[@]}" "$@"
status=$?
# pytest's 5 means "no tests ran": that is a failure here, never a pass.
exit $status
