# LSP Assess: `make run` and `make test` set everything up from nothing.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
PY := $(BIN)/python
STAMP := $(VENV)/.installed

.PHONY: run test lint format bootstrap install vendor clean

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
	$(PY) manage.py runserver 127.0.0.1:8000

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(PY) manage.py makemigrations --check --dry-run

format: install
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

test: bootstrap lint
	$(BIN)/pytest $(PYTEST_ARGS)

# Rebuild static/govuk/ from the pinned npm packages (needs node and npm).
vendor:
	scripts/vendor_frontend.sh

clean:
	rm -rf $(VENV) db.sqlite3 staticfiles
