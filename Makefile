# The README's two commands are `make run` and `make test`; see docs/operations.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install demo lint bench bench-scale loadtest mutation clean worker beat screenshots

run: demo
	# The sandbox (stand-in providers that move demo money) is on for the run command only.
	SANDBOX_ENABLED=$${SANDBOX_ENABLED:-true} $(PY) manage.py runserver $(HOST):$(PORT)

test: install
	bash scripts/test.sh

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_data --base-url http://$(HOST):$(PORT)

# With CELERY_BROKER_URL set (Redis): the Celery worker and celery-beat, each in its own terminal
# or service. Without a broker, tasks run in-process and neither is needed.
worker: install
	$(VENV)/bin/celery -A config worker -l info

beat: install
	$(VENV)/bin/celery -A config beat -l info --schedule var/celerybeat-schedule

# Needs PostgreSQL on 127.0.0.1 (trust), pgbench, wrk and ../shared/perf/ beside the project; about
# 4 minutes; writes bench/results.md and bench/results.json (see docs/BENCHMARKS.md).
bench: install
	$(PY) bench/seamless.py

# Staff pages, aggregates and checks at production size (issue 24; not in CI): bulk-loads 10M call-history
# rows and 5M game transactions with their ledger into a throwaway database (bo_scale, dropped after),
# then times every admin and report page, reports_rebuild, ledger_check, bets against empty tables, bets/s
# with a staff loop and the retention's drop of a day; writes bench/scale-results.md (see
# docs/BENCHMARKS.md). Smaller: make bench-scale SCALE_ARGS="--calls 1000000 --game-transactions 500000".
# Needs PostgreSQL on 127.0.0.1 (trust), about 8 GB of disk and an hour and a half at 10M (measured).
bench-scale: install
	$(PY) bench/scale.py $(SCALE_ARGS)

# Load, faults and endurance (not in CI; the fault scenarios' short version is): baseline, ramp, hot
# wallet, spike, a 30-minute soak (--soak-minutes), PostgreSQL restarted and Redis stopped on
# private throwaway servers; about 35 minutes; writes bench/loadtest-results.md (docs/LOADTEST.md).
loadtest: install
	$(PY) bench/loadtest.py $(LOADTEST_ARGS)

mutation: install  # slow, not in CI: needs PostgreSQL; writes docs/MUTATION.md (see scripts/mutation.sh)
	bash scripts/mutation.sh

# Rewrites docs/screenshots/ from the browser tests (Chromium at /usr/bin/chromium; each page at
# 1280x800 and, for the player and report pages, on a 390x844 phone: the *-phone.png files).
screenshots: install
	SAVE_SCREENSHOTS=1 bash scripts/test.sh -m browser tests/browser

lint: install
	$(VENV)/bin/ruff check .
	$(VENV)/bin/lint-imports --no-cache

clean:
	rm -rf $(VENV) var/*.sqlite3 mutants
