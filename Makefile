# Two commands do everything on a fresh machine: `make run` and `make test`.
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PORT ?= 8000
HOST ?= 127.0.0.1
export PORT HOST

.PHONY: install run test lint bench seed clean android-project backup restore-drill

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -e ".[dev]"
	touch $(STAMP)

install: $(STAMP)

# The portal with its Celery worker and beat, on SQLite and the filesystem broker unless
# DATABASE_URL / REDIS_URL say otherwise.
run: export DEBUG ?= 1
run: install
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py seed_demo
	$(BIN)/python manage.py collectstatic --noinput --verbosity 0
	@echo
	@echo "Portale: http://$(HOST):$(PORT)/  (digita LEPO e accedi con una delle credenziali qui sopra)"
	@echo "Amministrazione: http://$(HOST):$(PORT)/admin/"
	@echo "App Omnibus (avvio come dagli store): http://$(HOST):$(PORT)/?source=app"
	@echo
	PATH="$(CURDIR)/$(BIN):$$PATH" $(BIN)/honcho start -f Procfile

seed: install
	$(BIN)/python manage.py seed_demo

lint: install
	$(BIN)/ruff check .
	$(BIN)/python manage.py makemigrations --check --dry-run

# ruff, migrations in sync, and the whole suite in parallel, on PostgreSQL and Redis when they
# answer (or are given), and only on them with REQUIRE_SERVICES=1. The tests' sessions commit without
# waiting for the disk (synchronous_commit=off: a crash loses the last commits of a test database, nothing else).
test: install
	@eval "$$($(BIN)/python scripts/services.py)" && \
	$(BIN)/ruff check . && \
	$(BIN)/python manage.py makemigrations --check --dry-run && \
	PGOPTIONS="$${PGOPTIONS:--c synchronous_commit=off}" $(BIN)/pytest -n $${PYTEST_WORKERS:-auto} $(PYTEST_ARGS)

# Speed targets of quality.md on a PostgreSQL database of its own; QUICK=1 for a tenth of the size.
bench: install
	@command -v wrk >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk; }
	@eval "$$($(BIN)/python scripts/services.py)" && \
	$(BIN)/python -m bench.run $(if $(QUICK),--quick) $(BENCH_ARGS)

# The Android (Trusted Web Activity) project of the app Omnibus, with Bubblewrap (app/twa/), into app/android/.
# Host, package and key fingerprint from settings (APP_HOST, APP_ANDROID_PACKAGES, APP_ANDROID_FINGERPRINTS)
# or this command line: make android-project HOST=omnibus.example.it PACKAGE=it.omnibus.app FINGERPRINT=AB:CD:...
# (HOST counts only when given here: `make run` uses it for the address it listens on.) See docs/app.md.
android-project: install
	$(BIN)/python manage.py android_project \
	  $(if $(filter command line,$(origin HOST)),--host "$(HOST)") \
	  $(if $(PACKAGE),--package "$(PACKAGE)") $(if $(FINGERPRINT),--fingerprint "$(FINGERPRINT)") \
	  $(if $(VERSION),--version-name "$(VERSION)") $(if $(VERSION_CODE),--version-code "$(VERSION_CODE)")

# PostgreSQL (pg_dump) and the private files into BACKUP_DIR (var/backups), encrypted with BACKUP_PASSPHRASE if
# set, keeping the newest BACKUP_KEEP; then the drill: the latest backup restored into a temporary database,
# checked (migrations, balances, paid positions, certificates) and dropped.
backup: install
	@eval "$$($(BIN)/python scripts/services.py)" && $(BIN)/python manage.py backup

restore-drill: install
	@eval "$$($(BIN)/python scripts/services.py)" && $(BIN)/python manage.py restore_drill

clean:
	rm -rf var/omnibus.sqlite3* var/broker var/static
