"""Headless Chromium (Debian's, driven by Playwright) against the built book on a
local server, recording everything that would hurt an offline reader."""

from __future__ import annotations

import functools
import http.server
import threading
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import urlsplit

from track2.tools.chromium import CHROMIUM, CHROMIUM_ARGS  # noqa: F401 (the tests, bench and screenshots import them from here)


#: Where a page embeds a widget: the build writes one such script per widget output, which the
#: widget bundle replaces by the drawn widget.
WIDGET_VIEW_TYPE = "application/vnd.jupyter.widget-view+json"
WIDGET_VIEW = f'script[type="{WIDGET_VIEW_TYPE}"]'
#: Every control a reader operates in a drawn widget, of whatever kind: a dropdown's <select>, a
#: radio button, a checkbox or text field's <input>, a text area, a button (toggle buttons, a
#: plain button) and a slider's handle (role="slider"). The browser tests wait for, name, measure
#: and tap these, so a new kind of control (CONTRIBUTING.md, recipe 3) is checked as the others
#: are, with no test naming it.
WIDGET_CONTROL = ", ".join(f".jupyter-widgets {control}"
                           for control in ("select", "input", "textarea", "button", "[role=slider]"))
#: JavaScript: ``widgetChoices(root)``, the choices a reader can make in the widgets under ``root``,
#: one group per control that offers several (a <select>'s options, a group of radio buttons, a
#: group of toggle buttons), each ``{kind, area, labels, choose(i)}``: ``area`` is the output the
#: control belongs to, ``choose(i)`` makes choice ``i`` as a reader would. Prefix it to a script.
WIDGET_CHOICES = """
const widgetChoices = (root = document) => {
  const areaOf = (el) => el.closest(".cell_output, .output, article") || document.body;
  const groups = [];
  for (const select of root.querySelectorAll(".jupyter-widgets select")) {
    groups.push({kind: "select", area: areaOf(select), labels: Array.from(select.options, (o) => o.text),
                 choose: (i) => { select.selectedIndex = i; select.dispatchEvent(new Event("change", {bubbles: true})); }});
  }
  for (const box of root.querySelectorAll(".widget-radio-box")) {
    const radios = Array.from(box.querySelectorAll("input[type=radio]"));
    groups.push({kind: "radio buttons", area: areaOf(box), labels: radios.map((r) => r.labels[0]?.innerText || r.value),
                 choose: (i) => radios[i].click()});
  }
  for (const box of root.querySelectorAll(".widget-toggle-buttons")) {
    const buttons = Array.from(box.querySelectorAll("button"));
    groups.push({kind: "toggle buttons", area: areaOf(box), labels: buttons.map((b) => b.innerText.trim()),
                 choose: (i) => buttons[i].click()});
  }
  return groups;
};
"""


#: The screens a reader uses, as Playwright's context options: a desktop, and a phone (a 375-pixel
#: wide touch screen at twice the pixel density, laid out by its meta viewport as a phone does).
SCREENS = {
    "desktop": {"viewport": {"width": 1280, "height": 800}},
    "phone": {"viewport": {"width": 375, "height": 740}, "is_mobile": True, "has_touch": True,
              "device_scale_factor": 2},
}
#: The colour modes of the theme, the one a page opens in first.
MODES = ["light", "dark"]


def open_page(page, url: str) -> bool:
    """Load ``url`` and wait until its mathematics is typeset and its widgets (if any) are drawn;
    True if it has widgets."""
    response = page.goto(url, wait_until="load")
    assert response is not None and response.ok, f"{url}: HTTP {response and response.status}"
    # MathJax typesets after the load event; check the finished page
    page.evaluate("window.MathJax && MathJax.startup && MathJax.startup.promise"
                  " ? MathJax.startup.promise.then(() => true) : true")
    if not page.locator(WIDGET_VIEW).count():
        return False
    page.wait_for_selector(WIDGET_CONTROL, state="attached", timeout=15000)
    return True


def on_screen(chromium, site, screen: str, mode: str = "light"):
    """A new browser context on ``screen`` (SCREENS) opening pages in ``mode``, and a page in it
    with its log: ``(context, page, log)``; close the context when done."""
    context = chromium.new_context(**SCREENS[screen])
    in_colour_mode(context, mode)
    page = context.new_page()
    return context, page, watch(page, site.base)


class QuietHandler(http.server.SimpleHTTPRequestHandler):
    def log_message(self, *args):
        pass


class LocalSite:
    """Serve a folder on 127.0.0.1 at a free port, in a background thread (with ``handler``, a
    request handler class; bench's HostLikeSite passes one that compresses as the host does)."""

    def __init__(self, folder: Path, handler: type[http.server.SimpleHTTPRequestHandler] = QuietHandler):
        handler = functools.partial(handler, directory=str(folder))
        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), handler)
        self.base = f"http://127.0.0.1:{self.server.server_address[1]}/"
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)
        self.thread.start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


def in_colour_mode(context, mode: str) -> None:
    """Open every page of this browser context in ``mode`` ("light" or "dark"): the theme
    reads the reader's colour mode from localStorage before it draws."""
    context.add_init_script(f"localStorage.setItem('mode', '{mode}'); localStorage.setItem('theme', '{mode}');")


@dataclass
class PageLog:
    """What went wrong while a page loaded and was used."""

    errors: list[str] = field(default_factory=list)
    outside: list[str] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)

    def problems(self) -> list[str]:
        return ([f"JS error: {e}" for e in self.errors] + [f"request outside the site: {u}" for u in self.outside]
                + [f"failed request: {u}" for u in self.failed])


def watch(page, base: str) -> PageLog:
    """Record console errors, uncaught exceptions, requests leaving the site and responses that
    fail. A request that leaves the site fails in the browser (no host but 127.0.0.1 resolves:
    ``CHROMIUM_ARGS``); it is recorded as it starts, without holding it (Playwright's request
    routing hands every request to Python and back, a tenth of a page's load time)."""
    log = PageLog()
    host = urlsplit(base).netloc

    def outside(request):
        url = urlsplit(request.url)
        if url.scheme not in ("data", "blob") and url.netloc != host:
            log.outside.append(request.url)

    page.on("console", lambda msg: log.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: log.errors.append(str(exc)))
    page.on("request", outside)
    page.on("requestfailed", lambda req: log.failed.append(f"{req.url} ({req.failure})")
            if urlsplit(req.url).netloc == host else None)
    page.on("response", lambda res: log.failed.append(f"{res.url} ({res.status})") if res.status >= 400 else None)
    return log
