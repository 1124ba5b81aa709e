# Two commands for users: `make lab` (install, then open the workbook) and `make test`
# (install, then run every test). Everything installs into .venv; a stamp keyed on the
# hash of pyproject.toml makes a second install a no-op until the pins change.
SHELL := bash
.SHELLFLAGS := -eu -o pipefail -c
PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell sha256sum pyproject.toml | cut -c1-16)
# JupyterLab refuses to run as root unless told; pass the flag only when needed.
ROOT_FLAG := $(if $(filter 0,$(shell id -u)),--allow-root,)
PORT ?= 8888
LAB_ARGS ?=
export OPENBLAS_NUM_THREADS ?= 1
export MPLBACKEND ?= Agg

.PHONY: lab test install test-oracle exercises grade slides bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.installed-*
	touch $@

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) --port=$(PORT) $(LAB_ARGS) notebooks/00_start_here.ipynb

test: install
	$(BIN)/python -m pytest

# PyTorch as a test-only oracle: installed on request, never by `make test`'s install.
test-oracle: install
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pytest -m oracle tests

bench: install
	$(BIN)/python bench/mlp_speed.py

clean:
	rm -rf $(VENV) build .pytest_cache
