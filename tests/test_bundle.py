"""The course's widget bundle (book/_ext/course/widget_bundle.py, book/_ext/course/widgets_bundle/,
built by `npm run build:widgets` from `make assets`):
built reproducibly from the pinned npm packages, small, and holding every widget
class the built pages use (checked in the bundle itself, loaded in Chromium)."""

from __future__ import annotations

import gzip
import json
import re
import shutil
import subprocess
import sys

import pytest

from conftest import ROOT

sys.path.insert(0, str(ROOT / "book" / "_ext"))
from course import widget_bundle  # noqa: E402

BUNDLE = "_static/offline/widgets/track2-widgets.js"
STATE = re.compile(r'<script type="application/vnd.jupyter.widget-state\+json">(.*?)</script>', re.S)


def widget_states(html_dir) -> dict[str, dict]:
    """The embedded widget state of every built page that has one."""
    states = {}
    for page in sorted(html_dir.rglob("*.html")):
        if "_static" in page.parts:
            continue
        found = STATE.search(page.read_text(encoding="utf-8"))
        if found:
            states[str(page.relative_to(html_dir))] = json.loads(found.group(1))
    return states


def test_pages_with_widgets_load_the_course_bundle_and_nothing_of_the_html_manager(built_html):
    states = widget_states(built_html)
    assert len(states) >= 10, "expected the notebooks and exercise pages to embed widgets"
    for name in states:
        text = (built_html / name).read_text(encoding="utf-8")
        assert 'src="' in text and "offline/widgets/track2-widgets.js" in text, name
        assert "offline/widgets/track2-widgets.css" in text, name
        assert "embed-amd" not in text and "require.js" not in text, name
    assert (built_html / BUNDLE).is_file()
    assert not (built_html / "_static" / "offline" / "html-manager").exists()


def test_every_widget_class_the_pages_use_is_declared_for_the_bundle(built_html):
    """The build-time check (a warning, so `-W` fails the build) finds nothing to add."""
    missing = {name: widget_bundle.missing_classes(state) for name, state in widget_states(built_html).items()}
    assert {name: m for name, m in missing.items() if m} == {}


def test_the_build_check_names_a_class_missing_from_the_bundle():
    state = {"state": {"a": {"model_name": "IntSliderModel", "model_module": "@jupyter-widgets/controls",
                             "model_module_version": "2.0.0",
                             "state": {"_view_name": "IntSliderView", "_view_module": "@jupyter-widgets/controls",
                                       "_view_module_version": "2.0.0"}},
                       "b": {"model_name": "LayoutModel", "model_module": "@jupyter-widgets/base",
                             "model_module_version": "1.2.0", "state": {}}}}
    assert widget_bundle.missing_classes(state) == [
        "LayoutModel (@jupyter-widgets/base 1.2.0)",  # an ipywidgets 7 model: not in the bundle
        "IntSliderModel (@jupyter-widgets/controls 2.0.0)", "IntSliderView (@jupyter-widgets/controls 2.0.0)",
    ]


