# SalesCycle — `make demo` to try it, `make test` to prove it. See README.md.
SHELL := /bin/bash
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
PIP := $(VENV)/bin/pip
HOST ?= 127.0.0.1
PORT ?= 8000
# The app reads them too: seed_demo greets with this address, e-mails link to it (README).
export HOST PORT
# pytest-xdist workers for `make test`: the fastest measured on two cores; 0 runs in one process
TEST_WORKERS ?= 2

.PHONY: demo test bench bench-quick install install-dev lock messages chromium messages-update lint static serve worker beat clean

## demo: set up everything on SQLite (tasks in process) and serve the app with demo data
demo: install .env messages
	$(PY) manage.py migrate --noinput
	$(PY) manage.py sync_schedules
	$(PY) manage.py seed_demo
	@echo "Serving SalesCycle on http://$(HOST):$(PORT)/ — stop with Ctrl+C."
	$(PY) manage.py runserver $(HOST):$(PORT)

## test: set up the dev tools and run lint, type check, migration check and the whole suite (in parallel)
test: install-dev .env messages chromium
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy
	DJANGO_SETTINGS_MODULE=tests.settings $(PY) manage.py makemigrations --check --dry-run
	$(VENV)/bin/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

## bench: seed 1,000 and 20,000 projects on PostgreSQL once, serve with gunicorn, measure pages,
## jobs and throughput; writes bench/report.md (BENCH_DATABASE_URL, BENCH_REDIS_URL to override)
bench: install .env messages
	$(PY) -m bench $(BENCH_ARGS)

## bench-quick: every measurement at small sizes; fails on an error or a query count growing with N
bench-quick: install .env messages
	$(PY) -m bench --quick $(BENCH_ARGS)

$(VENV)/bin/activate:
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is required ($(PYTHON) not found)."; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(PIP) install --quiet --upgrade pip

# The exact versions (with their hashes) come from the lock files, the app itself after them;
# a changed lock installs again.
$(VENV)/.installed: requirements.lock pyproject.toml | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements.lock
	$(PIP) install --quiet --no-deps -e .
	touch $@

$(VENV)/.installed-dev: requirements-dev.lock pyproject.toml | $(VENV)/bin/activate
	$(PIP) install --quiet -r requirements-dev.lock
	$(PIP) install --quiet --no-deps -e .
	touch $(VENV)/.installed $@

install: $(VENV)/.installed
install-dev: $(VENV)/.installed-dev

## lock: write requirements.lock (runtime) and requirements-dev.lock (runtime and dev) from
## pyproject.toml for Python 3.11, keeping every pin that still fits its range (README,
## Dependencies). LOCK_ARGS=--upgrade moves all to the newest, LOCK_ARGS='-P NAME' one package.
LOCK := $(VENV)/bin/uv pip compile pyproject.toml --quiet --universal --python-version 3.11 \
	--generate-hashes --custom-compile-command 'make lock' $(LOCK_ARGS)
lock: install-dev
	$(LOCK) -o requirements.lock
	$(LOCK) --extra dev -c requirements.lock -o requirements-dev.lock

# Local development settings; the real environment always wins over this file.
.env:
	printf 'DEBUG=true\n' > .env

## messages: compile the committed .po catalogues (installs gettext where it is missing)
messages: $(VENV)/.installed
	@command -v msgfmt >/dev/null || { \
	  echo "gettext (msgfmt) is missing: installing it with apt-get."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq gettext; }
	$(PY) manage.py compilemessages --ignore=.venv --ignore=node_modules -v0

## chromium: the browser the Playwright tests drive (installs Debian's chromium where missing)
chromium:
	@[ -x "$${CHROMIUM_PATH:-/usr/lib/chromium/chromium}" ] || command -v chromium >/dev/null || { \
	  echo "Chromium is missing: installing it with apt-get (the browser tests need it)."; \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium >/dev/null; }

## messages-update: re-extract strings after changing templates or code, then translate
messages-update: install-dev
	$(PY) manage.py makemessages -l zh_Hans -l en --ignore=.venv --ignore=node_modules --ignore=tests --ignore=tools --ignore=bench --no-obsolete
	$(PY) tools/i18n.py fill-english locale/en/LC_MESSAGES/django.po
	$(PY) tools/i18n.py report locale/zh_Hans/LC_MESSAGES/django.po

lint: install-dev
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

static: install
	$(PY) manage.py collectstatic --noinput -v0

## serve: gunicorn (set DATABASE_URL, REDIS_URL, SECRET_KEY, DEBUG=false as for production)
serve: install messages static
	$(PY) manage.py migrate --noinput
	$(PY) manage.py sync_schedules
	GUNICORN_BIND=$(HOST):$(PORT) $(VENV)/bin/gunicorn salescycle.wsgi -c gunicorn.conf.py

## worker / beat: Celery on the broker in REDIS_URL, started again if it dies. No gossip or
## mingle: we use neither. (The reconnect crash in kombu's Redis transport is guarded in
## core/broker.py.)
worker: install
	tools/supervise.sh $(VENV)/bin/celery -A salescycle worker --loglevel=INFO --without-gossip --without-mingle -Q celery,mail

beat: install
	tools/supervise.sh $(VENV)/bin/celery -A salescycle beat --loglevel=INFO

clean:
	rm -rf $(VENV) staticfiles var .pytest_cache .ruff_cache .mypy_cache
