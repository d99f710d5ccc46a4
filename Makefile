# Two commands do everything on a fresh machine (Python 3.11+, make, Node.js 22.12+ with npm):
#   make book   install into .venv and node_modules, build the book into _build/html
#   make test   everything `make book` does, then the whole test suite
#   make check  the quick loop while editing, after `make book` (under a minute)
#   make editions  the whole course as a PDF and an EPUB, served by the site (make book rebuilds them when stale)
# See README.md. Other targets: install, assets, translations, gettext, catalogues, package-catalogues, check, serve, lab, pdf, epub,
# exercises, instructor, nbgrader,
# notebook-setup, student-tree, browser, sandbox, bench, screenshots, lock, envs, hub-env,
# colab-env, node-version, clean.

PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
HTML   := _build/html
# Strict: every notebook executed, every page re-read (--all), any warning fails.
BUILD  := $(VENV)/bin/jupyter-book build . --all -W -n --keep-going

.PHONY: book assets test serve lab clean install lock browser sandbox notebook-setup exercises instructor bench envs hub-env colab-env screenshots check node-version editions pdf epub

install: $(VENV)/.installed node_modules/.installed

# The whole build and test environment, every package pinned by requirements-lock.txt;
# then the course package itself, editable.
$(VENV)/.installed: requirements-lock.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet --require-hashes -r requirements-lock.txt
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
	  --no-emit-package track2 --generate-hashes --custom-compile-command "make lock" --quiet

$(LOCK_TOOL)/.uv-$(UV_VERSION):
	$(PYTHON) -m venv $(LOCK_TOOL)
	$(LOCK_TOOL)/bin/python -m pip install --quiet uv==$(UV_VERSION)
	touch $@

node_modules/.installed: package.json package-lock.json | node-version
	npm ci --no-audit --no-fund --ignore-scripts
	touch $@

# package.json's "engines" names the oldest Node.js the front-end packages support (npm
# warns below it: configurable-http-proxy's commander needs 22.12). Says so plainly, then
# carries on (the build itself has run on Node.js 20).
NODE_CHECK = const want = require("./package.json").engines.node.replace(/^>=\s*/, ""); \
  const [have, need] = [process.versions.node, want].map(v => v.split(".").map(Number)); \
  const older = have[0] - need[0] || have[1] - need[1] || (have[2] || 0) - (need[2] || 0); \
  if (older < 0) console.error(`WARNING: Node.js $${process.versions.node} is older than package.json requires ` + \
    `(engines: node >=$${want}): npm warns about it, and the JupyterHub class test may fail. ` + \
    `Install Node.js $${want} or later (https://nodejs.org, or: nvm install 22).`)
node-version:
	@command -v node >/dev/null || { echo "Node.js is not installed: install Node.js 22.12 or later (with npm)" >&2; exit 1; }
	@node -e '$(NODE_CHECK)'

