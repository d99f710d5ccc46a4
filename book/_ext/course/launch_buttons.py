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
* **Every exercise page says how to run its data tasks** (issue 27). The quick checks
  work in the page, but a data task needs Python, and the only way there was an
  unlabelled rocket icon. A "Run this notebook" box under each exercise page's title
  names the ways, as links: the launch buttons the theme made from ``_config.yml``
  (Binder, a JupyterHub when ``jupyterhub_url`` is set, Colab) and the notebook's
  download. Nothing in it is hard-coded: a fork's settings give the fork's links.
"""

from __future__ import annotations

from html import escape
from urllib.parse import urlsplit

from docutils import nodes
from sphinx.application import Sphinx
from sphinx.util import logging

from track2.i18n import N_, _

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


#: Pages that get a "Run this notebook" box: the exercise sets.
RUN_BOX_FOLDER = "exercises/"
#: What each launch service is, for a student choosing one.
SERVICE_NOTES = {
    "Binder": N_("free, no account; it takes a minute or two to start, and your work is lost when you close it"),
    "JupyterHub": N_("your course's own server: sign in, and your work is kept"),
    "Colab": N_("needs a Google account; run the set-up cell at the top first"),
}
#: Where the how-to page explains running the data tasks (book/how-to-use.md, label run-data-tasks).
HOW_TO_PAGE, HOW_TO_ANCHOR = "book/how-to-use", "run-data-tasks"


def run_box(launch: list[dict], download: str | None, how_to: str | None = None) -> str:
    """The "Run this notebook" box, in the page's language (the track2 package's catalogue): one
    link per launch button, then the download."""
    items = []
    for button in launch:
        note = _(SERVICE_NOTES[button["text"]]) if button["text"] in SERVICE_NOTES else ""
        opening = _("Open it on {service}").format(service=escape(button["text"]))
        items.append(f'<li><a class="reference external" href="{escape(button["url"], quote=True)}">'
                     f'{opening}</a>{": " + escape(note) if note else ""}.</li>')
    if download:
        label, how_label = escape(_("Download the notebook")), escape(_("how"))  # (not in f-strings: Babel reads them)
        link = f'<a class="reference download" href="{escape(download, quote=True)}" download>{label}</a>'
        how = (f' (<a class="reference internal" href="{escape(how_to, quote=True)}">{how_label}</a>)'
               if how_to else "")
        items.append("<li>" + _("{download} (.ipynb) and open it in JupyterLab, with the course package "
                                "installed{how}.").format(download=link, how=how) + "</li>")
    title = escape(_("Run this notebook"))
    return (f'<div class="admonition tip track2-run-notebook" role="note" aria-label="{title}">\n'
            f'<p class="admonition-title">{title}</p>\n'
            "<p>" + escape(_("The quick checks work here in the page. The data tasks need Python: run the "
                             "notebook, answer in each task's cell and run the check below it.")) + "</p>\n"
            f'<ul class="simple">{"".join(items)}</ul>\n</div>\n')


class run_notebook_box(nodes.General, nodes.Element):
    """Where an exercise page's "Run this notebook" box goes: under the page's title. The box is
    made from the launch buttons the theme adds to the page's context, after the page's HTML
    is written: the node writes :data:`BOX_PLACE`, which :func:`_run_this_notebook` fills."""


#: What a :class:`run_notebook_box` node writes, for the page's box to replace.
BOX_PLACE = "<!-- track2: the Run this notebook box -->\n"


def _visit_box(translator, node) -> None:
    translator.body.append(BOX_PLACE)
    raise nodes.SkipNode


def _place_the_box(app: Sphinx, doctree: nodes.document, docname: str) -> None:
    """An exercise page of the site (the offline editions have no launch buttons): a
    :class:`run_notebook_box` right after its title."""
    if app.builder.name != "html" or not docname.startswith(RUN_BOX_FOLDER):
        return
    section = doctree.next_node(nodes.section)
    if section is not None and isinstance(section.children[0], nodes.title):
        section.insert(1, run_notebook_box())


def _run_this_notebook(app: Sphinx, pagename, templatename, context, doctree) -> None:
    """Fill the place :func:`_place_the_box` left under an exercise page's title with its "Run
    this notebook" box."""
    if BOX_PLACE not in context.get("body", ""):
        return
    launch, download = [], None
    for group in context.get("header_buttons", []):
        if group.get("label") == "launch-buttons":
            launch = [b for b in group["buttons"] if b.get("url") and b.get("text")]
        elif group.get("label") == "download-buttons":
            download = next((b["url"] for b in group["buttons"] if str(b.get("url", "")).endswith(".ipynb")), None)
    if not launch and not download:
        logger.warning("launch_buttons: %s has no launch or download button for its "
                       "\"Run this notebook\" box; check launch_buttons in _config.yml", pagename)
        context["body"] = context["body"].replace(BOX_PLACE, "", 1)
        return
    how_to = None
    if HOW_TO_PAGE in app.env.all_docs and "pathto" in context:
        how_to = context["pathto"](HOW_TO_PAGE) + "#" + HOW_TO_ANCHOR
    context["body"] = context["body"].replace(BOX_PLACE, run_box(launch, download, how_to) + "\n", 1)


def setup(app: Sphinx) -> dict:
    app.connect("builder-inited", _check_config)
    app.add_node(run_notebook_box, html=(_visit_box, None))
    app.connect("doctree-resolved", _place_the_box)
    # after sphinx-book-theme adds the launch buttons (priority 501)
    app.connect("html-page-context", _no_ipynb_only_buttons_on_markdown_pages, priority=502)
    app.connect("html-page-context", _run_this_notebook, priority=503)
    return {"parallel_read_safe": True, "parallel_write_safe": True}
