# Lost Generation — build everything with `make all`, test with `make test`.
# Every target tracks its real inputs: an unchanged step is not redone.
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
# notebooks re-run when the library they call changes (cleaning code is covered by the manifest)
LIB_SRC     := $(wildcard src/analysis/*.py)

.PHONY: all env fetch data notebooks figures figures-zh report test lint bench drift clean clean-all help FORCE

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
# The CLI verifies every raw file and rebuilds only when an input changed; the manifest's
# mtime changes only on a rebuild, so notebooks are re-run only then.
$(MANIFEST): $(ENV_STAMP) FORCE
	$(PY) -m analysis data

notebooks: $(EXECUTED_LONGEST_FIRST)  ## execute the notebooks, writing figures/
figures: notebooks

figures-zh: $(MANIFEST)  ## every figure with Chinese labels, into figures/zh/ (needs a CJK font)
	LOSTGEN_LANG=zh LOSTGEN_FIGURES=figures/zh LOSTGEN_EXECUTED_NOTEBOOKS=build/notebooks_zh \
	  $(PY) -m analysis notebooks

build/notebooks/%.ipynb: notebooks/%.py $(MANIFEST) $(LIB_SRC)
	$(PY) -m analysis notebooks $*

report: report/index.html  ## static site in report/ (opens from disk)
report/index.html: $(EXECUTED) $(MANIFEST) $(LIB_SRC) $(wildcard src/analysis/templates/*) docs/methodology.md data/sources.toml
	$(PY) -m analysis report

lint: $(ENV_STAMP)  ## ruff
	$(VENV)/bin/ruff check src tests notebooks scripts

test: all lint  ## build, then run the test suite
	$(PY) -m pytest

drift: notebooks  ## fail if rebuilt chart data (figures/*.csv) differ from the committed ones
	$(PY) -m analysis drift

bench: $(ENV_STAMP)  ## timings of cold build, no-op rebuild, cleaning (see scripts/bench.py)
	$(PY) scripts/bench.py

clean:  ## remove built tables, executed notebooks, report and figure images (keeps raw data)
	rm -rf build report
	find data/processed -mindepth 1 ! -name .gitkeep -exec rm -rf {} +
	rm -f figures/*.png figures/*.svg

clean-all: clean  ## also remove raw downloads and the virtual environment
	find data/raw -mindepth 1 -maxdepth 1 ! -name manual ! -name README.md -exec chmod -R u+w {} + -exec rm -rf {} +
	rm -rf $(VENV)

FORCE:
