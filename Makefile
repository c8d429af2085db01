# MesoLab: two commands on a fresh machine.
#   make lab    create the environment, install, open the course home page in JupyterLab
#   make test   check the system packages (installs them as root on Debian/Ubuntu, else says the command),
#               create the environment, install, run every test
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
AXE := tests/browser/node_modules/axe-core/axe.min.js
# Run some tests only, e.g. PYTEST_ARGS="tests/test_progress.py -x" (default: every test).
PYTEST_ARGS ?=
# More options for `make lab`, e.g. LAB_ARGS="--no-browser --port 8890" on a server without a desktop.
LAB_ARGS ?=
# JupyterLab refuses to run as root (containers, cloud machines, CI) unless told it may.
ALLOW_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
# nbgrader runs alembic from PATH when it creates a gradebook: the environment's bin/ goes first.
export PATH := $(abspath $(BIN)):$(PATH)
# Prerequisites are made in the order written: the system check stops `make test` before anything else runs.
.NOTPARALLEL:

.PHONY: install lab test test-hub system-packages course-map release figures benchmark clean

install: $(VENV)/.installed

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

lab: install
	$(BIN)/python -m jupyter lab $(ALLOW_ROOT) --ServerApp.root_dir="$(CURDIR)" $(LAB_ARGS) notebooks/00_start_here.ipynb

# Two workers (pytest-xdist): tests sharing a graded course or the JupyterLab server run on the same one.
test: system-packages install $(AXE)
	$(BIN)/python -m pytest -n 2 --dist loadgroup $(PYTEST_ARGS)

system-packages:
	@bash scripts/system-packages

# axe-core (the accessibility checks of the browser tests), pinned by tests/browser/package-lock.json.
$(AXE): tests/browser/package.json tests/browser/package-lock.json
	cd tests/browser && npm ci --no-audit --no-fund --ignore-scripts --loglevel=error
	touch $@

# The cohort on a real JupyterHub (tests/hub): needs root, since it creates unix users (and always deletes them).
# Not part of `make test`, where tests/hub is reported as skipped.
test-hub: install
	$(BIN)/python -m pytest -m hub tests/hub

# Rewrite the course map of notebooks/00_start_here.ipynb and the README's module table from mesolab/modules.yaml.
course-map: install
	$(BIN)/python -m mesolab.home

# Redraw the figures the lessons show and keep their PNGs in mesolab/plots/prerendered/ (commit the result): after
# a change to the drawing code, the domain code or the knowledge base (tests/test_prerendered.py says when).
figures: install
	$(BIN)/python -m mesolab.plots.prerendered

# Regenerate the student versions in release/ from source/ (commit the result).
release: install
	for assignment in source/*/; do \
	  $(BIN)/nbgrader generate_assignment "$$(basename "$$assignment")" --force || exit 1; \
	done

benchmark: install
	$(BIN)/python benchmarks/bench_execution.py
	$(BIN)/python benchmarks/bench_widget.py

clean:
	rm -rf $(VENV) gradebook.db .pytest_cache tests/browser/node_modules
