# The single entry point. `make run` and `make test` work on a fresh machine with Python 3.11.
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000
export DJANGO_SETTINGS_MODULE ?= config.settings.dev

.DEFAULT_GOAL := help
.PHONY: help install run migrate demo test e2e lint fmt check clean

help:
	@echo "make run    install, migrate, load the demo, serve with Daphne on $(HOST):$(PORT)"
	@echo "make test   the whole test suite (SQLite + in-memory layer unless DATABASE_URL/REDIS_URL)"
	@echo "make lint   ruff check + ruff format --check;  make fmt  to fix"
	@echo "make check  lint and test, as CI does"

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
	@echo "  Admin:        http://$(HOST):$(PORT)/admin/   (logins: reporter / editor, password above)"
	@echo
	$(BIN)/daphne --bind $(HOST) --port $(PORT) config.asgi:application

test: export DJANGO_SETTINGS_MODULE = config.settings.test
test: install
	$(BIN)/pytest

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

fmt: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

check: lint test

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache staticfiles .test-media
