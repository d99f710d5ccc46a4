"""The translated editions' Sphinx side (issue 28): a language switcher on every page.

The book is built once in English (``_build/html/``) and once per published language
into a folder of its own (``_build/html/zh_CN/``, ``_build/html/id/``), with Sphinx's
``language`` set and the page catalogues of ``locale/<lang>/LC_MESSAGES/`` (sphinx-intl)
applied; ``make translations`` does it (see the Makefile). This module:

* registers ``track2_published_languages`` (``_config.yml``, ``sphinx: config:``), the one
  list of the languages the site publishes; ``make``, this switcher and tests/test_i18n.py
  read it;
* puts a language switcher at the top of every page once a language is published: a
  ``<nav>`` named in the page's language, one link per language to the same page in that
  language (same relative path, so it works offline and from ``file://``), each link with
  ``lang`` and ``hreflang``, the page's own language marked ``aria-current``; and the same
  links as ``<link rel="alternate" hreflang>`` in the head, there at their published
  (absolute) addresses, as search engines require;
* writes the configuration of a language's build (``python book/_ext/course/translations.py
  config LANG OUT.yml``): ``_config.yml`` with ``language`` set and the local extensions'
  folders made absolute (Jupyter Book resolves them from the configuration file's folder).

* lets a translated paragraph paste values computed by the page's notebook (MyST-NB's
  ``{glue}`` roles and directives): Sphinx parses each translation as a small document of its
  own, with a notebook renderer of its own that holds no glue data, so MyST-NB found none there
  ("No key ... found in glue data for this document"). The notebook renderer MyST-NB makes for
  the page is kept (``_recording``, a transform that runs before Sphinx's translation one), and
  a glue lookup that fails in a translation's document looks in the page's (``_glue_data``).

``<html lang>`` comes from Sphinx's ``language`` (``zh-CN``, ``id``), and each language's
build has its own search page and index, in its own language.
"""

from __future__ import annotations

import html
import sys
from pathlib import Path

from docutils import nodes
from myst_nb import sphinx_ as nb_sphinx
from myst_nb.ext.glue import directives as glue_directives
from myst_nb.ext.glue import roles as glue_roles
from myst_nb.ext.glue import utils as glue_utils
from sphinx.application import Sphinx
from sphinx.transforms import SphinxTransform

#: Every language the course may be published in, by Sphinx language code, with its name
#: in itself (what the switcher shows) and what the switcher is called in it.
LANGUAGES = {
    "en": ("English", "Language"),
    "zh_CN": ("中文", "语言"),
    "id": ("Bahasa Indonesia", "Bahasa"),
}
#: The switcher's look, inline so that it needs no stylesheet of its own: a row of links, each
#: at least 24 px high (WCAG 2.2 target size), wrapping on a phone.
LIST_STYLE = ("display:flex;flex-wrap:wrap;gap:0.25em 1.25em;list-style:none;margin:0 0 0.25em;padding:0;"
              "line-height:2;font-size:0.9em")
#: The 404 page's name (book/_ext/course/course_site.py): GitHub Pages serves the root's for any missing address.
NOT_FOUND = "404"
#: The language of the site's root folder.
SOURCE_LANGUAGE = "en"


def html_lang(code: str) -> str:
    """A Sphinx language code as an HTML ``lang`` value: ``zh_CN`` -> ``zh-CN``."""
    return code.replace("_", "-")


def language_folder(code: str) -> str:
    """Where the site keeps the build in ``code``: ``zh_CN/`` (English at the site's root: "")."""
    return "" if code == SOURCE_LANGUAGE else code + "/"


def language_links(current: str, published: list[str], target_uri: str) -> list[tuple[str, str]]:
    """``(language, relative URL)`` of the page ``target_uri`` (e.g. ``book/chapters/01-tracks.html``)
    in English and every published language, from that page in the language ``current``."""
    up = "../" * (target_uri.count("/") + (current != SOURCE_LANGUAGE))
    return [(code, up + language_folder(code) + target_uri) for code in [SOURCE_LANGUAGE, *published]]


