# MesoLab: two commands on a fresh machine.
#   make lab    create the environment, install, open the curriculum in JupyterLab
#   make test   create the environment, install, run every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
# nbgrader runs alembic from PATH when it creates a gradebook: the environment's bin/ goes first.
export PATH := $(abspath $(BIN)):$(PATH)

.PHONY: install lab test test-hub release benchmark clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

lab: install
	$(BIN)/jupyter lab --ServerApp.root_dir=$(CURDIR) notebooks/01_skin_layers.ipynb

test: install
	$(BIN)/python -m pytest

# The cohort on a real JupyterHub (tests/hub): needs root, since it creates unix users (and always deletes them).
# Not part of `make test`, where tests/hub is reported as skipped.
test-hub: install
	$(BIN)/python -m pytest -m hub tests/hub

# Regenerate the student versions in release/ from source/ (commit the result).
release: install
	for assignment in source/*/; do \
	  $(BIN)/nbgrader generate_assignment "$$(basename $$assignment)" --force || exit 1; \
	done

benchmark: install
	$(BIN)/python benchmarks/bench_execution.py
	$(BIN)/python benchmarks/bench_widget.py

clean:
	rm -rf $(VENV) gradebook.db .pytest_cache
