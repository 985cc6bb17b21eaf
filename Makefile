# Two commands do everything on a fresh machine with Python 3.11 and make:
#   make run   — the whole service (web + Celery worker + beat), no external server needed
#   make test  — installs what the tests need and runs them against PostgreSQL and Redis
SHELL := /bin/bash
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
BIND ?= 127.0.0.1:8000

.PHONY: run test lint typecheck check services lock clean messages

$(BIN)/uv:
	@command -v $(PYTHON) >/dev/null 2>&1 || { echo "Python 3.11 is needed (python3.11 not found)"; exit 1; }
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade uv

$(VENV)/.base-installed: requirements/base.txt | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements/base.txt
	@touch $@

$(VENV)/.dev-installed: requirements/dev.txt | $(BIN)/uv
	$(BIN)/uv pip install --quiet --python $(BIN)/python -r requirements/dev.txt
	@touch $@ $(VENV)/.base-installed

run: $(VENV)/.base-installed
	@mkdir -p var
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py migrate --no-input -v 0
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py load_demo_data --if-empty
	DJANGO_SETTINGS_MODULE=config.settings.local $(BIN)/python manage.py collectstatic --no-input -v 0
	@echo ""
	@echo "  mekling is starting on http://$(BIND)/  (health: http://$(BIND)/api/v1/health/, API docs: http://$(BIND)/api/docs/)"
	@echo "  Ctrl-C stops web, worker and beat."
	@echo ""
	PATH="$(abspath $(BIN)):$$PATH" DJANGO_SETTINGS_MODULE=config.settings.local MEKLING_BIND=$(BIND) \
		$(BIN)/honcho start -f Procfile

# axe-core for the page tests, from the npm registry, pinned by tests/pages/package-lock.json.
tests/pages/node_modules/.package-lock.json: tests/pages/package-lock.json
	npm ci --prefix tests/pages --no-audit --no-fund --loglevel=error

test: $(VENV)/.dev-installed tests/pages/node_modules/.package-lock.json
	bash .ci/services.sh
	$(BIN)/pytest $(PYTEST_ARGS)

lint: $(VENV)/.dev-installed
	$(BIN)/ruff format --check .
	$(BIN)/ruff check .

typecheck: $(VENV)/.dev-installed
	$(BIN)/mypy .

check: lint typecheck test

lock: | $(BIN)/uv
	$(BIN)/uv pip compile pyproject.toml -o requirements/base.txt --python-version 3.11 -q
	$(BIN)/uv pip compile pyproject.toml --extra dev -o requirements/dev.txt --python-version 3.11 -q

# Translations: shared strings (API, notices, base pages) in locale/; each audience's pages in
# <app>/pages/locale/ (parents: intake, desk: mediators, inbox: scheduling).
PAGE_DIRS := intake/pages mediators/pages scheduling/pages
messages: $(VENV)/.dev-installed
	$(BIN)/python manage.py makemessages -l nb -l nn -l en --no-obsolete --ignore ".venv/*" \
		$(foreach d,$(PAGE_DIRS),--ignore "$(d)/*")
	for d in $(PAGE_DIRS); do (cd $$d && $(abspath $(BIN))/python $(abspath manage.py) \
		makemessages -l nb -l nn -l en --no-obsolete) || exit 1; done
	$(BIN)/python manage.py compilemessages --ignore ".venv/*" -v 0

clean:
	rm -rf $(VENV) var
