"""Exercise pages say how to run their data tasks (issue 27): a "Run this notebook" box
under each exercise page's title, with the launch links the theme makes from
``_config.yml`` and the notebook's download (book/_ext/course/launch_buttons.py), and a section
of the how-to page that the box links to."""

from __future__ import annotations

import sys
from urllib.parse import urlsplit

import pytest
import yaml

from conftest import ROOT, toc_documents

sys.path.insert(0, str(ROOT / "book" / "_ext"))

CONFIG = yaml.safe_load((ROOT / "_config.yml").read_text(encoding="utf-8"))
EXERCISE_PAGES = [d for d in toc_documents() if d.startswith("exercises/")]


def soup(path):
    from bs4 import BeautifulSoup

    return BeautifulSoup(path.read_text(encoding="utf-8"), "html.parser")


# --------------------------------------------------------------------------- #
# 4. How to run the data tasks


def header_launch_links(tree) -> dict[str, str]:
    """The theme's launch buttons in the page header: ``{service: address}``."""
    found = {}
    for a in tree.select(".article-header-buttons a[href]"):
        text = a.get_text(" ", strip=True)
        if text in ("Binder", "JupyterHub", "Colab"):
            found[text] = a["href"]
    return found


@pytest.mark.parametrize("document", EXERCISE_PAGES)
def test_every_exercise_page_says_how_to_run_its_data_tasks(built_html, document):
    page = built_html / f"{document}.html"
    tree = soup(page)
    boxes = tree.select("article .track2-run-notebook")
    assert len(boxes) == 1, f"{document}: {len(boxes)} 'Run this notebook' boxes"
    box = boxes[0]
    assert box.select_one(".admonition-title").get_text(strip=True) == "Run this notebook"
    assert box.find_previous(["h1", "h2"]).name == "h1", "the box comes right under the page's title"
    links = {a.get_text(" ", strip=True): a["href"] for a in box.find_all("a", href=True)}
    launch = header_launch_links(tree)
    assert launch, f"{document}: no launch buttons in the header to compare with"
    # the same addresses as the theme's buttons, made from _config.yml, one per service
    for service, href in launch.items():
        assert links.get(f"Open it on {service}") == href, (service, links)
    settings = CONFIG["launch_buttons"]
    assert ("Open it on JupyterHub" in links) == bool(settings.get("jupyterhub_url"))
    binder = links["Open it on Binder"]
    owner_repo = urlsplit(CONFIG["repository"]["url"]).path.strip("/")
    assert binder.startswith(settings["binderhub_url"].rstrip("/")) and owner_repo in binder
    assert CONFIG["repository"]["branch"] in binder and f"{document}.ipynb" in binder
    download = links["Download the notebook"]
    assert download.endswith(".ipynb") and (page.parent / download).resolve().is_file()
    how = links.get("how")
    assert how and how.endswith("how-to-use.html#run-data-tasks")


def test_the_run_box_follows_the_launch_settings():
    from course.launch_buttons import run_box

    hub = {"text": "JupyterHub", "url": "https://hub.uni.edu/hub/user-redirect/git-pull?repo=x"}
    box = run_box([hub], "../_sources/x.ipynb")
    assert 'href="https://hub.uni.edu/hub/user-redirect/git-pull?repo=x"' in box and "Binder" not in box
    assert "Download the notebook" in box
    assert "Download" not in run_box([hub], None)


def test_the_how_to_page_says_how_to_run_the_data_tasks(built_html):
    tree = soup(built_html / "book" / "how-to-use.html")
    target = tree.find(id="run-data-tasks")
    assert target is not None, "a section the exercise pages link to"
    section = target if target.name == "section" else target.find_parent("section")
    text = section.get_text(" ", strip=True)
    for needed in ("Run this notebook", "Binder", "JupyterHub", "download", "check"):
        assert needed.lower() in text.lower(), needed
    assert "nothing needs to run in your browser" not in tree.get_text(" ")
