"""The course's one Sphinx extension: everything the book's pages get beyond Jupyter Book 1.

Registered once in ``_config.yml`` (``sphinx.local_extensions: course: book/_ext``). Each
concern is a module of this package, described at its top, with its own ``setup()`` that
says on which Sphinx events it works:

* ``theme_versions``: at the start of every build, the theme and extension packages the
  modules below rely on must be the versions pinned in ``requirements-lock.txt``.
* ``offline_assets``: MathJax from the site itself; sphinx-thebe's CDN scripts switched off.
* ``widget_bundle``: the course's widget bundle (built outside Sphinx, ``make assets``)
  loaded on pages with widgets, with a message where a widget will be.
* ``light_pages``: lighter pages: plugin assets only where used, the search index on the
  search page, the subset icon fonts (built outside Sphinx, ``make assets``).
* ``course_style``: the course's stylesheet, corrected theme templates, the
  ``course-figure`` directive, titles that keep hyphenated words whole.
* ``course_a11y``: accessible pandas tables, quick-check live regions.
* ``course_site``: unique ids, page descriptions, an entry page, a 404 page, a sitemap.
* ``launch_buttons``: chapters launch on Binder and a hub; the "Run this notebook" box.
* ``fast_build``: pybtex's plain-text backend found once, not once per citation.
* ``editions``: the offline editions (PDF, EPUB), and their links in the site.
* ``translations``: the translated editions' language switcher, and glued values in translations.

The order below is the order of their handlers on a shared event at one priority.
"""

from __future__ import annotations

from sphinx.application import Sphinx

from . import (course_a11y, course_site, course_style, editions, fast_build, launch_buttons, light_pages,
               offline_assets, theme_versions, translations, widget_bundle)

MODULES = (theme_versions, offline_assets, widget_bundle, light_pages, course_style, course_a11y, course_site,
           launch_buttons, fast_build, editions, translations)


def setup(app: Sphinx) -> dict:
    for module in MODULES:
        module.setup(app)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