def switcher_html(current: str, links: list[tuple[str, str]]) -> str:
    """The switcher: a named ``<nav>`` with one link per language."""
    items = []
    for code, url in links:
        name = LANGUAGES[code][0]
        here = ' aria-current="page"' if code == current else ""
        items.append(f'<li><a href="{html.escape(url)}" lang="{html_lang(code)}" hreflang="{html_lang(code)}"'
                     f'{here}>{html.escape(name)}</a></li>')
    return (f'<nav class="track2-languages" aria-label="{html.escape(LANGUAGES[current][1])}">'
            f'<ul style="{LIST_STYLE}">{"".join(items)}</ul></nav>\n')


def check_languages(app: Sphinx, config) -> None:
    published = config.track2_published_languages
    unknown = [code for code in published if code not in LANGUAGES or code == SOURCE_LANGUAGE]
    if unknown:
        raise ValueError(f"_config.yml: track2_published_languages names {', '.join(map(repr, unknown))}; "
                         f"the course's translations are {', '.join(c for c in LANGUAGES if c != SOURCE_LANGUAGE)}")
    if (config.language or SOURCE_LANGUAGE) not in LANGUAGES:
        raise ValueError(f"translations: no switcher entry for the language {config.language!r}: add it to "
                         "LANGUAGES in book/_ext/course/translations.py")


#: How an author-year citation joins its authors' names in each language (sphinxcontrib-bibtex's
#: English " and ", ", and " and "et al." otherwise): two authors, the last of three or more, and
#: the rest of a long list. The bibliography's entries themselves stay as pybtex formats them.
CITATION_NAMES = {
    "zh_CN": {"sep2": " 和 ", "last_sep": " 和 ", "other": " 等"},
    "id": {"sep2": " dan ", "last_sep": ", dan ", "other": " dkk."},
}
#: Where sphinxcontrib-bibtex looks up its citation styles (its plugin group).
REFERENCE_STYLES = "sphinxcontrib.bibtex.style.referencing"


def _citations_in_the_language(app: Sphinx, config) -> None:
    """In a translated build, the author-year style with the language's joining words."""
    language = config.language or SOURCE_LANGUAGE
    if language not in CITATION_NAMES or config.bibtex_reference_style != "author_year":
        return
    import dataclasses

    from sphinxcontrib.bibtex.plugin import register_plugin
    from sphinxcontrib.bibtex.style.referencing import PersonStyle
    from sphinxcontrib.bibtex.style.referencing.author_year import AuthorYearReferenceStyle

    names = CITATION_NAMES[language]
    style = dataclasses.make_dataclass(
        f"AuthorYear_{language}", [("person", PersonStyle, dataclasses.field(default_factory=lambda: PersonStyle(**names)))],
        bases=(AuthorYearReferenceStyle,))
    register_plugin(REFERENCE_STYLES, f"author_year_{language}", style, force=True)
    config.bibtex_reference_style = f"author_year_{language}"


def _page(app: Sphinx, pagename, templatename, context, doctree) -> None:
    published = app.config.track2_published_languages
    # not the 404 page: served for a missing address at any depth, it has no counterparts
    if app.builder.name != "html" or not published or "body" not in context or pagename == NOT_FOUND:
        return
    current = app.config.language or SOURCE_LANGUAGE
    target = app.builder.get_target_uri(pagename)
    links = language_links(current, published, target)
    context["body"] = switcher_html(current, links) + context["body"]
    from .course_site import site_url

    base = site_url(app)
    published_links = [(code, base + language_folder(code) + target) for code, _ in links] if base else links
    context["metatags"] = context.get("metatags", "") + "".join(
        f'\n<link rel="alternate" hreflang="{html_lang(code)}" href="{html.escape(url)}">'
        for code, url in published_links)


#: Where the page being read keeps its notebook renderer (the build environment's per-page data).
NOTEBOOK_OF_PAGE = "track2_nb_renderer"
_made = {"renderer": None}  # the notebook renderer MyST-NB made last (pages are read one at a time)
_load_renderer = nb_sphinx.load_renderer


def _recording(name: str):
    """MyST-NB's renderer class ``name``, each instance it makes recorded."""
    make = _load_renderer(name)

    def record(*args, **kwargs):
        _made["renderer"] = make(*args, **kwargs)
        return _made["renderer"]
    return record


