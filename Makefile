# Everything is set up on first use: each target creates .venv/ and installs the pins of pyproject.toml.
#   make test    unit tests of helpers + nbval over every chapter
#   make book    execute every chapter and build the strict HTML book into _build/html
#   make student the student edition in _build/student: the book without solutions, one notebook per chapter
#   make lab     open the chapters in JupyterLab (a .md chapter opens as a notebook)
#   make lint    ruff over the Python code (linter, and the formatter's check)
#   make format  ruff format: rewrite the Python code in the house layout
#   make bench   time the speed goals and the models of the scorecard (tools/bench.py -> _build/bench.json)
#   make nbval CHAPTER=chapters/02_interactions.md    run one chapter as a test
# Needs CPython $(PY_MIN) to $(PY_MAX) and make. Data: set COMPENDIUM_DATA_MIRROR=/path/to/datasets to read
# a local copy (no network needed); otherwise files are downloaded once into data/cache/.

# Supported CPython versions: every one for which all pins publish wheels (README, "Python versions").
# Keep in sync with requires-python in pyproject.toml (tests/test_environment.py checks it).
PY_MIN := 3.11
PY_MAX := 3.14
# newest first: the first one found within PY_MIN..PY_MAX is used (override with PYTHON=/path/to/python3.X)
PY_CANDIDATES := python3.14 python3.13 python3.12 python3.11 python3
PY_OK = import sys; v = sys.version_info[:2]; sys.exit(not ($(subst .,$(comma),$(PY_MIN)),) <= v <= ($(subst .,$(comma),$(PY_MAX)),))
comma := ,
PYTHON ?= $(shell for p in $(PY_CANDIDATES); do \
	command -v $$p >/dev/null 2>&1 && $$p -c '$(PY_OK)' 2>/dev/null && { command -v $$p; break; }; done)

VENV       := .venv
BIN        := $(VENV)/bin
STAMP      := $(VENV)/.installed
LAB_STAMP  := $(VENV)/.installed-lab
# -W: warnings are errors; -n: nitpicky (every cross-reference must resolve); --keep-going: report them all
BOOK_FLAGS ?= -W -n --keep-going
# make nbval CHAPTER=chapters/NN_topic.md runs one chapter; make lab CHAPTER=... opens it
CHAPTER    ?=
# extra options for jupyter lab, e.g. LAB_FLAGS="--no-browser --port=8890"
LAB_FLAGS  ?=
# JupyterLab opens text notebooks (.md) with jupytext's notebook view on double click
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

.PHONY: all install install-lab test unit nbval lint format book student bench check-charts check-explorers check-offline lab clean

all: test book

$(BIN)/python:
	@py="$(PYTHON)"; \
	if [ -z "$$py" ] || ! "$$py" -c '$(PY_OK)' 2>/dev/null; then \
	  echo "make: no supported Python found: this project needs CPython $(PY_MIN) to $(PY_MAX)" >&2; \
	  echo "  (looked for $(PY_CANDIDATES) on PATH$${py:+; PYTHON=$$py is not in that range})." >&2; \
	  echo "  Install one, e.g. Debian/Ubuntu: sudo apt-get install python3.12 python3.12-venv;" >&2; \
	  echo "  macOS: brew install python@3.12; or pass PYTHON=/path/to/python3.12." >&2; \
	  exit 1; \
	fi; \
	echo "make: creating $(VENV) with $$py ($$("$$py" --version 2>&1))"; \
	"$$py" -m venv $(VENV) || { rm -rf $(VENV); \
	  echo "make: '$$py -m venv' failed; on Debian/Ubuntu install the venv module:" \
	       "sudo apt-get install python$$("$$py" -c 'import sys; print("%d.%d" % sys.version_info[:2])')-venv" >&2; \
	  exit 1; }

