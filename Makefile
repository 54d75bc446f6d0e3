# Servicelead: `make run` to try it, `make test` to test it. See README.md.
PYTHON ?= python3
PIP_VERSION := 26.3
VENV := .venv
BIN := $(VENV)/bin
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: run test install browser lint benchmark loadtest mutants check-gc lock clean

run: install
	@DEBUG=$${DEBUG:-1} $(BIN)/python manage.py migrate --no-input
	@DEBUG=$${DEBUG:-1} $(BIN)/python manage.py seed_demo
	@echo
	@echo "Servicelead is starting on http://$(HOST):$(PORT)/"
	@echo "leader leads a service, member is in a team, colleague reads, admin is an org admin."
	@echo
	@DEBUG=$${DEBUG:-1} $(BIN)/python manage.py runserver $(HOST):$(PORT)

test: install browser
	$(BIN)/pytest -n auto

# The browser tests drive the system's Chromium, never a downloaded one. Where it is missing
# it is installed from Debian's or Ubuntu's packages when apt-get can be used; elsewhere the
# browser tests are skipped with the reason (CI sets BROWSER_TESTS_REQUIRED so they fail).
browser:
	@command -v chromium >/dev/null || ! command -v apt-get >/dev/null || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; elif sudo -n true 2>/dev/null; then SUDO="sudo -n"; \
	  else echo "Chromium is missing and apt-get needs root: the browser tests will be skipped."; exit 0; fi; \
	  echo "Installing Chromium from the distribution's packages for the browser tests"; \
	  { $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; } \
	    || echo "Chromium could not be installed: the browser tests will be skipped."; }

# The GC inventory checks, with every page of every one of its ~1,700 services walked
# (minutes: outside CI). Needs the shared data folder beside the project.
check-gc: install
	GC_FULL_WALK=1 $(BIN)/pytest tests/test_every_page.py tests/performance/imports/test_gc_inventory.py

# Benchmarks and the load test print figures; they assert no times. See docs/benchmarks.md.
benchmark: install
	@DEBUG=$${DEBUG:-1} $(BIN)/python manage.py benchmark

loadtest: install
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --group load
	loadtest/run

# Mutation testing of the modules that compute figures and verdicts ([tool.mutmut] in
# pyproject.toml): prints the score and every surviving mutant (tens of minutes: outside CI).
mutants: install
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --group mutants
	rm -rf mutants
	$(BIN)/mutmut run --max-children 2 > var/mutmut.log 2>&1 || { tail -n 40 var/mutmut.log; exit 1; }
	$(BIN)/mutmut export-cicd-stats
	$(BIN)/python tools/mutation_score.py
	$(BIN)/mutmut results

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports
	$(BIN)/python tools/view_length.py

install: $(VENV)/.installed node_modules/.installed var/assets/govuk-frontend.css

$(VENV)/.installed: pyproject.toml constraints.txt
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "Servicelead needs Python 3.11 or newer; set PYTHON=python3.x")'
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet pip==$(PIP_VERSION)
	$(BIN)/python -m pip install --quiet --constraint constraints.txt --group dev
	@touch $@

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null || { echo "Servicelead needs Node.js and npm for its front-end assets"; exit 1; }
	npm ci --no-audit --no-fund --loglevel=error
	@touch $@

var/assets/govuk-frontend.css: static/scss/govuk-frontend.scss node_modules/.installed
	npm run --silent build

# Re-resolve the whole dependency tree after changing pyproject.toml, and pin it.
lock:
	rm -rf var/lock-venv
	$(PYTHON) -m venv var/lock-venv
	var/lock-venv/bin/python -m pip install --quiet pip==$(PIP_VERSION)
	var/lock-venv/bin/python -m pip install --quiet --group dev --group load --group mutants
	{ echo "# The whole resolved dependency tree, pinned. Regenerate after changing pyproject.toml:"; \
	  echo "#   make lock"; var/lock-venv/bin/python -m pip freeze --exclude pip; } > constraints.txt
	rm -rf var/lock-venv

clean:
	rm -rf $(VENV) node_modules var/static mutants
