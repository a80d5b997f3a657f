# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
EXAMPLE := examples/

.PHONY: demo test test-fast lint bench clean

$(BIN)/costwarden: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

demo: $(BIN)/costwarden
	@$(BIN)/costwarden scan $(EXAMPLE); code=$$?; \
	  echo "costwarden exited $$code (0 clean, 1 violations at or above --fail-on, 2 input or config errors, 3 internal error)"; \
	  [ $$code -le 1 ]

lint: $(BIN)/costwarden
	$(BIN)/ruff check costwarden tests bench
	$(BIN)/ruff format --check costwarden tests bench
	$(BIN)/mypy

test: lint
	$(BIN)/pytest

# everything but the tests that start real Checkov (.ci/run runs them all)
test-fast: lint
	$(BIN)/pytest -m 'not checkov'

bench: $(BIN)/costwarden
	$(BIN)/python bench/bench_scan.py
	$(BIN)/python bench/bench_runtask.py
	$(BIN)/python bench/bench_checkov.py

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
