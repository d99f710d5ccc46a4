"""The translated editions (issue 28): catalogues complete, builds strict, a switcher on every page.

* The track2 package's catalogues (``track2/locale/<lang>/LC_MESSAGES/track2.po``) hold every
  student-facing string the code and the quick checks' files have now, each translated, none
  fuzzy, with the same ``{placeholders}``, and the committed ``.mo`` says what the ``.po`` says.
* The page catalogues (``locale/<lang>/LC_MESSAGES/**.po``) of every language the site
  publishes (``_config.yml``'s ``track2_published_languages``) are complete: a language is
  published only when every student page is translated (the instructor guide may stay English).
* A language's build is the English build's command (strict: ``-W -n``, every notebook run),
  with the language set for Sphinx and for the notebooks (``TRACK2_LANG``).
* In the built site, every page of every published language exists, says its language in
  ``<html lang>``, has its own search, and carries the switcher, whose links reach the same
  page in every language. Every per-page browser check runs on those pages too
  (tests/test_every_page.py: ``site_documents()``).
"""

from __future__ import annotations

import gettext
import html
import io
import os
import re
import subprocess
import sys
from html.parser import HTMLParser
from pathlib import Path

import pytest
from babel.messages.extract import extract_from_dir
from babel.messages.frontend import parse_mapping_cfg
from babel.messages.pofile import read_po

from conftest import ROOT, published_languages, toc_documents
from track2.i18n import MESSAGE_SOURCES
from track2.tools.setup_cell import published_book_address

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from course import translations  # noqa: E402 (book/_ext/course/translations.py, the switcher)

PACKAGE_LOCALE = ROOT / "track2" / "locale"
PAGE_LOCALE = ROOT / "locale"
#: Pages that may stay in English in a translated edition (issue 28), and Sphinx's own messages.
ENGLISH_ONLY = {"book/instructor-guide.po", "sphinx.po"}
PLACEHOLDER = re.compile(r"\{(\w*)\}")
#: the site's published address, from _config.yml
SITE = published_book_address()


def package_languages() -> list[str]:
    return sorted(p.parent.parent.name for p in PACKAGE_LOCALE.glob("*/LC_MESSAGES/track2.po"))


def catalogue(path: Path):
    with path.open("rb") as file:
        return read_po(file)


def problems_in(path: Path) -> list[str]:
    """Every entry of a catalogue that is untranslated, fuzzy or with other placeholders."""
    found = []
    for message in catalogue(path):
        if not message.id:
            continue
        text = message.id if isinstance(message.id, str) else message.id[0]
        strings = message.string if isinstance(message.string, (list, tuple)) else [message.string]
        if not all(strings):
            found.append(f"untranslated: {text[:80]!r}")
        elif message.fuzzy:
            found.append(f"fuzzy: {text[:80]!r}")
        elif any(set(PLACEHOLDER.findall(s)) != set(PLACEHOLDER.findall(text)) for s in strings):
            found.append(f"placeholders differ: {text[:80]!r} -> {strings[0][:80]!r}")
    return found


# --------------------------------------------------------------------------- #
# The package's strings


def extracted_messages() -> set[str]:
    """What `make catalogues` extracts now from the code and the quick checks' files."""
    method_map, options_map = parse_mapping_cfg(io.StringIO((PACKAGE_LOCALE / "babel.cfg").read_text(encoding="utf-8")))
    found = set()
    for folder in (ROOT / source for source in MESSAGE_SOURCES):
        for _file, _line, message, _comments, _context in extract_from_dir(
                str(folder), method_map, options_map, keywords={"_": None, "N_": None}):
            found.add(message)
    return found


def test_the_package_has_catalogues_for_both_languages():
    assert package_languages() == ["id", "zh_CN"]


def test_the_package_template_holds_every_marked_string_and_nothing_else():
    template = {m.id for m in catalogue(PACKAGE_LOCALE / "track2.pot") if m.id}
    now = extracted_messages()
    assert len(now) > 200, "the extraction found almost nothing: is track2/locale/babel.cfg right?"
    assert now - template == set(), f"strings not in track2.pot yet: run `make catalogues` ({sorted(now - template)[:5]})"
    assert template - now == set(), f"strings no longer in the code: run `make catalogues` ({sorted(template - now)[:5]})"


@pytest.mark.parametrize("language", package_languages())
def test_every_package_string_is_translated(language):
    po = PACKAGE_LOCALE / language / "LC_MESSAGES" / "track2.po"
    template = {m.id for m in catalogue(PACKAGE_LOCALE / "track2.pot") if m.id}
    assert {m.id for m in catalogue(po) if m.id} == template, f"{po}: not updated from track2.pot (make catalogues)"
    assert problems_in(po) == [], f"{po}:\n" + "\n".join(problems_in(po))