def test_bundle_is_built_reproducibly_from_the_pinned_packages(built_html, tmp_path):
    """Building again from book/_ext/widgets_bundle and node_modules (npm ci) gives the
    very bytes the book serves (the stylesheet: the bytes `make assets` built, which the book
    serves purged of the rules no page uses, light_pages.py)."""
    node = shutil.which("node")
    assert node, "node is needed to build the widget bundle"
    result = subprocess.run([node, str(widget_bundle.SOURCE / "build.mjs"), str(tmp_path)], cwd=ROOT,
                            capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    served = built_html / "_static" / "offline" / "widgets"
    assets = ROOT / "_build" / "assets" / "static" / "offline" / "widgets"
    for name in widget_bundle.OUTPUTS:
        assert (tmp_path / name).read_bytes() == (assets / name).read_bytes(), name
        if name.endswith(".css"):
            assert 0 < (served / name).stat().st_size < (assets / name).stat().st_size / 2, name
        else:
            assert (tmp_path / name).read_bytes() == (served / name).read_bytes(), name


def test_bundle_is_small(built_html):
    """The HTML manager's embed-amd.js was 894 KB gzip-compressed; the bundle holds only
    what the course's widgets need."""
    raw = (built_html / BUNDLE).read_bytes()
    assert len(gzip.compress(raw, compresslevel=6)) < 120 * 1024
    text = raw.decode("utf-8")
    for absent in ("IntSliderModel", "DatePickerView", "OutputModel", "fontawesome", "Ajv",
                   "jQuery JavaScript Library", "htmlparser2"):
        assert absent not in text, f"{absent} should not be in the bundle"


@pytest.fixture
def bundle_page(chromium, site):
    """A blank page on the local site with only the bundle loaded."""
    context = chromium.new_context()
    page = context.new_page()
    errors = []
    page.on("pageerror", lambda exc: errors.append(str(exc)))
    page.goto(site.base + "_static/offline/widgets/track2-widgets.LICENSES.txt")
    page.set_content("<!doctype html><html><body><p>blank</p></body></html>")
    page.add_script_tag(url=site.base + BUNDLE)
    page.wait_for_function("window.track2Widgets !== undefined && window.track2Widgets.ready !== null")
    page.evaluate("window.track2Widgets.ready.then(() => true)")
    yield page
    assert errors == []
    context.close()


def test_every_widget_class_the_pages_use_is_in_the_bundle(bundle_page, built_html):
    """Asked of the bundle itself: each (module, class) every page's widget state names
    resolves to a class, at a compatible module version."""
    needed = set()
    for state in widget_states(built_html).values():
        needed |= widget_bundle.classes_in_state(state)
    assert {name for _, _, name in needed} >= {"DropdownModel", "StackView", "LinkModel", "LayoutModel"}
    found = bundle_page.evaluate("""(needed) => needed.map(([module, version, name]) => {
        const m = window.track2Widgets.modules[module];
        const ok = !!m && m.version.split('.')[0] === version.split('.')[0]
                   && typeof m.classes[name] === 'function';
        return ok ? null : `${name} (${module} ${version})`;
    }).filter(Boolean)""", sorted(needed))
    assert found == []


def test_bundle_renders_a_widget_state_it_is_given(bundle_page):
    """A Dropdown linked to a Stack, as track2.widgets builds them, renders and switches."""
    state = {"version_major": 2, "version_minor": 0, "state": {}}
    layout = {"model_name": "LayoutModel", "model_module": "@jupyter-widgets/base",
              "model_module_version": "2.0.0", "state": {}}

    def add(model_id, name, module, values):
        state["state"][model_id] = {"model_name": f"{name}Model", "model_module": module,
                                    "model_module_version": "2.0.0", "state": values}

    state["state"]["L"] = layout
    add("S1", "HTMLStyle", "@jupyter-widgets/controls", {})
    add("H1", "HTML", "@jupyter-widgets/controls", {"value": "<b>first view</b>", "layout": "IPY_MODEL_L",
                                                     "style": "IPY_MODEL_S1", "_view_name": "HTMLView"})
    add("H2", "HTML", "@jupyter-widgets/controls", {"value": "<b>second view</b>", "layout": "IPY_MODEL_L",
                                                     "style": "IPY_MODEL_S1", "_view_name": "HTMLView"})
    add("ST", "Stack", "@jupyter-widgets/controls", {"children": ["IPY_MODEL_H1", "IPY_MODEL_H2"],
                                                      "selected_index": 0, "layout": "IPY_MODEL_L",
                                                      "_view_name": "StackView"})
    add("DS", "DescriptionStyle", "@jupyter-widgets/controls", {})
    add("DD", "Dropdown", "@jupyter-widgets/controls", {"_options_labels": ["one", "two"], "index": 0,
                                                         "description": "Pick:", "layout": "IPY_MODEL_L",
                                                         "style": "IPY_MODEL_DS", "_view_name": "DropdownView"})
    add("LK", "Link", "@jupyter-widgets/controls", {"source": ["IPY_MODEL_DD", "index"],
                                                     "target": ["IPY_MODEL_ST", "selected_index"]})
    add("VB", "VBox", "@jupyter-widgets/controls", {"children": ["IPY_MODEL_DD", "IPY_MODEL_ST"],
                                                     "layout": "IPY_MODEL_L", "_view_name": "VBoxView"})
    page = bundle_page
    page.evaluate("""(state) => {
        const s = document.createElement('script');
        s.type = 'application/vnd.jupyter.widget-state+json'; s.textContent = JSON.stringify(state);
        const v = document.createElement('script');
        v.type = 'application/vnd.jupyter.widget-view+json';
        v.textContent = JSON.stringify({version_major: 2, version_minor: 0, model_id: 'VB'});
        document.body.append(s, v);
        return window.track2Widgets.renderWidgets().then(() => true);
    }""", state)
    page.get_by_label("Pick:").select_option(label="two")
    page.get_by_text("second view").wait_for(state="visible", timeout=5000)
    assert not page.get_by_text("first view").is_visible()


def test_bundle_sanitizes_html_descriptions_like_the_html_manager(bundle_page):
    """ManagerBase's sanitizer for descriptions with HTML (replacing sanitize-html): the
    same allowlist; nothing that runs or loads survives."""
    clean = bundle_page.evaluate(
        """() => window.track2Widgets.sanitize(
            '<b onclick="x()">bold</b><script>bad()</script><img src="javascript:x" onerror="y()">'
            + '<a href="https://example.org/" target="_top">ok</a><iframe src="/">f</iframe>'
            + '<em class="c" style="color:red">em</em><table><tr><td>cell</td></tr></table>')""")
    assert clean == ('<b>bold</b><img><a href="https://example.org/">ok</a>'
                     '<em class="c" style="color:red">em</em>cell')


@pytest.mark.parametrize("changed, rebuilt", [
    ("book/_ext/course/widgets_bundle/widgets.json", {"build:widgets"}),
    ("book/_ext/course/icon_fonts/icons.json", {"build:icons"}),
    ("package-lock.json", {"build:widgets", "build:icons"}),
    ("book/intro.md", set()),
], ids=["widget-classes", "icon-list", "npm-packages", "a-page"])
def test_make_rebuilds_the_front_end_files_only_when_their_inputs_change(built_html, changed, rebuilt):
    """`make assets` (run by `make book`) after a build: with one input pretended newer
    (make -W, nothing touched), it plans exactly the npm scripts that input feeds."""
    assert (ROOT / changed).is_file()
    result = subprocess.run(["make", "--no-print-directory", "-n", "-W", changed, "assets"], cwd=ROOT,
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    planned = set(re.findall(r"npm run --silent (build:\w+)", result.stdout))
    assert planned == rebuilt, result.stdout


def test_an_explorers_placeholder_holds_its_first_view_and_nothing_else_has_one():
    """widget_bundle.placeholder: the space an explorer (a ViewSwitcher) will take, from the
    page's widget state: its first view, invisible and inert; other widgets get none."""
    import ipywidgets
    from ipywidgets.embed import embed_data

    from track2.widgets import ViewSwitcher

    switcher = ViewSwitcher("Pick:", {"one": "<p>first view</p>", "two": "<p>second view</p>"}, first="two")
    plain = ipywidgets.HTML("<p>alone</p>")
    data = embed_data(views=[switcher, plain])
    state = data["manager_state"]
    reserved = widget_bundle.placeholder(state, switcher.model_id)
    assert "<p>second view</p>" in reserved and "first view" not in reserved  # the view it opens on
    assert 'aria-hidden="true"' in reserved and " inert" in reserved
    assert widget_bundle.placeholder(state, plain.model_id) == ""
    assert widget_bundle.placeholder(None, switcher.model_id) == ""
    assert widget_bundle.placeholder(state, "no-such-model") == ""
