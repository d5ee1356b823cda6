# Two commands that work on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The PostgreSQL half of the tests: a server and a base name. Each test process takes
# (the first time makes) and migrates its own database, test_gw0, test_gw1..., locked
# while the run lasts; the database named here is only connected to. Skipped, with a
# note, when no server answers there; in CI a missing server fails the run.
export PACER_TEST_DATABASE_URL ?= postgresql://postgres@127.0.0.1:5432/test
# Test processes (pytest-xdist): one per core; `make test PYTEST_WORKERS=0` runs in one.
PYTEST_WORKERS ?= auto

.PHONY: run test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/python -m bot $(ARGS)

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy
	$(BIN)/lint-imports

test: lint
	$(BIN)/python -m pytest -n $(PYTEST_WORKERS) --dist worksteal

bench: $(STAMP)
	$(BIN)/python -m bench.core_bench
	$(BIN)/python -m bench.nudge_bench
	$(BIN)/python -m bench.board_bench
	$(BIN)/python -m bench.stats_bench
	$(BIN)/python -m bench.import_bench
	$(BIN)/python -m bench.loop_bench

clean:
	rm -rf $(VENV) .mypy_cache .ruff_cache .pytest_cache