@pytest.mark.parametrize("language", package_languages())
def test_the_shipped_mo_says_what_the_po_says(language):
    folder = PACKAGE_LOCALE / language / "LC_MESSAGES"
    with (folder / "track2.mo").open("rb") as file:
        compiled = gettext.GNUTranslations(file)
    stale = [m.id for m in catalogue(folder / "track2.po") if m.id and compiled.gettext(m.id) != m.string]
    assert stale == [], f"{folder / 'track2.mo'} is older than its .po (make catalogues): {stale[:3]}"


def test_the_package_ships_its_catalogues():
    import tomllib

    setuptools = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["setuptools"]
    for language in package_languages():
        package = f"track2.locale.{language}.LC_MESSAGES"
        assert package in setuptools["packages"] and setuptools["package-data"][package] == ["track2.mo"], package


def run_in(language: str, code: str) -> str:
    """``code`` run by a fresh Python with TRACK2_LANG=``language``; its output."""
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, timeout=120, cwd=ROOT,
                            env={**os.environ, "TRACK2_LANG": language})
    assert result.returncode == 0, result.stderr[-2000:]
    return result.stdout


QUIZ = """
import json
from track2.questions import quick_checks
out = {}
for key, check in quick_checks("07-evidence").items():
    out[key] = [check.prompt, [[o.label for o in p.options] for p in check.pickers],
                [[o.correct for o in p.options] for p in check.pickers], list(check.pickers[0].control.options)]
print(json.dumps(out))
"""


@pytest.mark.parametrize("language, prompt, first", [("zh_CN", "将每项分歧与其产生的主要原因配对。", "请选择…"),
                                                      ("id", "Pasangkan setiap perbedaan dengan alasan utama munculnya.",
                                                       "Pilih…")])
def test_quick_checks_speak_the_language_and_keep_their_answers(language, prompt, first):
    import json

    english, translated = json.loads(run_in("en", QUIZ)), json.loads(run_in(language, QUIZ))
    assert translated["reasons"][0] == prompt and translated["reasons"][3][0] == first
    assert english["reasons"][0] == "Match each disagreement to the main reason it arises."
    for key in english:  # the same questions, the same right answers, other words
        assert translated[key][2] == english[key][2], key
        assert translated[key][0] != english[key][0], f"{key}: the prompt is not translated"


def test_widgets_and_checker_feedback_speak_the_language():
    out = run_in("zh_CN", "from track2.data import load_course_data\n"
                          "from track2.widgets import track_explorer\n"
                          "from track2.checks import apec_not_in_pecc\n"
                          "print(track_explorer(load_course_data().institutions).dropdown.description)\n"
                          "print(apec_not_in_pecc(...).headline)")
    assert out.splitlines() == ["轨道：", "… 尚未作答"]


def test_a_language_without_a_catalogue_is_a_clear_error():
    result = subprocess.run([sys.executable, "-c", "from track2.quiz import true_false; true_false('k', 's', True, 'w')"],
                            capture_output=True, text=True, timeout=120, cwd=ROOT, env={**os.environ, "TRACK2_LANG": "xx"})
    assert result.returncode != 0
    assert "TRACK2_LANG='xx'" in result.stderr and "zh_CN" in result.stderr


def test_the_question_extractor_takes_texts_not_answers(tmp_path):
    from track2.tools.question_messages import extract_questions

    source = (b"q:\n  type: matching\n  prompt: Match them.\n  review: {section: s, title: 'Chapter 9, T'}\n"
              b"  choices: [alpha, beta]\n  if_right: 'Yes: {why}'\n  if_wrong: 'No: {why}'\n"
              b"  rows:\n    Item one: {answer: alpha, why: Because.}\n"
              b"r:\n  type: multiple choice\n  prompt: Pick.\n  review: {section: s, title: T}\n"
              b"  options:\n    - {label: '12', correct: true, why: Twelve.}\n    - {label: Three, why: Less.}\n")
    found = [message for _line, _f, message, _c in extract_questions(io.BytesIO(source), [], [], {})]
    assert found == ["Match them.", "Chapter 9, T", "alpha", "beta", "Yes: {why}", "No: {why}", "Item one",
                     "Because.", "Pick.", "T", "Twelve.", "Three", "Less."]


# --------------------------------------------------------------------------- #
# The pages' catalogues