# re-install only when the pinned dependencies change
$(STAMP): pyproject.toml | $(BIN)/python
	@echo "make: installing the pins of pyproject.toml into $(VENV) ($$($(BIN)/python --version))"
	$(BIN)/python -m pip install --quiet -e ".[dev]"
	touch $@

install: $(STAMP)

$(LAB_STAMP): $(STAMP)
	$(BIN)/python -m pip install --quiet -e ".[dev,lab]"
	mkdir -p $(dir $(LAB_OVERRIDES))
	printf '%s\n' '{"@jupyterlab/docmanager-extension:plugin": {"defaultViewers": {"markdown": "Jupytext Notebook", "myst": "Jupytext Notebook"}}}' > $(LAB_OVERRIDES)
	touch $@

install-lab: $(LAB_STAMP)

unit: $(STAMP)
	$(BIN)/python -m pytest tests

nbval: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env $(or $(CHAPTER),chapters)

test: unit nbval

# ruff's linter and its formatter (check only; `make format` rewrites the files)
lint: $(STAMP)
	$(BIN)/python -m ruff check .
	$(BIN)/python -m ruff format --check .

format: $(STAMP)
	$(BIN)/python -m ruff format .

# from clean, so that every warning is emitted again and no stale output is published
book: $(STAMP)
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)

# the student edition (book/course.md): _build/student/html, the book with every solution removed, built from
# the notebooks `make book` executed (nothing is executed again; `make book` runs first if they are missing),
# and _build/student/notebooks, one notebook per chapter without solutions and with an answer cell per exercise
STUDENT := _build/student
student: $(STAMP)
	@test -d _build/jupyter_execute/chapters || $(MAKE) book
	$(BIN)/python tools/student_edition.py notebooks --out $(STUDENT)/notebooks
	$(BIN)/python tools/student_edition.py html-source --executed _build/jupyter_execute --out $(STUDENT)/src
	rm -rf $(STUDENT)/html
	$(BIN)/jupyter-book build $(STUDENT)/src $(BOOK_FLAGS)
	mv $(STUDENT)/src/_build/html $(STUDENT)/html
	@echo "make: student book in $(STUDENT)/html/index.html, notebooks in $(STUDENT)/notebooks/"

# the speed goals and the model timings of the scorecard, timed on this machine, written to _build/bench.json
# (not in CI: wall-clock bounds belong on a quiet machine)
bench: $(STAMP)
	$(BIN)/python tools/bench.py

# headless Debian chromium must find every altair chart of the built book drawn, with no network
check-charts: $(STAMP)
	$(BIN)/python tools/check_charts.py _build/html

# the what-if explorers of chapters 04 and 05, driven in headless chromium by Selenium (needs the Debian
# packages chromium and chromium-driver), show the predictions the chapters recorded from model.predict
check-explorers: $(STAMP)
	$(BIN)/python tools/check_explorers.py _build/html --results _build/results

# no page of the built book loads anything from a CDN or another host
check-offline: $(STAMP)
	$(BIN)/python tools/check_offline.py _build/html

# JupyterLab on the project's environment: the kernel is $(BIN)/python (the chapters' "python3"
# kernelspec resolves to the server's interpreter) and it inherits COMPENDIUM_DATA_MIRROR / COMPENDIUM_OFFLINE.
lab: $(LAB_STAMP)
	@echo "make: JupyterLab with kernel $(BIN)/python ($$($(BIN)/python --version))"; \
	if [ -n "$$COMPENDIUM_DATA_MIRROR" ]; then echo "make: data from the mirror COMPENDIUM_DATA_MIRROR=$$COMPENDIUM_DATA_MIRROR"; \
	else echo "make: COMPENDIUM_DATA_MIRROR is not set: data files are downloaded once into data/cache/"; fi
	JUPYTER_PREFER_ENV_PATH=1 $(BIN)/jupyter lab --ServerApp.root_dir="$(CURDIR)" --LabApp.default_url=/lab/tree/$(or $(CHAPTER),chapters) $(LAB_FLAGS)

clean:
	rm -rf _build
