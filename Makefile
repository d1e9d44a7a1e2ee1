# Gongke — two commands: `make run` and `make test`.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
PG_URL ?= postgres://postgres@127.0.0.1:5432/gongke

.PHONY: run test install install-test assets messages extract-messages lint check test-sqlite test-postgres browser clean bench

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip

$(VENV)/.runtime: pyproject.toml | $(BIN)/python
	$(BIN)/pip install -q -e .
	@touch $@

$(VENV)/.test: pyproject.toml $(VENV)/.runtime
	$(BIN)/pip install -q -e '.[test]'
	@touch $@

node_modules/.installed: package.json
	npm install --no-audit --no-fund --loglevel=error
	@touch $@

install: $(VENV)/.runtime assets messages
install-test: $(VENV)/.test assets messages browser

assets: node_modules/.installed
	$(BIN)/python scripts/assets.py

messages: $(VENV)/.runtime
	$(BIN)/python scripts/i18n.py compile

# Developers: refresh the zh_Hans catalogs from the code (needs GNU gettext), then translate.
extract-messages: $(VENV)/.runtime
	$(BIN)/python scripts/i18n.py extract

# Debian's chromium for the browser tests; installed when we are root and it is missing.
browser:
	@if [ ! -x /usr/bin/chromium ]; then \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null; then \
	    (apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq chromium fonts-noto-cjk >/dev/null) \
	      || echo "chromium could not be installed: browser tests will be skipped"; \
	  else echo "No /usr/bin/chromium (install Debian's chromium): browser tests will be skipped"; fi; \
	fi

run: install
	$(BIN)/gongke serve --demo

lint: $(VENV)/.test
	$(BIN)/ruff check gongke tests bench scripts
	$(BIN)/ruff format --check gongke tests bench scripts
	$(BIN)/mypy gongke tests

check: $(VENV)/.test
	GONGKE_DATA_DIR=$$(mktemp -d) $(BIN)/python -m django makemigrations --check --dry-run --settings=gongke.settings

test: install-test
	@bash scripts/test.sh

test-sqlite: install-test
	@ONLY=sqlite bash scripts/test.sh

test-postgres: install-test
	@ONLY=postgres bash scripts/test.sh

bench: install-test
	@echo "See bench/README.md for each benchmark's command."

clean:
	rm -rf $(VENV) node_modules gongke/static/vendor staticfiles
