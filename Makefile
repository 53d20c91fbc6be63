# The two commands of the README: `make run` serves the registry, `make test` runs the tests.
# Both set up what they need (virtualenv, packages, PostgreSQL) and are safe to repeat.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
PY := $(VENV)/bin/python
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test setup venv db lint fmt lock stop audit bench

venv: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml constraints.txt
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed ($(PYTHON) not found)"; exit 1; }
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade pip
	$(PY) -m pip install -q -c constraints.txt -e ".[dev]"
	touch $@

db: venv
	@if [ -z "$$DATABASE_URL" ]; then $(PY) -m twinning.localdb start; fi

setup: db
	$(PY) manage.py migrate --noinput
	$(PY) manage.py load_starter_data
	DEBUG=1 $(PY) manage.py ensure_local_editor

run: setup
	@echo "Serving the registry on http://$(HOST):$(PORT)/  (admin: http://$(HOST):$(PORT)/admin/)"
	DEBUG=$${DEBUG:-1} $(PY) manage.py runserver $(HOST):$(PORT)

test: db
	bash scripts/test.sh

# db: makemigrations checks the migration history against the database (without one it
# waits 10 s for a connection and warns).
lint: db
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(PY) scripts/dead_code.py
	$(PY) manage.py makemigrations --check --dry-run

# Known vulnerabilities in the pinned dependencies (see README, "Dependencies audit").
audit: venv
	$(PY) scripts/audit.py

fmt: venv
	$(VENV)/bin/ruff check --fix .
	$(VENV)/bin/ruff format .

stop:
	$(PY) -m twinning.localdb stop

# Re-pin the transitive dependencies after changing pyproject.toml.
lock: venv
	$(PY) -m pip freeze --exclude-editable | grep -v '^twinning' > constraints.txt

# The benchmark of docs/PERFORMANCE.md (100,000 partnerships, 15 s per endpoint, 16 connections),
# with Datasette and sqlite-utils side by side (installed into bench/.peer-venv/ when missing;
# --no-peer leaves them out); e.g. `make bench BENCH_ARGS="--partnerships 5000 --duration 3"`.
bench: venv
	$(PY) bench/run.py $(BENCH_ARGS)
