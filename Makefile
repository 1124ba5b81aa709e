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

.PHONY: lab test install test-oracle exercises grade grading-mathjax formgrader slides site bench clean hub hub-install

# jupyterlab-rise's slideshow loads ipywidgets only with the stand-in in tools/slides/rise_console
# (jupyterlab-contrib/rise#119); linked into the environment like `jupyter labextension develop`.
RISE_CONSOLE := $(VENV)/share/jupyter/labextensions/coursekit-rise-console
# JupyterLab's default settings for this environment (tools/lab/overrides.json): no "official
# Jupyter news?" question and no update check on a student's first start; widget messages
# handled by the kernel's main thread, not a subshell's thread, where ipympl's and the
# explorers' matplotlib drawing overlapped the running cells' and crashed the kernel (README).
LAB_OVERRIDES := $(VENV)/share/jupyter/lab/settings/overrides.json

install: $(STAMP) $(LAB_OVERRIDES)
	@test "$$(readlink $(RISE_CONSOLE))" = "$(CURDIR)/tools/slides/rise_console" || \
		(mkdir -p $(dir $(RISE_CONSOLE)) && ln -sfn "$(CURDIR)/tools/slides/rise_console" $(RISE_CONSOLE))

$(LAB_OVERRIDES): tools/lab/overrides.json $(STAMP)
	mkdir -p $(dir $@)
	cp $< $@

$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip==25.3
	$(BIN)/python -m pip install --quiet -e .
	rm -f $(VENV)/.installed-*
	touch $@

lab: install
	$(BIN)/jupyter lab --notebook-dir=notebooks $(ROOT_FLAG) --port=$(PORT) $(LAB_ARGS) notebooks/00_start_here.ipynb

# The offline decks and the site are built first (a build step, not a test) where the browser
# tests can run.
test: install
	@if command -v npm >/dev/null && command -v chromium >/dev/null; then $(MAKE) --no-print-directory site; fi
	@if [ "$$(id -u)" = 0 ] && command -v npm >/dev/null && [ -x /usr/bin/python3.11 ]; then $(MAKE) --no-print-directory hub-install; fi
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory grading-mathjax; fi
	$(BIN)/python -m pytest

# PyTorch as a test-only oracle: installed on request, never by `make test`'s install.
test-oracle: install
	$(BIN)/python -m pip install --quiet torch==2.13.0
	$(BIN)/python -m pytest -m oracle tests

