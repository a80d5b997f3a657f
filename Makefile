# Two entry points for a fresh machine: `make demo` and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
DEMO_VENV ?= .venv-demo
EXAMPLE := examples/
MULTITOOL := .tools/node_modules/@microsoft/sarif-multitool-linux/Sarif.Multitool
CHECKOV := .tools/checkov/bin/checkov

.PHONY: demo test test-fast tools lint bench clean

$(BIN)/costwarden: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

# the demo needs costwarden only: `pip install .` in its own venv, nothing for the tests
$(DEMO_VENV)/bin/costwarden: pyproject.toml
	$(PYTHON) -m venv $(DEMO_VENV)
	$(DEMO_VENV)/bin/python -m pip install --quiet --disable-pip-version-check .
	touch $@

demo: $(DEMO_VENV)/bin/costwarden
	@$(DEMO_VENV)/bin/costwarden scan $(EXAMPLE); code=$$?; \
	  echo "costwarden exited $$code (0 clean, 1 violations at or above --fail-on, 2 input or config errors, 3 internal error)"; \
	  [ $$code -le 1 ]

lint: $(BIN)/costwarden
	$(BIN)/ruff check costwarden tests bench
	$(BIN)/ruff format --check costwarden tests bench
	$(BIN)/mypy

# what the tests start for real, as CI installs them: Prometheus (Debian's package), the SARIF
# Multitool (npm) and Checkov in its own venv
tools:
	@command -v prometheus >/dev/null && command -v promtool >/dev/null || { \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); $$SUDO apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq --no-install-recommends prometheus >/dev/null; }
	@[ -x $(MULTITOOL) ] || npm install --prefix .tools --silent --no-audit --no-fund @microsoft/sarif-multitool@5
	@[ -x $(CHECKOV) ] || { $(PYTHON) -m venv .tools/checkov && \
	  .tools/checkov/bin/pip install --quiet --disable-pip-version-check 'checkov>=3.2,<4'; }

test: tools lint
	$(BIN)/pytest

# everything but the tests that start real Checkov (.ci/run runs them all)
test-fast: lint
	$(BIN)/pytest -m 'not checkov'

bench: $(BIN)/costwarden
	$(BIN)/python bench/bench_scan.py
	$(BIN)/python bench/bench_runtask.py
	$(BIN)/python bench/bench_checkov.py

clean:
	rm -rf $(VENV) $(DEMO_VENV) .pytest_cache .mypy_cache .ruff_cache build *.egg-info
