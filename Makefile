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

.PHONY: setup serve test store clean

setup: $(DEPS)

$(DEPS): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	rm -f $(VENV)/.deps-*
	touch $@

$(STORE)/workforce-kg-store: $(DEPS) $(TTL)
	$(BIN)/workforce-kg build --store $(STORE)

store: $(STORE)/workforce-kg-store

serve: store
	$(BIN)/workforce-kg serve --store $(STORE) --host $(HOST) --port $(PORT)

test: $(DEPS)
	$(BIN)/python -m pytest -q -rs

clean:
	rm -rf $(VENV) $(STORE) build dist
