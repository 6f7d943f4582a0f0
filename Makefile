# make run  — set up everything and serve the demo on http://127.0.0.1:5000
# make test — set up and run the whole test suite
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
# The development set-up runs in debug mode: the default secret key is accepted only there.
FLASK := FLASK_DEBUG=1 $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000

.PHONY: run test setup setup-test migrate seed lint bandit browser-tools e2e-deps translations lock bench clean

$(BIN)/python:
	$(PY) -m venv $(VENV)

$(VENV)/.run-installed: requirements.lock | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements.lock
	touch $@

$(VENV)/.test-installed: requirements-dev.lock | $(BIN)/python
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.lock
	touch $@ $(VENV)/.run-installed

setup: $(VENV)/.run-installed

setup-test: $(VENV)/.test-installed

migrate: setup
	$(FLASK) db upgrade

seed: migrate
	$(FLASK) seed-demo

# Development server: local mail catcher + outbox worker when no SMTP server is configured.
run: seed
	$(FLASK) dev-server --host $(HOST) --port $(PORT)

# The browser tests run too: axe-core and the Nu HTML Checker come from npm (package-lock.json), the browser is the
# system's Chromium. Without them the browser tests are skipped, and this says so loudly (CI sets REQUIRE_E2E=1,
# which turns the skip into a failure).
test: setup-test browser-tools
	@command -v chromium >/dev/null || [ -n "$$CHROMIUM_PATH" ] || printf '\n%s\n%s\n%s\n\n' \
	  '!!!!!!!! NO CHROMIUM: the browser tests (tests/e2e) will be SKIPPED !!!!!!!!' \
	  '!!!!!!!! install it: apt-get install -y --no-install-recommends chromium (or make e2e-deps) !!!!!!!!' \
	  '!!!!!!!! or point CHROMIUM_PATH at a Chromium binary !!!!!!!!' >&2
	$(BIN)/pytest $(PYTEST_ARGS)

# axe-core and vnu-jar, as package-lock.json pins them (a stamp, so that `make test` runs npm only when it changed)
browser-tools: node_modules/.installed

node_modules/.installed: package-lock.json
	@if command -v npm >/dev/null; then npm ci --ignore-scripts --no-audit --no-fund --silent && touch $@; \
	else printf '\n!!!!!!!! NO npm: axe-core and the HTML checker are missing; the browser tests will be SKIPPED !!!!!!!!\n\n' >&2; fi

# Static security checks of the application code: no finding of medium or high severity.
bandit: setup-test
	$(BIN)/bandit -q -r review_app migrations wsgi.py --severity-level medium --confidence-level low

lint: setup-test
	$(BIN)/ruff check .

# Browser and axe-core for the end-to-end tests (Debian's chromium; axe-core from npm).
e2e-deps:
	command -v chromium >/dev/null || (apt-get update -qq && apt-get install -y -qq --no-install-recommends chromium fonts-liberation)
	npm ci --ignore-scripts --no-audit --no-fund --silent && touch node_modules/.installed

# Re-extract the strings, merge them into the de/en catalogues, compile the .mo files (they are committed).
# babel.cfg only matches review_app/ and templates/; .venv and node_modules are not even walked.
# tests/unit/test_translations.py runs this extract line and fails when a string is untranslated.
translations: setup-test
	$(BIN)/pybabel extract -F babel.cfg -k _l -k lazy_gettext --ignore-dirs=".* ._ node_modules" --project=review-app --version=0.1.0 -o review_app/translations/messages.pot .
	$(BIN)/pybabel update -i review_app/translations/messages.pot -d review_app/translations --no-fuzzy-matching --ignore-obsolete
	$(BIN)/pybabel compile -d review_app/translations --statistics

lock: | $(BIN)/python
	$(BIN)/pip install --quiet pip-tools==7.6.2
	$(BIN)/pip-compile --quiet --strip-extras --no-header -o requirements.lock pyproject.toml
	$(BIN)/pip-compile --quiet --strip-extras --no-header --extra test -o requirements-dev.lock pyproject.toml

bench: setup-test
	$(BIN)/python -m bench.run

clean:
	rm -rf $(VENV) node_modules