# Each lesson is executed once (tools/slides/execute.py: outputs, widget state, the explorers'
# precomputed frames) into build/executed/, again only when the lesson or coursekit changed;
# the decks and the site render that copy. Two lessons at a time.
EXECUTED := $(patsubst notebooks/%.ipynb,build/executed/%.ipynb,$(wildcard notebooks/*.ipynb))
EXECUTE_DEPS := tools/slides/execute.py $(shell find coursekit -name '*.py' -o -name '*.js')
.PRECIOUS: build/executed/%.ipynb

build/executed/%.ipynb: notebooks/%.ipynb $(EXECUTE_DEPS)
	$(BIN)/python tools/slides/execute.py $< $@

# Offline slide decks (tools/slides): the npm assets are reinstalled when the lockfile changes
# and copied next to the decks; each executed lesson is exported to build/slides/<lesson>.slides.html.
SLIDES_NPM := tools/slides/node_modules/.installed-$(shell sha256sum tools/slides/package-lock.json | cut -c1-16)
SLIDES_ASSETS := build/slides/assets/.copied
SLIDES_DEPS := $(SLIDES_ASSETS) tools/slides/nbconvert_config.py $(wildcard tools/slides/templates/*/*)
DECKS := $(patsubst notebooks/%.ipynb,build/slides/%.slides.html,$(wildcard notebooks/*.ipynb))
SLIDES_JOBS ?= 2

slides: install $(SLIDES_ASSETS)
	$(if $(DECKS),$(MAKE) --no-print-directory -j$(SLIDES_JOBS) $(DECKS),@echo "no lessons in notebooks/")

$(SLIDES_NPM): tools/slides/package-lock.json
	cd tools/slides && npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(SLIDES_ASSETS): $(SLIDES_NPM) tools/slides/assets.py
	$(BIN)/python tools/slides/assets.py build/slides/assets
	touch $@

build/slides/%.slides.html: build/executed/%.ipynb $(SLIDES_DEPS)
	$(BIN)/jupyter nbconvert --config tools/slides/nbconvert_config.py --output-dir build/slides --log-level=WARN $<

# The course site (tools/site, Sphinx + myst-nb): the executed lessons, the decks, the
# exercises and search in build/site/, openable from disk; prints its size and the frames'.
site: slides
	$(BIN)/python -m tools.site.build build/site

bench: install
	$(BIN)/python bench/mlp_speed.py

# Student copies in exercises/ from the sources in solutions/ (nbgrader generate_assignment).
exercises: install
	$(BIN)/python -m tools.grading.release

# Autograde every submission in submitted/<student>/<assignment>/ (override with SUBMISSIONS=dir);
# ASSIGNMENT=06_optimizers grades one assignment (or several, space-separated); JOBS=N keeps at
# most N submissions' kernels alive at once (N > 1 needs root: each job's kernels run under their
# own uid; default: the number of cores as root, else 1). Gradebook, CSVs,
# feedback and report go to build/grading/. MathJax for the feedback pages' maths
# (tools/grading/mathjax) is installed first where npm exists.
SUBMISSIONS ?= submitted
ASSIGNMENT ?=
JOBS ?= $(if $(filter 0,$(shell id -u)),$(shell nproc),1)
GRADING_NPM := tools/grading/mathjax/node_modules/.installed-$(shell sha256sum tools/grading/mathjax/package-lock.json | cut -c1-16)

grading-mathjax: $(GRADING_NPM)

$(GRADING_NPM): tools/grading/mathjax/package-lock.json
	cd tools/grading/mathjax && npm ci --no-audit --no-fund --loglevel=error
	touch $@

grade: install
	@if command -v npm >/dev/null; then $(MAKE) --no-print-directory grading-mathjax; fi
	$(BIN)/python -m tools.grading.grade --submissions $(SUBMISSIONS) --jobs $(JOBS) $(foreach a,$(ASSIGNMENT),--assignment $(a))

# nbgrader's formgrader on the graded course, for the instructor: student outputs cleaned and a
# Content-Security-Policy that lets no script in a notebook run (tools/grading/formgrader.py);
# its MathJax 2 is the decks' npm copy.
formgrader: install $(SLIDES_NPM)
	cd build/grading/course && $(CURDIR)/$(BIN)/jupyter lab $(ROOT_FLAG) --port=$(PORT) $(LAB_ARGS) \
		--config=$(CURDIR)/tools/grading/formgrader_config.py --CourseDirectory.root=$(CURDIR)/build/grading/course \
		--CourseDirectory.course_id=coursekit

# The course on a server (deploy/hub, README "The course on a server"): as root, a JupyterHub
# for the demonstration class (instructor + three students as OS users; passwords printed).
# hub-install copies the course to /opt/coursekit (with MathJax for feedback and the formgrader)
# and builds the environment every user runs (a build step: make test runs it before the tests
# where root and npm are there).
# The proxy (configurable-http-proxy) comes from npm, reinstalled when its lockfile changes.
HUB_NPM := deploy/hub/node_modules/.installed-$(shell sha256sum deploy/hub/package-lock.json | cut -c1-16)
hub: hub-install
	$(BIN)/python -m deploy.hub.demo

hub-install: install $(HUB_NPM) $(GRADING_NPM) $(SLIDES_NPM)
	$(BIN)/python -m deploy.hub.install

$(HUB_NPM): deploy/hub/package-lock.json
	cd deploy/hub && npm ci --no-audit --no-fund --loglevel=error
	touch $@

clean:
	rm -rf $(VENV) build .pytest_cache
