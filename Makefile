# Lost Generation — build everything with `make all`, test with `make test`.
# Every target tracks its real inputs and outputs: an unchanged step is not redone, a missing,
# truncated or edited output is rebuilt (sha256 stamps kept by the CLI, see below).
#   make all        environment + raw data + tidy tables + executed notebooks + figures
#   make test       `make all`, then ruff and pytest (unit, integration, privacy, determinism)
# Offline: export LOSTGEN_DATA_MIRROR=/path/to/a/copy/of/data/raw (CI: ../shared/data/raw).

PYTHON_BOOT ?= python3
VENV        ?= .venv
PY          := $(VENV)/bin/python
ENV_STAMP   := $(VENV)/.lostgen-installed
MANIFEST    := data/processed/.manifest.json
NOTEBOOKS   := $(sort $(wildcard notebooks/[0-9][0-9]_*.py))
EXECUTED    := $(NOTEBOOKS:notebooks/%.py=build/notebooks/%.ipynb)
# with `make -j2` the longest notebooks should start first: largest source first
EXECUTED_LONGEST_FIRST := $(patsubst notebooks/%.py,build/notebooks/%.ipynb,$(shell ls -S $(NOTEBOOKS)))
LIB_SRC     := $(wildcard src/analysis/*.py)

# A build writes into the checkout it runs in. A copied checkout (`cp -a`, with its .venv) still
# imports the original src/ through the copied editable install: then `analysis` is re-installed
# from this checkout before anything runs (and the CLI refuses to run until it is).
INSTALLED_FROM := $(shell test -x $(PY) && $(PY) -c 'import importlib.util as u; s = u.find_spec("analysis"); print(s.submodule_search_locations[0] if s else "")' 2>/dev/null)
ifneq ($(wildcard $(PY)),)
ifneq ($(realpath $(INSTALLED_FROM)),$(realpath $(CURDIR)/src/analysis))
$(info [env] $(VENV) imports `analysis` from $(or $(INSTALLED_FROM),nowhere), not from $(CURDIR)/src: re-installing it here (make env))
$(ENV_STAMP): FORCE
endif
endif

.PHONY: all env fetch data notebooks figures figures-zh report test lint bench drift lab clean clean-all help FORCE

all: env data notebooks report  ## build everything

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/'

env: $(ENV_STAMP)  ## create .venv and install the pinned packages
$(ENV_STAMP): pyproject.toml requirements/constraints.txt
	@test -x $(PY) || $(PYTHON_BOOT) -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "python3 -m venv failed (Debian: python3-venv missing); using virtualenv"; \
	  $(PYTHON_BOOT) -m pip install --user --quiet virtualenv && $(PYTHON_BOOT) -m virtualenv --quiet $(VENV); }
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -c requirements/constraints.txt -e '.[dev]'
	@touch $@

fetch: $(ENV_STAMP)  ## download (or copy from the mirror) and verify the raw files
	$(PY) -m analysis fetch

data: $(MANIFEST)  ## build data/processed/ (verifies raw sha256 every time)
# The CLI verifies every raw file and rebuilds only when an input changed or an output is
# missing or changed (the manifest records the sha256 of both; an unreadable manifest means
# "rebuild"). The manifest is rewritten only on a rebuild; notebooks re-run when its hash changes.
$(MANIFEST): $(ENV_STAMP) FORCE
	$(PY) -m analysis data

notebooks: $(EXECUTED_LONGEST_FIRST)  ## execute the notebooks, writing figures/
figures: notebooks

figures-zh: $(MANIFEST)  ## every figure with Chinese labels, into figures/zh/ (needs a CJK font)
	LOSTGEN_LANG=zh LOSTGEN_FIGURES=figures/zh LOSTGEN_EXECUTED_NOTEBOOKS=build/notebooks_zh \
	  $(PY) -m analysis notebooks

# Make cannot see a figure deleted or edited in place, so it asks the CLI about every notebook on
# every run (FORCE): the CLI keeps build/notebooks/NN_topic.stamp.json with the sha256 of the
# notebook's inputs (source, data manifest, library, settings) and outputs (.ipynb + each figure
# it wrote) and executes only when one changed or is missing. The .ipynb is rewritten only then,
# so the report (which depends on it) is rebuilt exactly when a notebook re-ran.
build/notebooks/%.ipynb: notebooks/%.py $(MANIFEST) FORCE
	@$(PY) -m analysis notebooks $*

report: report/index.html  ## static site in report/ (opens from disk)
report/index.html: $(EXECUTED) $(MANIFEST) $(LIB_SRC) $(wildcard src/analysis/templates/*) docs/methodology.md data/sources.toml
	$(PY) -m analysis report

# JupyterLab with jupytext: `.py` notebooks open as notebooks (settings in jupyter/overrides.json)
LAB_STAMP := $(VENV)/.lostgen-lab-installed
lab: $(LAB_STAMP) $(MANIFEST)  ## JupyterLab on notebooks/ (installs it once; .py opens as a notebook)
	$(VENV)/bin/jupyter lab --notebook-dir=notebooks $(if $(filter 0,$(shell id -u)),--allow-root)
$(LAB_STAMP): $(ENV_STAMP) requirements/lab-constraints.txt jupyter/overrides.json
	$(PY) -m pip install --quiet -c requirements/constraints.txt -c requirements/lab-constraints.txt -e '.[dev,lab]'
	mkdir -p $(VENV)/share/jupyter/lab/settings
	cp jupyter/overrides.json $(VENV)/share/jupyter/lab/settings/overrides.json
	@touch $@

lint: $(ENV_STAMP)  ## ruff, and the import contracts of pyproject.toml (layers; import-linter)
	$(VENV)/bin/ruff check src tests notebooks scripts
	$(VENV)/bin/lint-imports --no-cache

test: all lint  ## build, then run the test suite
	$(PY) -m pytest

drift: notebooks  ## fail if rebuilt chart data (figures/*.csv) differ from the committed ones
	$(PY) -m analysis drift

bench: $(ENV_STAMP)  ## cold build vs its floor (ratio), no-op and one-notebook rebuilds, cleaning; BENCH_COMPARE=rev adds a before (scripts/bench.py)
	$(PY) scripts/bench.py $(if $(BENCH_COMPARE),--compare $(BENCH_COMPARE))

clean:  ## remove built tables, executed notebooks, report and figure images (keeps raw data)
	rm -rf build report
	find data/processed -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -rf data/.processed-* data/.interim-* data/interim
	rm -f figures/*.png figures/*.svg

clean-all: clean  ## also remove raw downloads and the virtual environment
	find data/raw -mindepth 1 -maxdepth 1 ! -name manual ! -name README.md -exec chmod -R u+w {} + -exec rm -rf {} +
	rm -rf $(VENV)

FORCE:
