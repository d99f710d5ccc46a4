"""Links from a notebook to the book's pages, by the book's published address.

A notebook opened on its own (in JupyterLab with jupyterlab-myst, on Binder or Colab, as a
released assignment) has neither the book's other pages beside it nor Sphinx to resolve its
cross-references: a relative link (``../book/chapters/03-symbiosis.md``) or a Sphinx role
(``{doc}``, ``{term}``, ``{ref}``) is dead there. :func:`links_to_published_book` rewrites
both as ordinary Markdown links to the published book, which work everywhere; the book's
own build makes them local again (``local_book_uri`` in ``book/_ext/course/course_site.py``), so
the site and the offline editions still link their own copies.

It is applied to the exercise notebooks when they are generated (``make exercises``,
``make nbgrader``) and to the data notebooks in ``notebooks/`` by ``make notebook-setup``.
"""

from __future__ import annotations

import json
import re
import unicodedata
from functools import cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
#: The glossary page, whose terms ``{term}`` links to.
GLOSSARY = "book/glossary"
#: The folders of the book's pages (``_toc.yml`` lists pages only from these).
PAGE_FOLDERS = ("book", "notebooks", "exercises")

#: A Markdown link from a source to another page of the book, as a relative path
#: (``[Chapter 7](../book/chapters/07-evidence.md)``, with an optional ``#anchor``).
BOOK_LINK = re.compile(r"\]\((?:\.\./)+((?:book|notebooks|exercises)/[^)#\s]+?)\.(?:md|ipynb)(#[^)\s]*)?\)")
#: A Sphinx cross-reference role that only the book's build can resolve.
BOOK_ROLE = re.compile(r"\{(doc|term|ref)\}`([^`]+)`")
#: An explicit title in a role: ``{doc}`Chapter 3 </book/chapters/03-symbiosis>```.
TITLED = re.compile(r"(?s)(.*?)\s*<([^<>]+)>")
#: A MyST target, ``(label)=``, on a line of its own.
TARGET = re.compile(r"^\(([\w.:-]+)\)=\s*$", re.M)


class BookLinkError(ValueError):
    """A cross-reference that names no page, term or label of the book."""


def term_anchor(term: str) -> str:
    """The anchor Sphinx gives a glossary term, by the rule of ``sphinx.util.nodes.make_id`` (Sphinx
    is a build tool, not a dependency of this package): ``term-`` and the term in ASCII, with every
    run of characters other than letters, digits, ``.`` and ``_`` made one ``-``, case kept
    (``Jaccard index`` -> ``term-Jaccard-index``). A built-book test checks every such anchor."""
    text = unicodedata.normalize("NFKD", f"term-{term}").encode("ascii", "ignore").decode("ascii")
    return re.sub(r"[^a-zA-Z0-9._]+", "-", " ".join(text.split())).rstrip("-")


def _source(page: str, root: Path) -> Path:
    for suffix in (".md", ".ipynb"):
        if (root / f"{page}{suffix}").is_file():
            return root / f"{page}{suffix}"
    raise BookLinkError(f"no page {page!r} in the book (no {page}.md or {page}.ipynb)")


def _text_of(path: Path) -> str:
    if path.suffix == ".ipynb":
        cells = json.loads(path.read_text(encoding="utf-8"))["cells"]
        return "\n\n".join("".join(c["source"]) for c in cells if c["cell_type"] == "markdown")
    return path.read_text(encoding="utf-8")


def page_title(page: str, root: Path = ROOT) -> str:
    """The title of a page of the book (its first ``# `` heading), as ``{doc}`` shows it."""
    for line in _text_of(_source(page, root)).splitlines():
        if line.startswith("# "):
            return line[2:].strip()
    raise BookLinkError(f"{page}: the page has no '# ' title")


@cache
def _labels(root: Path) -> dict[str, tuple[str, str]]:
    """Every MyST target of the book's pages: label -> (page, the heading it stands before)."""
    found = {}
    for folder in PAGE_FOLDERS:
        for path in sorted((root / folder).rglob("*")):
            if path.suffix not in (".md", ".ipynb") or "source" in path.relative_to(root).parts:
                continue
            text = _text_of(path)
            for match in TARGET.finditer(text):
                heading = re.search(r"^#+ (.+)$", text[match.end():], re.M)
                page = path.relative_to(root).with_suffix("").as_posix()
                found[match.group(1)] = (page, heading.group(1).strip() if heading else page_title(page, root))
    return found


@cache
def glossary_terms(root: Path = ROOT) -> frozenset[str]:
    """The terms the glossary defines (unindented lines of its ``{glossary}`` block)."""
    text = (root / f"{GLOSSARY}.md").read_text(encoding="utf-8")
    block = re.search(r"```\{glossary\}\n(.*?)\n```", text, re.S)
    if not block:
        raise BookLinkError(f"{GLOSSARY}.md: no {{glossary}} block")
    return frozenset(line.strip() for line in block.group(1).splitlines()
                     if line.strip() and not line[0].isspace() and not line.startswith(":"))


def _role_link(role: str, content: str, address: str, root: Path) -> str:
    titled = TITLED.fullmatch(content)
    title, target = (titled.group(1), titled.group(2)) if titled else (None, content)
    target = target.strip()
    if role == "doc":
        page = re.sub(r"^(?:/|(?:\.\./)+|\./)", "", target).removesuffix(".md").removesuffix(".ipynb")
        return f"[{title or page_title(page, root)}]({address}{page}.html)"
    if role == "term":
        if target not in glossary_terms(root):
            raise BookLinkError(f"{{term}}`{content}`: the glossary ({GLOSSARY}.md) defines no term {target!r}")
        return f"[{title or target}]({address}{GLOSSARY}.html#{term_anchor(target)})"
    labels = _labels(root)
    if target not in labels:
        raise BookLinkError(f"{{ref}}`{content}`: no page of the book has the target ({target})=")
    page, heading = labels[target]
    return f"[{title or heading}]({address}{page}.html#{target})"


def links_to_published_book(text: str, address: str, root: Path = ROOT) -> str:
    """Relative links and ``{doc}``, ``{term}`` and ``{ref}`` cross-references to pages of the
    book, as Markdown links to the published book (see the module's docstring). Left as they
    are when the published address is not known (``address`` empty).

    Raises:
        BookLinkError: a role naming no page, glossary term or target of the book.
    """
    if not address:
        return text
    text = BOOK_LINK.sub(lambda m: f"]({address}{m.group(1)}.html{m.group(2) or ''})", text)
    return BOOK_ROLE.sub(lambda m: _role_link(m.group(1), m.group(2), address, Path(root)), text)
