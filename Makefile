# The README's two commands are `make run` and `make test`; see docs/operations.md.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install demo lint bench mutation clean

run: demo
	$(PY) manage.py runserver $(HOST):$(PORT)

test: install
	bash scripts/test.sh

install: $(STAMP)

$(STAMP): requirements.txt requirements-dev.txt
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	touch $(STAMP)

demo: install
	$(PY) manage.py migrate --noinput
	$(PY) manage.py demo_data

bench: install  # needs PostgreSQL on 127.0.0.1 and pgbench; writes bench/results.md
	$(PY) bench/seamless.py

mutation: install  # slow, not in CI: needs PostgreSQL; writes docs/MUTATION.md (see scripts/mutation.sh)
	bash scripts/mutation.sh

lint: install
	$(VENV)/bin/ruff check .

clean:
	rm -rf $(VENV) var/*.sqlite3 mutants
