# The single entry point. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.DEFAULT_GOAL := help
.PHONY: help install run migrate demo test e2e e2e-deps bench soak lint fmt check clean

help:
	@echo "make run    install, migrate, load the demo, serve with Daphne on $(HOST):$(PORT)"
	@echo "make test   the whole test suite (SQLite + in-memory layer unless DATABASE_URL/REDIS_URL)"
	@echo "make lint   ruff check + ruff format --check;  make fmt  to fix"
	@echo "make check  lint and test, as CI does;  make e2e  browser tests only"
	@echo "make bench  benchmarks: live push (10,000 readers) and the reader page (wrk)"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: this project needs Python 3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

$(VENV)/.installed: pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet --editable ".[dev]"
	@touch $@

install: $(VENV)/.installed

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo

run: demo
	@echo
	@echo "  Reader page:  http://$(HOST):$(PORT)/live/general-election-2017/"
	@echo "  Results:      http://$(HOST):$(PORT)/results/ge2017/"
	@echo "  Admin:        http://$(HOST):$(PORT)/admin/   (logins: reporter / editor, password above)"
	@echo
	@# The scheduler publishes scheduled posts through the same service as a reporter.
	@trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py publish_scheduled --loop & scheduler=$$!; \
	$(BIN)/daphne --bind $(HOST) --port $(PORT) --websocket-max-message-size 4096 \
		config.asgi:application

test: export DJANGO_SETTINGS_MODULE = config.settings.test
test: install e2e-deps
	$(BIN)/pytest

e2e: export DJANGO_SETTINGS_MODULE = config.settings.test
e2e: install e2e-deps
	$(BIN)/pytest tests/e2e

# Browser tests drive Debian's chromium through Playwright (it cannot download its own).
e2e-deps:
	@command -v chromium >/dev/null || { \
		[ "$$(id -u)" = 0 ] || { echo "Browser tests need Debian's chromium: sudo apt-get install chromium" >&2; exit 1; }; \
		echo "Installing Debian's chromium for the browser tests"; \
		apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

# Benchmarks: PostgreSQL and Redis on this machine (see BENCHMARKS.md for the figures).
BENCH_READERS ?= 10000
BENCH_POSTS ?= 10
bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && apt-get install -y -qq wrk >/dev/null; }
	$(BIN)/python bench/live_bench.py --server daphne --readers $(BENCH_READERS) --posts $(BENCH_POSTS) --procs 2
	$(BIN)/python bench/live_bench.py --server uvicorn --readers $(BENCH_READERS) --posts $(BENCH_POSTS) --procs 2
	$(BIN)/python bench/page_bench.py

# Soak (not part of make test): readers, churn, writes, a Redis and a backend restart.
SOAK_READERS ?= 2000
SOAK_MINUTES ?= 10
soak: install
	$(BIN)/python bench/soak.py --readers $(SOAK_READERS) --minutes $(SOAK_MINUTES)

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: lint test

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles .test-media .test-db.sqlite3*
