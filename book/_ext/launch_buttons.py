"""Launch buttons that lead to a working notebook, and a clear build message when they cannot.

sphinx-book-theme builds the buttons from ``_config.yml`` (``repository`` and
``launch_buttons``). This extension adds what the course needs on top:

* **Chapters launch too.** A chapter is a MyST Markdown notebook (``.md``). The launch
  environment has jupytext (``requirements.txt``) and ``postBuild`` makes JupyterLab
  open Markdown files as notebooks, so the theme's Binder and JupyterHub buttons on a
  chapter page open a runnable notebook. Colab opens only ``.ipynb`` files from
  GitHub, so chapter pages get no Colab button.
* **A hub button only when there is a hub.** With ``launch_buttons.jupyterhub_url``
  empty or absent the theme adds no JupyterHub button; the build says so in one line
  and names the setting. A placeholder address (``example.org``, ``example.com``...)
  is a warning, which fails the strict build (``make book``): it would be a broken link.
* **A repository to launch from.** With ``repository.url`` missing, Jupyter Book
  silently falls back to its own repository; with it empty, the theme silently drops
  every launch button. Both are warnings naming the setting.
"""

from __future__ import annotations

from urllib.parse import urlsplit

from sphinx.application import Sphinx
from sphinx.util import logging

logger = logging.getLogger(__name__)

#: Jupyter Book 1's default ``repository.url`` (default_config.yml), used when the book sets none.
JUPYTER_BOOK_DEFAULT_REPOSITORY = "https://github.com/executablebooks/jupyter-book"
PLACEHOLDER_HOSTS = ("example.org", "example.com", "example.net", "example.edu")
#: Launch services that open only .ipynb files.
IPYNB_ONLY = ("Colab",)


def launch_problems(theme_options: dict) -> tuple[list[str], list[str]]:
    """``(warnings, notes)`` about the launch settings in ``html_theme_options``."""
    launch = theme_options.get("launch_buttons") or {}
    services = [key for key in ("binderhub_url", "jupyterhub_url", "colab_url") if launch.get(key)]
    warnings, notes = [], []
    if services:
        url = (theme_options.get("repository_url") or "").strip()
        if not url:
            warnings.append("_config.yml: repository.url is empty, so the book has no launch buttons "
                            "(Binder, JupyterHub, Colab); set it to the course repository, e.g. "
                            "https://github.com/ORG/REPO")
        elif url.rstrip("/") == JUPYTER_BOOK_DEFAULT_REPOSITORY:
            warnings.append("_config.yml: repository.url is not set, so launch buttons would open Jupyter "
                            "Book's own repository; set it to the course repository (your fork)")
    hub = (launch.get("jupyterhub_url") or "").strip()
    if not hub:
        notes.append("launch_buttons.jupyterhub_url is not set in _config.yml: pages get no JupyterHub "
                     "button (set it to your hub's address to add one; see README.md)")
    else:
        host = urlsplit(hub).hostname or ""
        if urlsplit(hub).scheme not in ("http", "https") or not host:
            warnings.append(f"_config.yml: launch_buttons.jupyterhub_url {hub!r} is not an http(s) address")
        elif any(host == p or host.endswith("." + p) for p in PLACEHOLDER_HOSTS):
            warnings.append(f"_config.yml: launch_buttons.jupyterhub_url {hub!r} is a placeholder; set your "
                            "hub's address, or leave it empty for no JupyterHub button")
    return warnings, notes


def _check_config(app: Sphinx) -> None:
    warnings, notes = launch_problems(app.config.html_theme_options or {})
    for note in notes:
        logger.info(note)
    for warning in warnings:
        logger.warning(warning)


def _no_ipynb_only_buttons_on_markdown_pages(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """A chapter's .md opens as a notebook on Binder and a hub (jupytext), not on Colab."""
    if not str(app.env.doc2path(pagename)).endswith(".md"):
        return
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            group["buttons"][:] = [b for b in group["buttons"] if b.get("text") not in IPYNB_ONLY]


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _check_config)
    # after sphinx-book-theme adds the launch buttons (priority 501)
    app.connect("html-page-context", _no_ipynb_only_buttons_on_markdown_pages, priority=502)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
