# Two commands do all set-up on a fresh machine (Python 3.11 and make are all that is needed):
#   make test   unit tests of helpers + nbval over every chapter
#   make book   execute every chapter and build the strict HTML book into _build/html
# Data: set COMPENDIUM_DATA_MIRROR=/path/to/datasets to read a local copy (no network needed);
# otherwise files are downloaded once from their pinned upstream URLs into data/cache/.

PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
# -W: warnings are errors; -n: nitpicky (every cross-reference must resolve); --keep-going: report them all
BOOK_FLAGS ?= -W -n --keep-going

.PHONY: all install test unit nbval book check-charts clean

all: test book

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)

# re-install only when the pinned dependencies change
$(STAMP): pyproject.toml | $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

install: $(STAMP)

unit: $(STAMP)
	$(BIN)/python -m pytest tests

nbval: $(STAMP)
	$(BIN)/python -m pytest --nbval-lax --nbval-current-env chapters

test: unit nbval

# from clean, so that every warning is emitted again and no stale output is published
book: $(STAMP)
	rm -rf _build/html _build/.doctrees _build/jupyter_execute
	$(BIN)/jupyter-book build . $(BOOK_FLAGS)

# headless Debian chromium must find every altair chart of the built book drawn, with no network
check-charts: $(STAMP)
	$(BIN)/python tests/check_charts.py _build/html

clean:
	rm -rf _build
