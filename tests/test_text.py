"""The course text: nothing copied from the essay, every chapter built to the
course's rules, every glossary term and citation defined."""

from __future__ import annotations

import hashlib
import re
import sys
from itertools import pairwise
from pathlib import Path

import pytest

from conftest import ROOT, toc_documents

from track2.tools.course_length import course_length
from track2.tools.validate import bibliography_keys

RUN = 8  # no page may repeat this many consecutive words of the essay
# The essay is not copied into this repository: the check uses a hash of every run
# of eight words of the excerpt. Regenerate with `python tests/test_text.py <excerpt.txt>`.
ESSAY_HASHES = ROOT / "tests" / "fixtures" / "essay-8-word-runs.sha256"

CHAPTERS = sorted(str(Path(d)) for d in toc_documents() if d.startswith("book/chapters/"))


def words(text: str) -> list[str]:
    return re.findall(r"[a-z0-9]+", text.lower())


def runs(text: str, n: int = RUN) -> dict[str, str]:
    """Every run of ``n`` words, as {hash: the words}."""
    w = words(text)
    found = (" ".join(w[i:i + n]) for i in range(len(w) - n + 1))
    return {hashlib.sha256(run.encode()).hexdigest()[:16]: run for run in found}


def source_of(document: str) -> Path:
    for suffix in (".md", ".ipynb"):
        path = ROOT / f"{document}{suffix}"
        if path.is_file():
            return path
    raise FileNotFoundError(document)


def page_texts() -> dict[str, str]:
    texts = {d: source_of(d).read_text(encoding="utf-8") for d in toc_documents()}
    for notebook in sorted((ROOT / "exercises").glob("*.ipynb")):
        texts[str(notebook.relative_to(ROOT))] = notebook.read_text(encoding="utf-8")
    return texts


# Naming the essay is citing it, not copying it.
ESSAY_TITLE = "Track 2 Diplomacy in the Asia-Pacific: Lessons for the Epistemic Community"


def essay_runs() -> set[str]:
    return set(ESSAY_HASHES.read_text(encoding="utf-8").split()) - runs(ESSAY_TITLE).keys()


def test_copy_check_detects_a_copied_sentence():
    sentence = ("In the 1990s, Track 2 diplomacy and multilateralism led by the Association of "
                "Southeast Asian Nations (ASEAN) thrived in the Asia-Pacific")
    assert runs(sentence).keys() & essay_runs()
    assert len(essay_runs()) > 500  # the whole excerpt, not a fragment


@pytest.mark.parametrize("document", sorted(page_texts()))
def test_no_page_repeats_eight_words_of_the_essay(document):
    page = runs(page_texts()[document])
    copied = sorted(page[h] for h in page.keys() & essay_runs())
    assert not copied, f"{document} repeats the essay: {copied}"


def glossary_terms() -> set[str]:
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    terms = set()
    for block in re.findall(r"```\{glossary\}\n(.*?)```", text, flags=re.S):
        terms |= {line.strip().lower() for line in block.splitlines()
                  if line and not line[0].isspace() and not line.startswith(":")}
    return terms


def bib_keys() -> set[str]:
    return bibliography_keys(ROOT / "book" / "references.bib")


def test_glossary_has_the_course_key_terms():
    required = {"track 1", "track 1.5", "track 2", "track 3", "epistemic community", "idea entrepreneur",
                "symbiosis", "middle power", "preventive diplomacy", "confidence building", "asean centrality"}
    assert required <= glossary_terms()


