# The single entry point. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.DEFAULT_GOAL := help
.PHONY: help install js-install lock run migrate demo test jstest e2e e2e-deps bench soak lint fmt check deploy-check clean

help:
	@echo "make run    install, migrate, load the demo, serve with Daphne on $(HOST):$(PORT)"
	@echo "make test   the whole test suite (SQLite + in-memory layer unless DATABASE_URL/REDIS_URL)"
	@echo "make lint   ruff check + ruff format --check + eslint;  make fmt  to fix the Python"
	@echo "make jstest the reader page's JS unit tests (node --test tests/js), also run by make test"
	@echo "make check  lint, deployment checks and test, as CI does;  make e2e  browser tests only"
	@echo "make lock   re-pin constraints.txt from a fresh venv (after changing pyproject.toml)"
	@echo "make bench  benchmarks: live push (10,000 readers), the reader page (wrk), a reconnect storm"
	@echo "make soak   2,000 readers for 10 minutes with churn, writes, a Redis and a backend restart"

$(BIN)/python:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found: this project needs Python 3.11" >&2; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# constraints.txt pins every package (make lock); make, CI and the image install with it.
$(VENV)/.installed: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --editable ".[dev]"
	@touch $@

install: $(VENV)/.installed

# The JS tooling exactly as package-lock.json pins it: eslint for make lint, axe-core for the
# browser tests' accessibility checks (tests/e2e/test_accessibility.py injects its file into
# the page under test). The reader page's modules themselves are served as they are: no build
# step, nothing from node_modules reaches a page.
node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "npm not found: the JS lint and the browser tests need Node.js 20 and npm" >&2; exit 1; }
	npm ci --no-audit --no-fund
	@touch $@

js-install: node_modules/.installed

# Resolve pyproject.toml's ranges afresh in a throwaway venv and pin the result.
LOCK_VENV := .lock-venv
lock:
	@command -v $(PYTHON) >/dev/null || { echo "$(PYTHON) not found" >&2; exit 1; }
	rm -rf $(LOCK_VENV)
	$(PYTHON) -m venv $(LOCK_VENV)
	$(LOCK_VENV)/bin/python -m pip install --quiet --upgrade pip
	$(LOCK_VENV)/bin/python -m pip install --quiet --editable ".[dev,sentry]"
	{ echo "# Pinned by 'make lock' from pyproject.toml (Python 3.11, Linux). Do not edit by hand."; \
	  $(LOCK_VENV)/bin/python -m pip freeze --exclude-editable; } > constraints.txt
	rm -rf $(LOCK_VENV)

migrate: install
	$(BIN)/python manage.py migrate --noinput

demo: migrate
	$(BIN)/python manage.py load_demo --base-url http://$(HOST):$(PORT)

run: demo
	@echo
	@echo "  Reader page:  http://$(HOST):$(PORT)/live/general-election-2017/"
	@echo "  Results:      http://$(HOST):$(PORT)/results/ge2017/"
	@echo "  Admin:        http://$(HOST):$(PORT)/admin/   (logins: reporter / editor, password above)"
	@echo "  oEmbed:       http://$(HOST):$(PORT)/oembed?url=http://$(HOST):$(PORT)/live/general-election-2017/"
	@echo
	@# The scheduler publishes scheduled posts through the same service as a reporter.
	@# The access log comes from config.observability (an ASGI layer), not from Daphne.
	@trap 'kill $$scheduler 2>/dev/null' EXIT INT TERM; \
	$(BIN)/python manage.py publish_scheduled --loop & scheduler=$$!; \
	$(BIN)/daphne --bind $(HOST) --port $(PORT) --websocket-max-message-size 4096 \
		--access-log /dev/null config.asgi:application

test: export DJANGO_SETTINGS_MODULE = config.settings.test
test: install e2e-deps js-install jstest
	$(BIN)/pytest

# Node's own test runner: no package needed.
jstest:
	@command -v node >/dev/null || { echo "node not found: the JS tests need Node.js 20" >&2; exit 1; }
	node --test tests/js/*.test.js

e2e: export DJANGO_SETTINGS_MODULE = config.settings.test
e2e: install e2e-deps js-install
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
	$(BIN)/python bench/storm.py --readers $(BENCH_READERS) --procs 2

# Soak (not part of make test): readers, churn, writes, a Redis and a backend restart.
SOAK_READERS ?= 2000
SOAK_MINUTES ?= 10
soak: install
	$(BIN)/python bench/soak.py --readers $(SOAK_READERS) --minutes $(SOAK_MINUTES)

lint: install js-install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	node_modules/.bin/eslint .
	$(BIN)/mypy

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# The production settings pass Django's deployment checks with no warning.
deploy-check: install
	DJANGO_SETTINGS_MODULE=config.settings.prod \
	SECRET_KEY="deploy-check-$$($(BIN)/python -c 'import secrets; print(secrets.token_urlsafe(50))')" \
	ALLOWED_HOSTS=live.example.org \
		$(BIN)/python manage.py check --deploy --fail-level WARNING

check: lint deploy-check test

clean:
	rm -rf $(VENV) $(LOCK_VENV) node_modules .pytest_cache .ruff_cache staticfiles .test-media .test-db.sqlite3*