def test_the_publish_list_names_only_translations_the_course_has():
    for language in published_languages():
        assert language in translations.LANGUAGES and language != translations.SOURCE_LANGUAGE
        assert (PAGE_LOCALE / language / "LC_MESSAGES").is_dir(), f"{language} is published but has no catalogues"
        assert (PAGE_LOCALE / language / "terms.md").is_file(), f"{language} is published but has no term list"


def page_languages() -> list[str]:
    return sorted(p.parent.name for p in PAGE_LOCALE.glob("*/LC_MESSAGES"))


@pytest.mark.parametrize("language", page_languages())
def test_every_page_has_a_catalogue_and_a_published_language_has_them_all_translated(language):
    folder = PAGE_LOCALE / language / "LC_MESSAGES"
    pages = {p.relative_to(folder).as_posix() for p in folder.rglob("*.po")}
    expected = {f"{document}.po" for document in toc_documents()}
    assert expected - pages == set(), f"{language}: no catalogue for {sorted(expected - pages)} (make catalogues)"
    assert pages - expected - ENGLISH_ONLY == set(), f"{language}: catalogues of no page: {sorted(pages - expected)}"
    if language not in published_languages():
        return  # a language may be published once every page below is complete
    problems = {page: problems_in(folder / page) for page in sorted(pages - ENGLISH_ONLY)}
    problems = {page: found for page, found in problems.items() if found}
    assert problems == {}, f"{language} is published with pages not fully translated:\n" + "\n".join(
        f"{page}: {len(found)} entries, e.g. {found[0]}" for page, found in problems.items())


# --------------------------------------------------------------------------- #
# The builds


def makefile_recipe(target_pattern: str) -> list[str]:
    text = (ROOT / "Makefile").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(target_pattern)}.*\n((?:\t.*\n)+)", text, flags=re.M)
    assert match, f"no rule {target_pattern} in the Makefile"
    return [line.strip() for line in match.group(1).splitlines()]


def test_a_language_is_built_with_the_english_command_in_its_own_folder():
    recipe = makefile_recipe("$(addprefix translation-,$(CATALOGUES)): translation-%:")
    assert recipe[0].startswith("TRACK2_LANG=$* $(BUILD) "), recipe[0]
    assert "--path-output $(LANG_BUILD)/$*" in recipe[0] and "--config $(LANG_BUILD)/$*/_config.yml" in recipe[0]
    assert "$(HTML)/$*" in recipe[1]
    assert any(line.startswith("@$(MAKE)") and line.endswith(" english translations")
               for line in makefile_recipe("book:")), "make book builds English and the languages (side by side)"


def test_a_language_config_sets_the_language_and_finds_the_extensions(tmp_path):
    out = tmp_path / "zh_CN" / "_config.yml"
    subprocess.run([sys.executable, str(ROOT / "book" / "_ext" / "course" / "translations.py"), "config", "zh_CN", str(out)],
                   check=True, timeout=300)
    import yaml

    config = yaml.safe_load(out.read_text(encoding="utf-8"))
    assert config["sphinx"]["config"]["language"] == "zh_CN"
    assert all(Path(folder).is_absolute()  # a module or a package (the course's one extension is one)
               and (Path(folder, f"{name}.py").is_file() or Path(folder, name, "__init__.py").is_file())
               for name, folder in config["sphinx"]["local_extensions"].items())
    english = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
    # the title in the language (the sidebar and every page's <title> show it), from the home page's catalogue
    assert config["title"] == "亚太地区的二轨外交" != english["title"]
    same = ("sphinx", "title")
    assert {k: v for k, v in config.items() if k not in same} == {k: v for k, v in english.items() if k not in same}


def test_a_language_config_refuses_a_title_the_home_page_catalogue_does_not_translate(tmp_path):
    translated_title = translations.translated_title
    assert translated_title("Track 2 Diplomacy in the Asia-Pacific", "id", ROOT) == "Diplomasi Track 2 di Asia-Pasifik"
    with pytest.raises(SystemExit, match=r"intro\.po has no translation of the book's title 'No such title'"):
        translated_title("No such title", "id", ROOT)