def undefined_references(text: str) -> tuple[set[str], set[str]]:
    """Glossary terms and citation keys that ``text`` uses but the book does not define."""
    terms = {m.split("<")[-1].rstrip(">").strip().lower() for m in re.findall(r"\{term\}`([^`]+)`", text)}
    keys = {k.strip() for m in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", text) for k in m.split(",")}
    return terms - glossary_terms(), keys - bib_keys()


@pytest.mark.parametrize("document", sorted(page_texts()))
def test_every_term_and_citation_is_defined(document):
    terms, keys = undefined_references(page_texts()[document])
    assert not terms, f"undefined glossary terms: {sorted(terms)}"
    assert not keys, f"unknown citation keys: {sorted(keys)}"


def test_the_checks_catch_an_undefined_term_and_key():
    text = ("{term}`Track 2` and {term}`such term <No Such Term>`, {cite:p}`feng2018track2, nosuchkey2026` "
            "and {cite}`alsomissing`")
    assert undefined_references(text) == ({"no such term"}, {"nosuchkey2026", "alsomissing"})


def test_the_book_has_six_to_eight_chapters():
    assert 6 <= len(CHAPTERS) <= 8, (
        f"_toc.yml lists {len(CHAPTERS)} chapters under book/chapters/; the course's design has 6 to 8: "
        "merge or split chapters, or change this range with the design")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_follows_the_course_rules(chapter):
    text = source_of(chapter).read_text(encoding="utf-8")
    model = "copy it from book/chapters/01-tracks.md (CONTRIBUTING.md, recipe 1)"
    assert re.search(r"^:::\{admonition\} Learning objectives", text, flags=re.M), (
        f"{chapter}: add a ':::{{admonition}} Learning objectives' box; {model}")
    assert re.search(r"^\*\*Time:\*\* about \d+ minutes", text, flags=re.M), (
        f"{chapter}: add a line '**Time:** about N minutes' (the home page adds them up); {model}")
    assert re.search(r"^## Discussion questions", text, flags=re.M), f"{chapter}: add '## Discussion questions'; {model}"
    assert re.search(r"\{exercise\}", text) and re.search(r"\{solution\}", text), (
        f"{chapter}: add an {{exercise}} with its {{solution}} (sphinx-exercise); {model}")
    assert "{term}`" in text, f"{chapter}: link at least one term to the glossary with {{term}}`...` (book/glossary.md)"
    assert "{cite" in text, f"{chapter}: cite your sources with {{cite:p}}`key` (keys in book/references.bib)"
    assert "{glue:}" in text or "{glue:text}" in text, (
        f"{chapter}: glue the numbers the text gives from the data (glue() in the first cell, {{glue:}}`name` in the text)")
    for voice in ("The essay argues", "What the data show"):
        assert voice in text, f"{chapter}: mark a section '{voice}' (the course keeps the essay's voice and the data's apart)"


def section(text: str, heading: str) -> str:
    """The body of the level-2 section ``heading`` (up to the next level-1 or -2 heading)."""
    match = re.search(rf"^## {re.escape(heading)}\n(.*?)(?=^#{{1,2}} |\Z)", text, flags=re.S | re.M)
    return match.group(1) if match else ""


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_prerequisites_takeaways_and_questions(chapter):
    text = source_of(chapter).read_text(encoding="utf-8")
    model = "copy its form from book/chapters/01-tracks.md"
    assert re.search(r"^:::\{admonition\} Prerequisites", text, flags=re.M), (
        f"{chapter}: add a ':::{{admonition}} Prerequisites' box after the learning objectives; {model}")
    takeaways = re.findall(r"^- \S", section(text, "Key takeaways"), flags=re.M)
    assert len(takeaways) >= 3, f"{chapter}: '## Key takeaways' needs at least three '- ' points ({len(takeaways)} now)"
    questions = re.findall(r"^\d+\. \S", section(text, "Discussion questions"), flags=re.M)
    assert len(questions) >= 3, (
        f"{chapter}: '## Discussion questions' needs at least three numbered questions ({len(questions)} now)")


ANNOTATION = re.compile(r"\{cite:t\}`[^`]+`[^\n]*?\b(Why|Primary document)\b[^:]*:\s*(.+)")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_chapter_has_annotated_further_reading(chapter):
    """3-6 items, each a citation with a line on why to read it; at least one primary document."""
    items = re.findall(r"^\d+\. (.+)$", section(source_of(chapter).read_text(encoding="utf-8"), "Further reading"),
                       flags=re.M)
    form = ("numbered items such as '1. {cite:t}`key`. Why: eight words or more on what the reader gains.' "
            "(one of them 'Primary document: ...'); copy the section from book/chapters/01-tracks.md")
    assert 3 <= len(items) <= 6, (
        f"{chapter}: '## Further reading' has {len(items)} items, the course wants 3 to 6: {form}")
    for item in items:
        annotation = ANNOTATION.search(item)
        assert annotation, f"{chapter}: item without a citation and a 'Why:' or 'Primary document:' line: {item[:60]}; {form}"
        assert len(words(annotation.group(2))) >= 8, f"{chapter}: annotation under 8 words: {item[:60]}"
    assert any("Primary document" in item for item in items), (
        f"{chapter}: no 'Primary document:' item in the further reading; {form}")


def test_reading_times_agree_between_chapters_and_the_how_to_page():
    how_to = (ROOT / "book" / "how-to-use.md").read_text(encoding="utf-8")
    listed = dict(re.findall(r"^\| \{doc\}`/(book/chapters/[\w-]+)` \| about (\d+) minutes \|", how_to, flags=re.M))
    stated = {chapter: re.search(r"^\*\*Time:\*\* about (\d+) minutes", source_of(chapter).read_text(encoding="utf-8"),
                                 flags=re.M).group(1) for chapter in CHAPTERS}
    rows = "\n".join(f"| {{doc}}`/{chapter}` | about {minutes} minutes |" for chapter, minutes in stated.items())
    assert listed == stated, f"book/how-to-use.md's table of reading times should have exactly these rows:\n{rows}"


def glossary_entry(term: str) -> str:
    text = (ROOT / "book" / "glossary.md").read_text(encoding="utf-8")
    match = re.search(rf"^{re.escape(term)}\n((?:  .*\n)+)", text, flags=re.M)
    assert match, f"no glossary entry for {term!r}"
    return match.group(1)


@pytest.mark.parametrize("term", ["multilateralism", "ASEAN centrality", "confidence building", "great power",
                                  "middle power", "Track 2"])
def test_glossary_definitions_not_in_the_essay_cite_their_real_source(term):
    """Issue 13: these definitions come from other authors, so an entry may cite Feng only
    beside the source the definition comes from."""
    keys = {k.strip() for m in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", glossary_entry(term)) for k in m.split(",")}
    assert keys - {"feng2018track2"}, f"{term}: cites only Feng"


@pytest.mark.parametrize("document", sorted(page_texts()))
def test_no_placeholders(document):
    text = page_texts()[document]
    assert not re.search(r"\bTODO\b|\bTBD\b|Being written|lorem ipsum|\.\.\. paraphrase", text, flags=re.I)


@pytest.mark.parametrize("document", [d for d in toc_documents() if source_of(d).suffix == ".md"])
def test_headings_are_in_order(document):
    text = source_of(document).read_text(encoding="utf-8")
    text = re.sub(r"^(```|~~~|:::).*?^\1", "", text, flags=re.S | re.M)  # skip fenced blocks
    levels = [len(m) for m in re.findall(r"^(#{1,6}) ", text, flags=re.M)]
    assert levels and levels[0] == 1 and levels.count(1) == 1, "one H1, first"
    for before, after in pairwise(levels):
        assert after <= before + 1, f"heading level jumps from {before} to {after}"


if __name__ == "__main__":  # write the hash file from a copy of the excerpt
    excerpt = Path(sys.argv[1]).read_text(encoding="utf-8")
    ESSAY_HASHES.write_text("\n".join(sorted(runs(excerpt))) + "\n", encoding="utf-8")


def test_the_home_page_says_what_how_long_and_where_to_start():
    """The home page's first panel: what the course is, how long it takes and a link to
    chapter 1. Its figures are not typed: MyST substitutions from track2.tools.course_length,
    which counts the chapters in _toc.yml and adds up each page's **Time:** line."""
    intro = (ROOT / "book" / "intro.md").read_text(encoding="utf-8")
    # a backtick fence: a line starting ":::" makes jupytext (JupyterLab on Binder) read the
    # page as Pandoc Markdown, which needs pandoc (tests/test_launch.py reads every page)
    panel = re.search(r"^```\{container\} course-start\n(.*?)^```$", intro, flags=re.S | re.M)
    assert panel and intro.index(panel.group(0)) < intro.index("\n## "), (
        "book/intro.md should open with its ```{container} course-start``` panel, before the first '## ' heading")
    panel = panel.group(1)
    for label in ("**What:**", "**How long:**", "**Where to start:**"):
        assert label in panel, f"book/intro.md's first panel needs a paragraph starting {label}"
    for name in course_length()["substitutions"]:
        assert f"{{{{ {name} }}}}" in panel, f"book/intro.md's first panel should give {{{{ {name} }}}}, not a typed figure"
    typed = re.findall(r"\b(?:\d+|one|two|three|four|five|six|seven|eight|nine|ten) (?:chapters|hours|minutes)\b", panel)
    assert not typed, f"book/intro.md's first panel types {typed}: use the substitutions of track2/tools/course_length.py"
    assert re.search(r"^\[Start with chapter 1\]\(chapters/01-tracks\.md\)$", panel, flags=re.M), (
        "book/intro.md's first panel should end its start paragraph with [Start with chapter 1](chapters/01-tracks.md)")
    config = (ROOT / "_config.yml").read_text(encoding="utf-8")
    assert re.search(r"^\s+- track2\.tools\.course_length$", config, flags=re.M), (
        "_config.yml's sphinx.extra_extensions should list track2.tools.course_length (it defines the substitutions)")


def test_the_home_pages_figures_follow_the_toc_and_the_time_lines():
    length = course_length()
    minutes = [int(re.search(r"^\*\*Time:\*\* about (\d+) minutes", source_of(c).read_text(encoding="utf-8"),
                             flags=re.M).group(1)) for c in CHAPTERS]
    assert length["chapters"] == len(CHAPTERS) and length["chapter_minutes"] == minutes
    assert length["reading_hours"] == round(sum(minutes) / 60)
    words = length["substitutions"]
    assert words["chapter_minutes"] == (f"{min(minutes)} to {max(minutes)}" if min(minutes) < max(minutes) else str(min(minutes)))
    sets = [ROOT / "exercises" / "source" / f"{Path(chapter).name}.md" for chapter in CHAPTERS]
    untimed = [str(s.relative_to(ROOT)) for s in sets
               if not (s.is_file() and re.search(r"^\*\*Time:\*\* about \d+ minutes", s.read_text(encoding="utf-8"), flags=re.M))]
    assert not untimed, (f"every chapter has its exercise set, of the chapter's file name, with a line '**Time:** about "
                         f"N minutes.' (CONTRIBUTING.md, recipe 4): write {untimed}")
    assert len(length["exercise_minutes"]) == len(CHAPTERS)


def test_a_chapter_added_to_the_toc_changes_the_home_pages_figures(tmp_path):
    (tmp_path / "book" / "chapters").mkdir(parents=True)
    (tmp_path / "exercises" / "source").mkdir(parents=True)
    chapters = ""
    for number, minutes in enumerate([50, 55, 40, 50, 60, 50, 55, 45], start=1):
        name = f"{number:02d}-c"
        (tmp_path / "book" / "chapters" / f"{name}.md").write_text(f"# C\n\n**Time:** about {minutes} minutes.\n")
        (tmp_path / "exercises" / "source" / f"{name}.md").write_text(f"**Time:** about {15 + number} minutes.\n")
        chapters += f"      - file: book/chapters/{name}\n        sections:\n          - file: exercises/{name}\n"
    (tmp_path / "_toc.yml").write_text(f"format: jb-book\nroot: book/intro\nparts:\n  - chapters:\n{chapters}")
    assert course_length(tmp_path)["substitutions"] == {
        "chapters_in_words": "eight", "reading_hours_in_words": "seven",  # 405 minutes
        "chapter_minutes": "40 to 60", "exercise_minutes": "16 to 23"}
    (tmp_path / "book" / "chapters" / "08-c.md").write_text("# C\n")
    with pytest.raises(ValueError, match="08-c.md: no '\\*\\*Time:\\*\\* about N minutes' line; add one"):
        course_length(tmp_path)


# Sentences whose truth depends on the data but that name what they say in words: the
# data must still make them true (a change in the data fails here, naming the page).
INITIATOR_SENTENCES = {
    "book/instructor-guide.md": ["is the most frequent initiator in the data",
                                 "Japan is the most frequent initiator of the region's bodies, ahead of Australia"],
    "book/chapters/04-middle-powers.md": ["among the\nmost frequent initiators"],
    "exercises/source/04-middle-powers.md": ["named for the most bodies when initiators are counted at state level"],
}


@pytest.mark.parametrize("page", INITIATOR_SENTENCES)
def test_pages_that_call_japan_the_top_initiator_agree_with_the_data(page):
    """These pages say Japan heads the state-level count of initiators, with Australia behind it."""
    from track2.analysis import initiators_table
    from track2.data import load_course_data

    text = (ROOT / page).read_text(encoding="utf-8")
    assert all(sentence in text for sentence in INITIATOR_SENTENCES[page]), page
    counts = initiators_table(load_course_data().institutions, "initiator_states")["count"]
    top = sorted(counts.index[counts == counts.max()])
    assert top == ["Japan"], f"{page} calls Japan the top initiator at state level; the data say {top}"
    assert counts["Australia"] == counts.drop("Japan").max(), "the instructor guide puts Australia next"


@pytest.mark.parametrize("document", sorted(page_texts()))
def test_every_citation_in_the_text_names_an_author(document):
    """An author-year citation of an entry with neither author nor editor reads "[, 2025]":
    a web page with no personal author takes its publisher or publication as author."""
    import pybtex.database

    entries = pybtex.database.parse_file(str(ROOT / "book" / "references.bib")).entries
    keys = {k.strip() for m in re.findall(r"\{cite(?::\w+)?\}`([^`]+)`", page_texts()[document]) for k in m.split(",")}
    nameless = sorted(k for k in keys & set(entries) if not (entries[k].persons.get("author")
                                                              or entries[k].persons.get("editor")))
    assert not nameless, f"{document} cites entries with no author or editor: {nameless}"


def test_chapter_4_states_feng_claim_with_her_qualifier():
    """Feng says *most* Track 2 activity was initiated or led by middle powers and ASEAN
    (excerpt, p. 61): the learning objective and the takeaway keep the qualifier."""
    text = (ROOT / "book/chapters/04-middle-powers.md").read_text(encoding="utf-8")
    objective = next(line for line in text.splitlines() if line.startswith("1. state Feng's claim"))
    assert "most" in objective


# --------------------------------------------------------------------------------------- #
# Reading times (issue 25): each chapter's **Time:** line is computed from the page, not guessed.
#: Silent reading of English non-fiction averages 238 words a minute, most adults reading
#: 175 to 300 (Brysbaert 2019, `brysbaert2019` in book/references.bib). The course assumes
#: 200 for its dense, cited academic prose, which many read in a second language.
WORDS_PER_MINUTE = 200
#: The course's own allowances for what is not prose: reading one table the page shows
#: (a cell tagged hide-input) and doing one "Check your understanding" exercise.
MINUTES_PER_TABLE = 2
MINUTES_PER_EXERCISE = 5

NUMBER_WORDS = {n: w for n, w in enumerate(
    "no one two three four five six seven eight nine ten eleven twelve".split())}


def prose(text: str) -> str:
    """What a reader reads on a chapter page: no front matter, code cells, folded solutions,
    directive fences and options or labels; a role counts as the words it prints (a glued
    number, a cross-reference or a citation as one word, a term as its text)."""
    text = re.sub(r"\A---\n.*?\n---\n", "", text, flags=re.S)
    text = re.sub(r"^(`{3,})\{(code-cell|solution)\}.*?^\1$", "", text, flags=re.S | re.M)
    text = re.sub(r"^(`{3,}|:{3,}).*$|^:[\w-]+:.*$|^\([\w-]+\)=$", "", text, flags=re.M)
    text = re.sub(r"\{cite:p\}`[^`]+`", "", text)
    text = re.sub(r"\{term\}`([^`<]+?)\s*(<[^`]+>)?`", r"\1", text)
    return re.sub(r"\{[\w:]+\}`[^`]+`", "X", text)


def prose_words(text: str) -> int:
    return len(re.findall(r"\w+(?:['’.-]\w+)*", prose(text)))


def shown_tables(text: str) -> int:
    """Tables the page shows: code cells tagged hide-input."""
    return len(re.findall(r"^```\{code-cell\}[^\n]*\n:tags: \[[^\]]*hide-input", text, flags=re.M))


def exercises(text: str) -> int:
    return len(re.findall(r"^`{3,}\{exercise\}", text, flags=re.M))


def stated_time(text: str) -> str:
    """The **Time:** line a chapter should carry, computed from its text."""
    words, tables, tasks = prose_words(text), shown_tables(text), exercises(text)
    reading = words / WORDS_PER_MINUTE
    total = int((reading + MINUTES_PER_TABLE * tables + MINUTES_PER_EXERCISE * tasks) / 5 + 0.5) * 5
    rounded_words = int(words / 100 + 0.5) * 100
    plural = lambda n, word: f"{NUMBER_WORDS[n]} {word}{'s' if n != 1 else ''}"  # noqa: E731
    return (f"**Time:** about {total} minutes: about {int(reading + 0.5)} minutes to read its "
            f"{rounded_words:,} words at {WORDS_PER_MINUTE} words a minute, "
            f"{MINUTES_PER_TABLE * tables} for its {plural(tables, 'table')} and "
            f"{MINUTES_PER_EXERCISE * tasks} for its {plural(tasks, 'exercise')}.")


@pytest.mark.parametrize("chapter", CHAPTERS)
def test_a_chapters_time_is_computed_from_its_word_count(chapter):
    """The **Time:** line: prose words at WORDS_PER_MINUTE, plus the course's allowance for
    each table shown and each exercise, rounded to 5 minutes (see book/how-to-use.md)."""
    text = source_of(chapter).read_text(encoding="utf-8")
    line = re.search(r"^\*\*Time:\*\*.*$", text, flags=re.M)
    expected = stated_time(text)
    assert line and line.group(0).startswith(expected), (
        f"{chapter}: the Time line is off; write:\n{expected}\n(found: {line.group(0) if line else 'no Time line'})")


def test_the_reading_time_counts_prose_not_code_or_solutions():
    page = ("---\nkernelspec: x\n---\n\n(label)=\n# Title here\n\n```{code-cell} ipython3\n:tags: [hide-input]\n\n"
            "lots of code words here\n```\n\nSee {term}`Track 2 <track 2>` and {ref}`ch-x` {cite:p}`a,b`.\n\n"
            "````{exercise}\n:label: e1\n\nDo it.\n````\n\n````{solution} e1\n:class: dropdown\n\nSecret answer words.\n````\n")
    assert prose_words(page) == 9  # Title here See Track 2 and X Do it
    assert (shown_tables(page), exercises(page)) == (1, 1)
    assert stated_time(page).startswith("**Time:** about 5 minutes: about 0 minutes to read its 0 words")


def test_the_selection_bias_reflection_has_no_printed_solution():
    """Issue 25: chapter 4 asks students to change the set of bodies and say whether the
    conclusion moves; a reflection has no model answer in the book."""
    text = source_of("book/chapters/04-middle-powers").read_text(encoding="utf-8")
    assert re.search(r"^:label: ex-middle-reflect$", text, flags=re.M)
    assert "{solution} ex-middle-reflect" not in text
    assert "(middle-selection-bias)=" in text and "initiators_by_selection" in text
