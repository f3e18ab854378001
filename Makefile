# The two commands: `make run` and `make test`. Everything else here serves them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
export PYTHAINLP_OFFLINE := 1

.PHONY: run test lint install apt-deps bench-deps clean translations

$(STAMP): pyproject.toml constraints.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test]'
	touch $(STAMP)

install: $(STAMP)

run: install
	$(BIN)/pracha migrate
	$(BIN)/pracha seed --demo
	PRACHA_REGISTRY_AUTOSTART=$${PRACHA_REGISTRY_AUTOSTART:-1} $(BIN)/pracha serve --host 127.0.0.1 --port 8000

apt-deps:
	bash scripts/apt-deps.sh

# The benchmarks' load generators: wrk (apt) and Locust (PyPI, pinned in constraints.txt).
bench-deps: install
	bash scripts/apt-deps.sh wrk gcc  # gcc: bench/faults.py builds its clock shim
	$(BIN)/python -m pip install -q -c constraints.txt -e '.[test,bench]'

lint: install
	$(BIN)/ruff check src tests bench
	$(BIN)/lint-imports
	$(BIN)/mypy

translations: install
	bash scripts/update-translations.sh

# PYTHONDONTWRITEBYTECODE emptied: pytest then keeps its rewritten test modules (a seventh of a worker's CPU)
test: install apt-deps lint
	PYTHONDONTWRITEBYTECODE= $(BIN)/python -m pytest -n 2 --dist loadgroup -q --cov --cov-report= --durations=15

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
