# Two commands, both from a fresh clone: `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: run demo test lint bench clean

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $(STAMP)

run: $(STAMP)
	$(BIN)/docexchange run simulations/plan-2008.toml --engine plan --scale 0.05 --out build/runs/plan-2008

demo: $(STAMP)
	$(BIN)/docexchange demo --workdir build/demo

test: $(STAMP)
	$(BIN)/ruff check docexchange tests bench
	$(BIN)/mypy
	$(BIN)/python -m pytest

bench: $(STAMP)
	$(BIN)/python bench/sign_verify.py
	$(BIN)/python bench/network.py
	$(BIN)/python bench/national_year.py
	$(BIN)/python bench/load.py
	$(BIN)/python bench/calibration_sensitivity.py
	$(BIN)/python bench/plan_engine.py
	$(BIN)/python bench/replications.py

clean:
	rm -rf $(VENV) build .pytest_cache .mypy_cache .ruff_cache