def mini_book(folder: Path, msgstr: str) -> subprocess.CompletedProcess:
    """A two-page book with the course's config and extensions, built in zh_CN by the
    Makefile's language recipe; the intro's title is translated as ``msgstr``."""
    from test_build import build_command, notebook, prepare_mini_book

    prepare_mini_book(folder)
    (folder / "book" / "intro.md").write_text("# Introduction\n\n(a-label)=\n## A section\n\nSee {doc}`ok`.\n\n"
                                              "Read {cite:t}`capie_evans2007lexicon`.\n\n```{bibliography}\n```\n",
                                              encoding="utf-8")
    import nbformat

    page = nbformat.reads(notebook(
        "import os\nassert os.environ['TRACK2_LANG'] == 'zh_CN'\n"
        "from track2.quiz import PROMPT\nfrom track2.i18n import _\nprint(_(PROMPT))",
        "from track2.book import glue\nglue('answer', 4242)"), as_version=4)
    page.cells.append(nbformat.v4.new_markdown_cell("The answer is {glue:}`answer`."))
    (folder / "book" / "ok.ipynb").write_text(nbformat.writes(page), encoding="utf-8")
    (folder / "_toc.yml").write_text("format: jb-book\nroot: book/intro\nchapters:\n  - file: book/ok\n", encoding="utf-8")
    po = folder / "locale" / "zh_CN" / "LC_MESSAGES" / "book" / "intro.po"
    po.parent.mkdir(parents=True)
    header = 'msgid ""\nmsgstr ""\n"Content-Type: text/plain; charset=UTF-8\\n"\n\n'
    import yaml

    title = yaml.safe_load((folder / "_config.yml").read_text(encoding="utf-8"))["title"]
    po.write_text(header + f'msgid "Introduction"\nmsgstr "{msgstr}"\n\nmsgid "{title}"\nmsgstr "书名"\n',
                  encoding="utf-8")
    # a translated paragraph that pastes a value the page's notebook computed
    po.with_name("ok.po").write_text(header + 'msgid "The answer is {glue:}`answer`."\n'
                                     'msgstr "答案是 {glue:}`answer`。"\n', encoding="utf-8")
    config = folder / "_build" / "lang" / "zh_CN" / "_config.yml"
    subprocess.run([sys.executable, str(folder / "book" / "_ext" / "course" / "translations.py"), "config", "zh_CN", str(config)],
                   check=True, timeout=300)
    # the Makefile's recipe: TRACK2_LANG=$* $(BUILD) --config ... --path-output ...
    command = build_command(folder) + ["--config", str(config), "--path-output", str(config.parent)]
    return subprocess.run(command, capture_output=True, text=True, timeout=600,
                          env={**os.environ, "PYTHONWARNINGS": "ignore", "TRACK2_LANG": "zh_CN"})


@pytest.mark.slow
def test_a_language_build_translates_and_is_as_strict_as_the_english_one(tmp_path):
    good = mini_book(tmp_path / "good", "导言")
    assert good.returncode == 0, good.stdout[-3000:] + good.stderr[-3000:]
    html_dir = tmp_path / "good" / "_build" / "lang" / "zh_CN" / "_build" / "html"
    intro = (html_dir / "book" / "intro.html").read_text(encoding="utf-8")
    assert '<html lang="zh-CN"' in intro and "<h1>导言" in intro
    assert '<p class="title logo__title">书名</p>' in intro and "<title>导言 &#8212; 书名</title>" in intro
    assert ">Capie 和 Evans [<a " in intro, "an author-year citation joins its authors' names in the language"
    ok = (html_dir / "book" / "ok.html").read_text(encoding="utf-8")
    assert "请选择…" in ok  # the notebook ran in zh_CN
    assert re.search(r"答案是 <span[^>]*>4242</span>。", ok) or "答案是 4242。" in ok, "the glued value in the translation"

    broken = mini_book(tmp_path / "broken", "导言 {ref}`no-such-label`")
    assert broken.returncode != 0
    assert "no-such-label" in broken.stdout + broken.stderr


# --------------------------------------------------------------------------- #
# The built site


class Page(HTMLParser):
    """What a test needs of a built page: <html lang>, the switcher's links, the head's
    ``<link rel="alternate" hreflang>`` (``alternates``: hreflang -> href)."""

    def __init__(self):
        super().__init__()
        self.lang, self.navs, self.links, self._in_nav = None, [], [], False
        self.alternates: dict[str, str] = {}

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "html":
            self.lang = attrs.get("lang")
        elif tag == "nav" and "track2-languages" in (attrs.get("class") or ""):
            self.navs.append(attrs.get("aria-label"))
            self._in_nav = True
        elif tag == "a" and self._in_nav:
            self.links.append(attrs)
        elif tag == "link" and attrs.get("rel") == "alternate" and attrs.get("hreflang"):
            self.alternates[attrs["hreflang"]] = attrs.get("href")

    def handle_endtag(self, tag):
        if tag == "nav":
            self._in_nav = False


