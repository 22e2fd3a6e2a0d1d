# Two commands do everything on a fresh machine (Python 3.11, Java 17, package registries):
#   make serve   set up, build the store from the bundled graph, serve it on http://127.0.0.1:8000
#   make test    set up and run the tests
# Re-running is fast: the environment is reinstalled only when pyproject.toml changes, and the
# store is rebuilt only when the ontology, graph or shapes change.

PYTHON  ?= python3
VENV    ?= .venv
STORE   ?= .store
HOST    ?= 127.0.0.1
PORT    ?= 8000
BIN      = $(VENV)/bin
DEPS     = $(VENV)/.deps-$(shell cksum pyproject.toml | cut -d' ' -f1)
TTL      = $(shell find ontology graph shapes -name '*.ttl')

WEB_DEPS = web/node_modules/.package-lock.json

.PHONY: setup serve test lint store clean chromium virtuoso

setup: $(DEPS) $(WEB_DEPS)

$(DEPS): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.deps-*
	touch $@

$(WEB_DEPS): web/package-lock.json
	cd web && npm ci --ignore-scripts --no-audit --no-fund --loglevel=error  # prebuilt files only: no install scripts run

# Debian's Chromium for the browser tests (Playwright drives it; no browser download).
chromium:
	@test -x /usr/bin/chromium || { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && apt-get install -y -qq chromium >/dev/null; \
	  else echo "browser tests need Debian's chromium: sudo apt-get install chromium"; fi; }

# Debian's Virtuoso, the external SPARQL server the remote-store tests load and query.
virtuoso:
	@command -v virtuoso-t >/dev/null || { if [ "$$(id -u)" = 0 ]; then apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq virtuoso-opensource >/dev/null; \
	  else echo "remote-store tests need Debian's virtuoso-opensource: sudo apt-get install virtuoso-opensource"; fi; }

$(STORE)/workforce-kg-store: $(DEPS) $(TTL)
	$(BIN)/workforce-kg build --store $(STORE)

store: $(STORE)/workforce-kg-store

serve: store $(WEB_DEPS)
	$(BIN)/workforce-kg serve --store $(STORE) --host $(HOST) --port $(PORT)

test: lint $(WEB_DEPS) chromium virtuoso
	$(BIN)/python -m pytest -q -rs

# Static checks, run first by `make test` (so CI runs them): ruff (lint and format), mypy, and the
# architecture contracts of pyproject.toml (layers, the web framework only under web/, no import cycle).
lint: $(DEPS)
	$(BIN)/ruff check service tests bench tools
	$(BIN)/ruff format --check service tests bench tools
	$(BIN)/mypy
	$(BIN)/lint-imports

clean:
	rm -rf $(VENV) $(STORE) build dist
