# Scaling Laws book: `make book` builds the site, `make test` runs every test,
# `make unit` runs the library's tests alone.
SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DELETE_ON_ERROR:
MAKEFLAGS += --no-builtin-rules --no-print-directory

# One BLAS thread per process: make runs two chapters (or two test workers) at once on two
# cores, and a fixed thread count keeps floating-point sums, so printed numbers, run to run.
export OMP_NUM_THREADS := 1
export OPENBLAS_NUM_THREADS := 1
export MKL_NUM_THREADS := 1

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
LAB_STAMP := $(VENV)/.lab-installed
BUILD := book/_build
EXEC := $(BUILD)/executed
MATHJAX_VERSION := 3.2.2
MATHJAX := $(BUILD)/npm/node_modules/mathjax/es5
TOOLS := book/_tools/bookbuild.py

SITE := $(BUILD)/html/index.html
#: pytest workers: both cores of the reference machine.
WORKERS ?= 2

.PHONY: book test unit lint setup browser execute html screenshots chapter lab bench constraints clean

## book: set up, execute every chapter with papermill (both cores), build the static site
book: setup
	$(MAKE) -j2 execute
	$(MAKE) html
	@echo "site: $(BUILD)/html/index.html"

## test: build the site (a no-op when it is up to date), then run every test on both cores
test: book browser
	$(PY) -m pytest -n $(WORKERS) --dist worksteal --durations=10

## unit: the library's tests, doctests and project conventions alone (no book, no browser, no slow sweep)
unit: $(STAMP)
	$(PY) -m pytest -n $(WORKERS) --dist worksteal -m "not book and not slow" --durations=10

## lint: ruff's lint and format checks over the library, tests, benchmarks, build tools and chapters; mypy on lawlib/
lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy --cache-dir=/dev/null

setup: $(STAMP) $(MATHJAX)/tex-chtml.js

$(STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[book,test]'
	$(PY) -c 'import matplotlib.pyplot'   # build the font cache now, not inside a chapter
	touch $@ $(LAB_STAMP)

$(MATHJAX)/tex-chtml.js:
	npm install --silent --no-save --no-audit --no-fund --prefix $(BUILD)/npm mathjax@$(MATHJAX_VERSION)
	test -f $@

## browser: Debian's Chromium for the browser test (installed when missing)
browser:
	@command -v chromium >/dev/null || { \
	  SUDO=$$([ "$$(id -u)" = 0 ] || echo sudo); \
	  $$SUDO apt-get update -qq && $$SUDO apt-get install -y -qq chromium >/dev/null; }
	@chromium --version

ifneq ($(wildcard $(PY)),)
NOTEBOOKS := $(shell $(PY) $(TOOLS) chapters)
#: What every executed chapter depends on besides itself: the library, the data, the pinned
#: versions (the same list the chapter tests use to call an executed chapter stale).
INPUTS := $(shell $(PY) $(TOOLS) inputs)
endif
EXECUTED := $(patsubst book/%,$(EXEC)/%,$(NOTEBOOKS))
#: Everything in book/ that the site shows besides the executed chapters.
PAGES := $(shell find book -path book/_build -prune -o -name '.*' -prune -o -name __pycache__ -prune -o -type f ! -name '*.ipynb' ! -name '*.pyc' -print)

execute: $(EXECUTED)

$(EXEC)/%.ipynb: book/%.ipynb $(INPUTS) | $(STAMP)
	$(PY) $(TOOLS) execute $< $@

html: $(SITE)

# The single-page build is printed to the book's PDF with Chromium, then the site is built
# with the PDF in its root.
$(SITE): $(EXECUTED) $(PAGES) | $(MATHJAX)/tex-chtml.js browser
	$(PY) $(TOOLS) stage $(MATHJAX)
	$(VENV)/bin/jupyter-book build $(EXEC) --builder singlehtml --path-output book -W -n --keep-going
	$(PY) book/_tools/sitecheck.py pdf
	$(VENV)/bin/jupyter-book build $(EXEC) --path-output book -W -n --keep-going
	touch $@

## screenshots: every page of the built site at 1280 and 400 px, into book/_build/screenshots/
screenshots: $(SITE) browser
	$(PY) book/_tools/sitecheck.py screenshots

## lab (or chapter): run one chapter with other parameters, e.g. make lab NB=book/fitting_power_laws.ipynb PARAMS='-p seed 7'
## Sets up only what a lab needs (lawlib, papermill, a kernel); writes a new notebook per run.
lab chapter: $(LAB_STAMP)
	@test -n "$(NB)" || { echo "usage: make lab NB=book/<chapter>.ipynb PARAMS='-p name value ...'"; exit 2; }
	@$(PY) $(TOOLS) lab $(NB) $(PARAMS)

# A lab's environment: the library with papermill and a kernel (the `lab` extra), no Jupyter
# Book, MathJax or browser. `make book` installs a superset.
$(LAB_STAMP): pyproject.toml constraints.txt
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check -c constraints.txt -e '.[lab]'
	touch $@

## bench: speed of lawlib's fitters against straightforward references (ratios, same process)
bench: setup
	$(PY) benchmarks/bench_powerlaw.py
	$(PY) benchmarks/bench_chinchilla.py $(BENCH_ARGS)
	$(PY) benchmarks/bench_toy.py
	$(PY) benchmarks/bench_filtering.py

## constraints: pin what the build installs to the newest versions the registries offer now
## (a fresh environment resolved without the pins, frozen); then run `make test` before committing.
constraints:
	rm -rf $(BUILD)/constraints-venv
	$(PYTHON) -m venv $(BUILD)/constraints-venv
	$(BUILD)/constraints-venv/bin/pip install --quiet --disable-pip-version-check '.[book,test]'
	{ head -2 constraints.txt; $(BUILD)/constraints-venv/bin/pip freeze --exclude-editable | grep -v '^scaling-lawlib'; } > constraints.tmp
	mv constraints.tmp constraints.txt
	rm -rf $(BUILD)/constraints-venv

clean:
	rm -rf $(BUILD)