class KeepTheNotebookForTranslations(SphinxTransform):
    """Keep the page's MyST-NB renderer (its glue data) for the translated paragraphs."""

    default_priority = 10  # before sphinx.transforms.i18n.Locale (20), which parses the translations

    def apply(self, **kwargs) -> None:
        if _made["renderer"] is not None:
            self.env.temp_data[NOTEBOOK_OF_PAGE] = _made["renderer"]


def _glue_data(document: nodes.document, key: str):
    """MyST-NB's glue lookup; in a translation's own small document, the page's notebook's."""
    try:
        return glue_utils.retrieve_glue_data(document, key)
    except glue_utils.RetrievalError:
        env = getattr(document.settings, "env", None)
        page = env.temp_data.get(NOTEBOOK_OF_PAGE) if env is not None else None
        if page is None or "<translated>" not in str(document.get("source", "")):
            raise
        own = document.attributes.get("nb_renderer")
        document["nb_renderer"] = page
        try:
            return glue_utils.retrieve_glue_data(document, key)
        finally:
            if own is None:
                del document["nb_renderer"]
            else:
                document["nb_renderer"] = own


def translated_title(title: str, language: str, root: Path) -> str:
    """The book's ``title`` in ``language``: the home page (_toc.yml's root) opens with it as its
    heading, so its catalogue holds the translation the sidebar, the page titles and the search
    results then show."""
    import yaml
    from babel.messages.pofile import read_po

    home = yaml.safe_load((root / "_toc.yml").read_text(encoding="utf-8"))["root"]
    catalogue = root / "locale" / language / "LC_MESSAGES" / f"{home}.po"
    if not catalogue.is_file():
        raise SystemExit(f"translations.py: {catalogue} is missing: the {language} build needs the home page's catalogue")
    with catalogue.open("rb") as handle:
        message = read_po(handle).get(title)
    if message is None or not message.string or message.fuzzy:
        raise SystemExit(f"translations.py: {catalogue} has no translation of the book's title {title!r} "
                         "(the home page's heading): translate it there")
    return message.string


def language_config(config: dict, language: str, root: Path) -> dict:
    """``config`` (the parsed ``_config.yml``) for a build in ``language``, its title translated."""
    config = dict(config)
    config["title"] = translated_title(config["title"], language, root)
    sphinx = dict(config.get("sphinx") or {})
    sphinx["config"] = {**(sphinx.get("config") or {}), "language": language}
    theme = sphinx["config"].get("html_theme_options") or {}
    if (theme.get("logo") or {}).get("text"):  # the title beside the logo, in the sidebar
        logo = {**theme["logo"], "text": translated_title(theme["logo"]["text"], language, root)}
        sphinx["config"]["html_theme_options"] = {**theme, "logo": logo}
    sphinx["local_extensions"] = {name: str((root / folder).resolve())
                                  for name, folder in (sphinx.get("local_extensions") or {}).items()}
    config["sphinx"] = sphinx
    return config


def setup(app: Sphinx) -> dict:
    app.add_config_value("track2_published_languages", [], "html", [list])
    app.connect("config-inited", check_languages)
    app.connect("config-inited", _citations_in_the_language)
    app.connect("html-page-context", _page)
    app.add_transform(KeepTheNotebookForTranslations)
    glue_roles.retrieve_glue_data = glue_directives.retrieve_glue_data = _glue_data
    nb_sphinx.load_renderer = _recording
    return {"parallel_read_safe": True, "parallel_write_safe": True}


def main(argv: list[str]) -> int:
    import yaml

    if len(argv) != 4 or argv[1] != "config" or argv[2] not in LANGUAGES:
        print(f"usage: python book/_ext/course/translations.py config LANG OUT.yml  (LANG: one of {', '.join(LANGUAGES)})",
              file=sys.stderr)
        return 2
    root = Path(__file__).resolve().parents[3]
    config = yaml.safe_load((root / "_config.yml").read_text(encoding="utf-8"))
    out = Path(argv[3])
    out.parent.mkdir(parents=True, exist_ok=True)
    out.write_text("# Written by book/_ext/course/translations.py from _config.yml: do not edit\n"
                   + yaml.safe_dump(language_config(config, argv[2], root), allow_unicode=True, sort_keys=False),
                   encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
