# Two commands do everything on a fresh machine (Python 3.11+, make, npm):
#   make book   install into .venv and node_modules, build the book into _build/html
#   make test   everything `make book` does, then the whole test suite
# See README.md. Other targets: serve, lab, bench, lock, clean.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HTML   := _build/html
# Strict: every notebook executed, every page re-read (--all), any warning fails.
BUILD  := $(VENV)/bin/jupyter-book build . --all -W -n --keep-going

.PHONY: book test serve lab clean install lock browser notebook-setup exercises instructor bench

install: $(VENV)/.installed node_modules/.installed

# The whole build and test environment, every package pinned by requirements-lock.txt;
# then the course package itself, editable.
$(VENV)/.installed: requirements-lock.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements-lock.txt
	$(PY) -m pip install --quiet --no-deps -e .
	$(PY) -m pip check
	touch $@

# After changing requirements.txt, requirements-dev.txt or pyproject.toml's dependencies:
# resolve them again into requirements-lock.txt (Python 3.11, Linux), keeping every
# version already locked that still fits (delete the file first to take the newest of
# everything). uv runs from a venv of its own in _build/.
UV_VERSION := 0.13.9
LOCK_TOOL  := _build/lock-tool
lock: $(LOCK_TOOL)/.uv-$(UV_VERSION)
	$(LOCK_TOOL)/bin/uv pip compile requirements-dev.txt --output-file requirements-lock.txt \
	  --python-version 3.11 --python-platform x86_64-unknown-linux-gnu \
	  --no-emit-package track2 --custom-compile-command "make lock" --quiet

$(LOCK_TOOL)/.uv-$(UV_VERSION):
	$(PYTHON) -m venv $(LOCK_TOOL)
	$(LOCK_TOOL)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# The execution cache keys on code cells only: drop it when the data, the package
# or the bibliography change, so the book always shows what the data say now.
_build/.inputs: $(wildcard data/*) $(wildcard track2/*.py) $(wildcard book/*.bib)
	rm -rf _build/.jupyter_cache
	mkdir -p _build && touch $@

book: install _build/.inputs
	$(BUILD)
	@echo "Book built: open $(CURDIR)/$(HTML)/index.html, or run 'make serve'."

# Browser tests drive Debian's Chromium; install it when it is missing.
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium; }

# Where the machine allows it, tests run with networking cut to loopback, so a
# page or notebook that needs the internet fails here rather than for a student.
# Only the test that builds a fresh launch environment (marked `network`) needs
# the package registry; it runs afterwards, outside that namespace.
test: book browser
	@if [ "$$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then \
	  echo "Running the tests with networking cut to loopback"; \
	  unshare -n sh -c 'ip link set lo up && exec $(PY) -m pytest -n 2 --dist loadfile -m "not network"' && \
	  echo "Running the launch-environment test (needs PyPI)" && \
	  $(PY) -m pytest -m network; \
	else \
	  echo "Running the tests (cannot cut networking here: not root or no unshare)"; \
	  $(PY) -m pytest -n 2 --dist loadfile; \
	fi

serve: $(HTML)/index.html
	@echo "Serving the book at http://127.0.0.1:8000/ (Ctrl-C to stop)"
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory $(HTML)

$(HTML)/index.html:
	$(MAKE) book

lab: install
	$(PY) -m pip install --quiet jupyterlab==4.6.6
	$(VENV)/bin/jupyter lab notebooks/

# Exercise notebooks: one source per set in exercises/source/. `make exercises`
# regenerates the student versions in exercises/ (no solutions; commit them);
# `make instructor` writes the instructor versions (with solutions) to _build/instructor/.
exercises: install
	$(PY) -m track2.tools.exercises

instructor: install
	$(PY) -m track2.tools.exercises --instructor _build/instructor

# After changing the repository url or branch in _config.yml: refresh the hidden
# set-up cell (Colab installs the course package from there) in every notebook.
notebook-setup: install
	$(PY) -m track2.tools.setup_cell

# Measures build, notebook, page-weight, widget start-up and launch-environment
# figures against the targets of issue 8 (on a copy; _build is not touched).
# Prints them and writes bench/results.json. See README.md.
bench: install browser
	$(PY) bench/bench.py

clean:
	rm -rf _build