# The execution cache keys on code cells only: drop it when the data, the package (its
# tools included), the exercise sources (the quick checks' questions) or the bibliography
# change, so the book always shows what the data and the questions say now.
_build/.inputs: $(wildcard data/*) $(wildcard track2/*.py) $(wildcard track2/tools/*.py) \
                $(wildcard exercises/source/*) $(wildcard book/*.bib) $(wildcard track2/locale/*/LC_MESSAGES/*.mo)
	rm -rf _build/.jupyter_cache $(LANG_BUILD)/*/_build/.jupyter_cache
	mkdir -p _build && touch $@

# Front-end files built outside Sphinx by npm scripts (package.json), into _build/assets/static/,
# which the course extension adds to the book's static files (book/_ext/course/offline_assets.py):
# the widget bundle (esbuild; widgets_bundle/widgets.json lists its classes) and the theme's
# stylesheet with its icon fonts subset (HarfBuzz; icon_fonts/icons.json lists the icons). Each is
# rebuilt only when its inputs change: its sources, the npm packages, or the installed theme.
ASSETS        := _build/assets/static
WIDGET_BUNDLE := $(ASSETS)/offline/widgets/track2-widgets.js
ICON_CSS      := $(ASSETS)/styles/pydata-sphinx-theme.css
THEME_FILES    = $(shell $(PY) -c 'import pathlib, pydata_sphinx_theme as p, sphinx_book_theme as b; \
                   print(pathlib.Path(p.__file__).parent / "theme/pydata_sphinx_theme/static", \
                         pathlib.Path(b.__file__).parent / "theme/sphinx_book_theme/static/styles/sphinx-book-theme.css")')
assets: $(WIDGET_BUNDLE) $(ICON_CSS)

$(WIDGET_BUNDLE): $(wildcard book/_ext/course/widgets_bundle/*) package-lock.json node_modules/.installed
	npm run --silent build:widgets

$(ICON_CSS): $(wildcard book/_ext/course/icon_fonts/*) package-lock.json node_modules/.installed $(VENV)/.installed
	npm run --silent build:icons -- $(THEME_FILES)

# The English book (the site's root, `make english`) and each translated book (`make translations`)
# are independent builds, each with its own execution cache, so they run side by side, as many at
# once as the machine has CPUs (BUILD_JOBS; under `make -jN`, as `make test` runs it, make's own N).
# The site links the offline editions from every page, so `make book` then (re)builds them when
# they are missing or older than what they are made from (a few minutes, the PDF and the EPUB side
# by side; nothing when they are current): the book it leaves has no dead link.
BUILD_JOBS ?= $(shell nproc 2>/dev/null || echo 2)
PARALLEL    = $(if $(filter -j%,$(MAKEFLAGS)),,-j$(BUILD_JOBS))
.PHONY: english
book: install assets _build/.inputs
	@$(MAKE) --no-print-directory $(PARALLEL) english translations
	@$(MAKE) --no-print-directory $(PARALLEL) $(EDITION_FILES)
	@echo "Book built: open $(CURDIR)/$(HTML)/index.html, or run 'make serve'."

english: install assets _build/.inputs
	$(BUILD)

# Translated editions (issue 28). The languages the site publishes are _config.yml's
# track2_published_languages (one list; book/_ext/course/translations.py, tests/test_i18n.py read it).
# Each is built as strictly as the English book, with Sphinx's language set and the page
# catalogues locale/<lang>/LC_MESSAGES/<page>.po applied, in _build/lang/<lang>/, and copied
# into the site as $(HTML)/<lang>/; its notebooks run with TRACK2_LANG=<lang>, so the track2
# package's widget labels, quick checks and feedback are in that language too
# (track2/locale/<lang>/LC_MESSAGES/track2.po). Each language keeps its own execution cache
# (the outputs differ by language; _build/.inputs drops them all with the English one).
# After changing English text: `make catalogues` (see CONTRIBUTING.md).
LANG_BUILD  := _build/lang
LANGUAGES   := $(shell sed -n 's/^ *track2_published_languages: *\[\(.*\)\].*/\1/p' _config.yml | tr ',' ' ')
CATALOGUES  := $(patsubst locale/%/LC_MESSAGES,%,$(wildcard locale/*/LC_MESSAGES))
GETTEXT     := _build/gettext
PYBABEL     := $(VENV)/bin/pybabel
.PHONY: translations gettext catalogues package-catalogues $(addprefix translation-,$(CATALOGUES))
translations: $(addprefix translation-,$(LANGUAGES))

$(LANG_BUILD)/%/_config.yml: _config.yml book/_ext/course/translations.py | install
	$(PY) book/_ext/course/translations.py config $* $@

$(addprefix translation-,$(CATALOGUES)): translation-%: install assets _build/.inputs $(LANG_BUILD)/%/_config.yml
	TRACK2_LANG=$* $(BUILD) --config $(LANG_BUILD)/$*/_config.yml --path-output $(LANG_BUILD)/$*
	rm -rf $(HTML)/$* && cp -r $(LANG_BUILD)/$*/_build/html $(HTML)/$*

# The English text's messages, one .pot per page (Sphinx's gettext builder), reusing the
# book's execution cache; then every catalogue brought up to date with them (sphinx-intl
# for the pages; Babel for the track2 package's strings and the quick checks' questions,
# whose .mo files are compiled here and committed with the .po files).
gettext: install assets _build/.inputs
	rm -rf $(GETTEXT) && mkdir -p $(GETTEXT)/_build _build/.jupyter_cache
	ln -s $(CURDIR)/_build/.jupyter_cache $(GETTEXT)/_build/.jupyter_cache
	$(VENV)/bin/jupyter-book build . --all --path-output $(GETTEXT) --builder custom --custom-builder gettext

catalogues: gettext
	$(VENV)/bin/sphinx-intl update -p $(GETTEXT)/_build/gettext -d locale $(addprefix -l ,$(CATALOGUES))
	@$(MAKE) --no-print-directory package-catalogues

# The track2 package's part of `make catalogues` alone (seconds: no book is built): its template
# track2/locale/track2.pot extracted again, each language's track2.po updated from it, and compiled.
package-catalogues: install
	$(PYBABEL) extract -F track2/locale/babel.cfg --no-location --sort-output --project track2 \
	  -k N_ -o track2/locale/track2.pot $(shell $(PY) -c 'from track2.i18n import MESSAGE_SOURCES; print(*MESSAGE_SOURCES)')
	$(foreach l,$(CATALOGUES),$(PYBABEL) -q update --init-missing -D track2 -i track2/locale/track2.pot \
	  -d track2/locale -l $(l) &&) true
	$(PYBABEL) compile --statistics -D track2 -d track2/locale

# The offline editions (issue 28): the whole course as an EPUB (Sphinx's epub builder) and a PDF
# (Sphinx's singlehtml builder, printed by Chromium when the build finishes), made as strictly as
# the book by book/_ext/course/editions.py (widgets as static views, the quick checks' answers at the
# back), from _toc.yml plus that appendix. Each is built in a folder of its own (two builders
# cannot share one _build) that reuses the book's execution cache, so no notebook runs again.
# They are copied into the site ($(HTML)/editions/), where the home page and every page's
# download menu link them: `make book` (so `make editions` and `make test` too) rebuilds them
# whenever they are missing or older than their sources, `make check` when they are missing;
# `make pdf` or `make epub` rebuilds one regardless.
EDITIONS      := _build/editions
EDITION_NAME  := $(shell sed -n 's/^ *epub_basename: *//p' _config.yml)
EDITION_BUILD := $(VENV)/bin/jupyter-book build . --all -W -n --keep-going --toc $(EDITIONS)/_toc.yml
# $(1): the edition's build folder, emptied, with the book's execution cache linked in
edition_folder = rm -rf $(1) && mkdir -p $(1)/_build _build/.jupyter_cache && ln -s $(CURDIR)/_build/.jupyter_cache $(1)/_build/.jupyter_cache

$(EDITIONS)/_toc.yml: _toc.yml book/_ext/course/editions.py | install
	$(PY) book/_ext/course/editions.py toc $@

epub: install assets _build/.inputs $(EDITIONS)/_toc.yml
	$(call edition_folder,$(EDITIONS)/epub)
	$(EDITION_BUILD) --path-output $(EDITIONS)/epub --builder custom --custom-builder epub
	mkdir -p $(HTML)/editions && cp $(EDITIONS)/epub/_build/epub/$(EDITION_NAME).epub $(HTML)/editions/

pdf: install assets browser _build/.inputs $(EDITIONS)/_toc.yml
	$(call edition_folder,$(EDITIONS)/pdf)
	$(EDITION_BUILD) --path-output $(EDITIONS)/pdf --builder singlehtml
	mkdir -p $(HTML)/editions && cp $(EDITIONS)/pdf/_build/singlehtml/$(EDITION_NAME).pdf $(HTML)/editions/

# `make book` builds them (they read its execution cache); under -j (as `make test` runs it)
# the PDF and the EPUB are built side by side, each in a folder of its own.
editions: book
	@echo "Editions built: $(HTML)/editions/$(EDITION_NAME).pdf and .epub"

# The editions in the site, rebuilt by `make book` when any source of the book is newer
# (_build/.inputs stands for the data, the package and the exercise sources).
EDITION_FILES  := $(HTML)/editions/$(EDITION_NAME).pdf $(HTML)/editions/$(EDITION_NAME).epub
EDITION_INPUTS := _toc.yml _config.yml _build/.inputs \
  $(shell find book notebooks exercises -type f \( -name '*.md' -o -name '*.ipynb' -o -name '*.py' -o -name '*.css' \
    -o -name '*.bib' -o -name '*.html' \) -not -path '*/node_modules/*' 2>/dev/null)
$(HTML)/editions/$(EDITION_NAME).pdf: $(EDITION_INPUTS) | $(HTML)/index.html
	$(MAKE) --no-print-directory pdf
$(HTML)/editions/$(EDITION_NAME).epub: $(EDITION_INPUTS) | $(HTML)/index.html
	$(MAKE) --no-print-directory epub

# Two more environments the tests use, installed here because the tests run with
# networking cut (issue 15):
#   _build/hub-env    JupyterHub and a student's server as deploy/image/requirements.txt pins
#                     them (tests/test_hub.py installs the course package, built from the
#                     working tree, into it; configurable-http-proxy comes from npm);
#   _build/colab-env  Google Colab's Python and preinstalled pandas, numpy, IPython and
#                     ipykernel (requirements-colab.txt), the oldest the course supports, and
#                     the course package installed without upgrading them (tests/test_colab.py).
HUB_ENV   := _build/hub-env
COLAB_ENV := _build/colab-env
# Colab runs Python 3.12: the first python3.12 that runs (pyenv's if it is not on PATH)
COLAB_PYTHON ?= $(or $(shell for p in python3.12 $(wildcard $(HOME)/.pyenv/versions/3.12*/bin/python3.12); do \
                  $$p -c '' 2>/dev/null && { echo $$p; break; }; done),$(PYTHON))

envs: hub-env colab-env
hub-env: $(HUB_ENV)/.installed
colab-env: $(COLAB_ENV)/.installed

$(HUB_ENV)/.installed: deploy/image/requirements.txt
	rm -rf $(HUB_ENV)
	$(PYTHON) -m venv $(HUB_ENV)
	$(HUB_ENV)/bin/python -m pip install --quiet --upgrade pip
	grep -v '^track2 @' deploy/image/requirements.txt > $(HUB_ENV)/requirements.txt
	$(HUB_ENV)/bin/python -m pip install --quiet -r $(HUB_ENV)/requirements.txt
	$(HUB_ENV)/bin/python -m pip check
	touch $@

$(COLAB_ENV)/.installed: requirements-colab.txt pyproject.toml
	rm -rf $(COLAB_ENV)
	$(COLAB_PYTHON) -m venv $(COLAB_ENV)
	$(COLAB_ENV)/bin/python -m pip install --quiet -r requirements-colab.txt
	# pip must accept Colab's versions as they are (pyproject.toml's oldest versions)
	$(COLAB_ENV)/bin/python -m pip install --quiet --constraint requirements-colab.txt -e .
	$(COLAB_ENV)/bin/python -m pip check
	touch $@

# Debian packages the tests need are installed when missing; apt-get waits for another apt-get
# (say, a second `make` in another checkout) to release dpkg's lock instead of failing at once.
APT_WAIT := -o DPkg::Lock::Timeout=600
# Browser tests drive Debian's Chromium, and the W3C checker needs Java; install them when missing.
browser:
	@command -v chromium >/dev/null || { \
	  echo "Installing Debian's chromium for the browser tests"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get $(APT_WAIT) update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get $(APT_WAIT) install -y -qq chromium; }
	@command -v java >/dev/null || { \
	  echo "Installing Debian's Java runtime for the W3C Nu HTML checker (tests/test_site_pages.py)"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get $(APT_WAIT) update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get $(APT_WAIT) install -y -qq default-jre-headless; }

# Autograding runs every submission's kernel in bubblewrap (track2/tools/sandbox.py) and
# refuses to run without it; install Debian's package when it is missing.
sandbox:
	@command -v bwrap >/dev/null || { \
	  echo "Installing Debian's bubblewrap for the grading sandbox"; \
	  SUDO=$$( [ "$$(id -u)" = 0 ] || echo sudo ); \
	  $$SUDO apt-get $(APT_WAIT) update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get $(APT_WAIT) install -y -qq bubblewrap; }

# Where the machine allows it, tests run with networking cut to loopback, so a
# page or notebook that needs the internet fails here rather than for a student.
# Only the test that builds a fresh launch environment (marked `network`) needs
# the package registry; it runs outside that namespace, beside the others (it spends
# much of its time waiting on downloads), its output in $(NETWORK_LOG), printed when it
# ends. The JupyterHub class test (marked `hub`) runs on its own after the others, so
# that its timing is the class's alone.
# A student whose kernel websocket closes mid-class reconnects to it (tests/hubclass.py).
HUB_TEST := $(PY) -m pytest -p no:xdist -m hub tests/test_hub.py
NETWORK_LOG := _build/network-test.log
# Two workers, each test file whole on one, the longest files first (tests/conftest.py).
XDIST    := -n 2 --dist loadfile --no-loadscope-reorder
# Before the tests, each build they read, once, three at a time: the book, then its PDF and EPUB
# side by side, while _build/hub-env and _build/colab-env install.
test: install browser sandbox
	@$(MAKE) --no-print-directory -j3 editions envs
	@if [ "$$(id -u)" = 0 ] && unshare -n true 2>/dev/null; then \
	  echo "Running the launch-environment test (needs PyPI) beside the others, into $(NETWORK_LOG)"; \
	  $(PY) -m pytest -m network > $(NETWORK_LOG) 2>&1 & network=$$!; \
	  echo "Running the tests with networking cut to loopback"; \
	  unshare -n sh -c 'ip link set lo up && $(PY) -m pytest $(XDIST) -m "not network and not hub" && \
	    echo "Running the JupyterHub class test" && $(HUB_TEST)'; status=$$?; \
	  wait $$network; network_status=$$?; \
	  echo "The launch-environment test (needs PyPI):"; cat $(NETWORK_LOG); \
	  [ $$status = 0 ] && [ $$network_status = 0 ]; \
	else \
	  echo "Running the tests (cannot cut networking here: not root or no unshare)"; \
	  $(PY) -m pytest $(XDIST) -m "not hub" && $(HUB_TEST); \
	fi

# The quick loop while editing, right after `make book` (under a minute on 2 cores): every
# test that starts no kernel and builds no book (`slow`), drives no browser (`browser`), needs
# neither the package registry (`network`), the environments of `make envs` (`envs`) nor the
# PDF and EPUB of `make editions` (`editions`), and is not the JupyterHub class (`hub`).
# tests/conftest.py sets these markers from what a test uses; `built` tests read the book
# `make book` built. `make test` runs everything.
CHECK := $(PY) -m pytest -n 2 --dist loadfile -m "not slow and not browser and not network and not envs and not editions and not hub"
check: install $(HTML)/index.html
	$(CHECK)

serve: $(HTML)/index.html
	@echo "Serving the book at http://127.0.0.1:8000/ (Ctrl-C to stop)"
	$(PY) -m http.server 8000 --bind 127.0.0.1 --directory $(HTML)

$(HTML)/index.html:
	$(MAKE) book

# JupyterLab on the whole course, as Binder and a hub open it: JupyterLab and jupyterlab-myst
# (which renders the MyST markup) come with the locked environment; postBuild, run with this
# environment's Python, makes chapters (.md) open as notebooks (jupytext) in the environment's
# own settings; as root (a container) the server needs --allow-root. LAB_ARGS adds arguments
# (tests/test_launch.py passes --no-browser and a port).
LAB_ARGS ?=
LAB_ROOT := $(if $(filter 0,$(shell id -u)),--allow-root)
lab: install
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" bash postBuild
	$(VENV)/bin/jupyter lab $(LAB_ROOT) $(LAB_ARGS) .

# Exercise notebooks: one source per set in exercises/source/. `make exercises`
# regenerates the student versions in exercises/ (no solutions; commit them);
# `make instructor` writes the instructor versions (with solutions) to _build/instructor/.
exercises: install
	$(PY) -m track2.tools.exercises

instructor: install
	$(PY) -m track2.tools.exercises --instructor _build/instructor

# Grading with nbgrader: the exercise sets as an nbgrader course directory (default
# _build/nbgrader/; NBGRADER_DIR=... puts it elsewhere, out of reach of `make clean`):
# nbgrader_config.py, source/<set>/<set>.ipynb (instructor versions with nbgrader's cell
# metadata) and release/<set>/ made by `nbgrader generate_assignment`. Running it again
# gives the same files and keeps the gradebook, submissions and grades. See README.md.
NBGRADER_DIR ?= _build/nbgrader
.PHONY: nbgrader
nbgrader: install
	$(PY) -m track2.tools.nbgrader_course --course-dir $(NBGRADER_DIR)

# The student-safe tree that the public repository (_config.yml's repository.url) holds:
# every tracked file but the exercise sources, tests, bench and CI, scanned for solutions,
# model answers and rubrics (the build fails, naming file and line, on any). See README.md.
# Only the Python environment is needed, not node_modules.
.PHONY: student-tree
student-tree: $(VENV)/.installed
	$(PY) -m track2.tools.student_tree _build/student-tree

# After changing the repository url or branch in _config.yml: refresh the hidden
# set-up cell (Colab installs the course package from there) in every notebook.
notebook-setup: install
	$(PY) -m track2.tools.setup_cell

# Measures build, notebook, page-weight, widget start-up and launch-environment
# figures against the targets of issue 8 (on a copy; _build is not touched). Prints them
# and writes bench/results.json. Then a JupyterHub class of 10 students against the targets
# of issue 15 (bench/hub_class.py --students N; bench/hub-results.json). See README.md.
bench: install assets browser sandbox hub-env
	$(PY) bench/bench.py
	$(PY) bench/hub_class.py

# A PNG of every page at 1280 and 375 px wide, light and dark, in _build/screenshots/
# (index.html there shows them all): the whole book at a glance for a reviewer.
screenshots: book browser
	$(PY) tests/screenshots.py --html $(HTML) --out _build/screenshots

clean:
	rm -rf _build