def read_page(path: Path) -> Page:
    page = Page()
    page.feed(path.read_text(encoding="utf-8"))
    return page


def test_the_site_publishes_exactly_the_published_languages(built_html):
    folders = {p.name for p in built_html.iterdir() if p.is_dir() and p.name in translations.LANGUAGES}
    assert folders == set(published_languages())


@pytest.mark.parametrize("language", [translations.SOURCE_LANGUAGE, *published_languages()])
def test_every_page_has_its_language_and_a_switcher_to_its_counterparts(built_html, language):
    root = built_html if language == translations.SOURCE_LANGUAGE else built_html / language
    published = published_languages()
    for document in toc_documents():
        path = root / f"{document}.html"
        assert path.is_file(), f"{language}: {document} was not built"
        page = read_page(path)
        assert page.lang == translations.html_lang(language), f"{path}: <html lang={page.lang!r}>"
        if not published:
            assert page.navs == [], f"{path}: a language switcher, but no language is published"
            continue
        assert page.navs == [translations.LANGUAGES[language][1]], f"{path}: one named switcher expected"
        targets = {}
        for link in page.links:
            assert link.get("lang") == link.get("hreflang"), link
            target = (path.parent / link["href"]).resolve()
            assert target.is_file(), f"{path}: the switcher links {link['href']}, which does not exist"
            targets[link["hreflang"]] = target.relative_to(built_html).as_posix()
        assert targets == {translations.html_lang(code): (f"{code}/" if code != "en" else "") + f"{document}.html"
                           for code in ["en", *published]}, path
        current = [link for link in page.links if link.get("aria-current") == "page"]
        assert [link["hreflang"] for link in current] == [translations.html_lang(language)]
        # the head names the same pages at their published addresses (Lighthouse's hreflang
        # audit and search engines take only absolute ones)
        assert page.alternates == {code: SITE + target for code, target in targets.items()}, path
        if (built_html / "editions").is_dir():  # the offline editions, English, once at the site's root
            for href in re.findall(r'href="([^"#]*editions/[^"#]+)"', path.read_text(encoding="utf-8")):
                target = (path.parent / href).resolve()
                assert target.is_file() and target.parent == built_html / "editions", f"{path}: {href}"


@pytest.mark.parametrize("language", published_languages())
def test_each_language_has_a_sitemap_of_its_own_pages(built_html, language):
    import xml.etree.ElementTree as ET

    tree = ET.parse(built_html / language / "sitemap.xml")
    urls = [loc.text for loc in tree.getroot().findall("{http://www.sitemaps.org/schemas/sitemap/0.9}url/"
                                                      "{http://www.sitemaps.org/schemas/sitemap/0.9}loc")]
    assert sorted(urls) == sorted(f"{SITE}{language}/{document}.html" for document in toc_documents())


@pytest.mark.parametrize("language", [translations.SOURCE_LANGUAGE, *published_languages()])
def test_each_language_has_its_own_search(built_html, language):
    root = built_html if language == translations.SOURCE_LANGUAGE else built_html / language
    import json

    assert (root / "search.html").is_file() and (root / "searchindex.js").is_file()
    text = (root / "searchindex.js").read_text(encoding="utf-8")
    index = json.loads(text.removeprefix("Search.setIndex(").removesuffix(")"))
    # the index holds the pages' titles as that language's build wrote them: the home page's, here
    title = re.search(r"<title>([^<]+)</title>", (root / f"{toc_documents()[0]}.html").read_text(encoding="utf-8"))
    assert title and html.unescape(title.group(1)).split(" \u2014 ")[0].strip() in index["titles"]


def test_the_switcher_links_the_same_page_in_each_language():
    links = translations.language_links("zh_CN", ["zh_CN", "id"], "book/chapters/01-tracks.html")
    assert links == [("en", "../../../book/chapters/01-tracks.html"),
                     ("zh_CN", "../../../zh_CN/book/chapters/01-tracks.html"),
                     ("id", "../../../id/book/chapters/01-tracks.html")]
    nav = translations.switcher_html("id", translations.language_links("en", ["zh_CN", "id"], "index.html"))
    assert nav.startswith('<nav class="track2-languages" aria-label="Bahasa">')
    assert 'href="zh_CN/index.html" lang="zh-CN" hreflang="zh-CN">中文</a>' in nav


def test_the_term_lists_and_the_recipe_are_documented():
    contributing = (ROOT / "CONTRIBUTING.md").read_text(encoding="utf-8")
    assert "make catalogues" in contributing and "terms.md" in contributing
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    assert "track2_published_languages" in readme and "TRACK2_LANG" in readme
