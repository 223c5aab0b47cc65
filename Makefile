# LSP Assess: `make run` and `make test` set everything up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: run run-prod test lint format bootstrap install vendor clean screenshots

# Re-install only when the declared dependencies change.
$(STAMP): pyproject.toml
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

install: $(STAMP)

bootstrap: install
	$(PY) manage.py migrate --no-input
	$(PY) manage.py load_question_bank

run: bootstrap
	$(PY) manage.py seed_demo
	@echo "Serving on http://127.0.0.1:8000 (Ctrl+C to stop)"
	MFA_REQUIRED_ROLES=none $(PY) manage.py runserver 127.0.0.1:8000

# The production configuration on this machine: gunicorn, PostgreSQL, the shared cache and
# the PDF worker (see scripts/run_prod.sh and docs/deploy.md).
run-prod: install
	scripts/run_prod.sh

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run
	$(BIN)/lint-imports

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: bootstrap lint
	$(BIN)/pytest $(PYTEST_ARGS)

# The user guide's pictures (docs/guide/images/), from a fresh demo database in a temporary
# folder, through the system's Chromium; db.sqlite3 is left alone.
screenshots: install
	$(PY) scripts/screenshots.py

# Rebuild static/govuk/ and the tests' axe-core from the pinned npm packages (needs node and npm).
vendor:
	scripts/vendor_frontend.sh
	scripts/vendor_axe.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
