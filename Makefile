# Fazhi: two commands on a fresh machine with only Python 3.11+:
#   make demo   set up, load the demo data and serve http://127.0.0.1:8000
#   make test   install the test dependencies and run the whole suite (SQLite, and PostgreSQL
#               too when a server answers on 127.0.0.1:5432)
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FAZHI := $(BIN)/fazhi
PG_URL ?= postgres://postgres@127.0.0.1:5432/fazhi
HOST ?= 127.0.0.1:8000

.PHONY: demo serve install install-test test test-sqlite test-postgres test-dates lint docs bench clean

$(BIN)/python:
	$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Fazhi needs Python 3.11 or newer")'
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml $(VENV)/.installed
	$(BIN)/pip install --quiet -e '.[test]'
	touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test

demo: install
	$(FAZHI) migrate --noinput
	$(FAZHI) demo --url http://$(HOST)/
	$(MAKE) --no-print-directory serve

# The web server and, beside it, one background-job worker (imports, exports, bulk publication:
# decision 0014); the worker stops when the server does (Ctrl-C stops both).
serve: install
	@$(FAZHI) db_worker --no-startup-delay & worker=$$!; \
	trap 'kill $$worker 2>/dev/null; wait $$worker 2>/dev/null' EXIT INT TERM; \
	$(FAZHI) runserver $(HOST)

lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy fazhi
	$(BIN)/lint-imports --no-logo
	$(FAZHI) makemigrations --check --dry-run
	$(FAZHI) rules docs --check
	$(FAZHI) workflows docs --check

test-sqlite: install-test
	$(BIN)/pytest -q

test-postgres: install-test
	@if $(BIN)/python scripts/pg_available.py "$(PG_URL)"; then \
		echo "== PostgreSQL answers: running the suite on PostgreSQL =="; \
		FAZHI_TEST_DATABASE_URL="$(PG_URL)" $(BIN)/pytest -q; \
	else \
		echo "== No PostgreSQL on 127.0.0.1:5432: PostgreSQL run skipped =="; \
	fi

# The suite again with the clock at the year's end and start of the last year the calendar knows
# (SQLite, no browser, no LibreOffice): deadlines that run into a year not yet published must still behave.
test-dates: install-test
	@year=$$($(BIN)/python -c 'from chinese_calendar import constants; print(max(d.year for d in constants.holidays))'); \
	for day in $$year-12-28 $$year-01-02; do \
		echo "== the suite with the clock at $$day =="; \
		FAZHI_TEST_TODAY=$$day $(BIN)/pytest -q -m 'not browser and not office' || exit 1; \
	done

test: lint test-sqlite test-postgres test-dates

docs: install
	$(FAZHI) rules docs
	$(FAZHI) workflows docs

bench: install-test
	$(BIN)/python bench/run.py

clean:
	rm -rf $(VENV) var build *.egg-info
