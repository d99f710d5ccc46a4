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
WIDGET_VIEW = 'script[type="application/vnd.jupyter.widget-view+json"]'
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
    """Record console errors, uncaught exceptions, requests leaving the site (which
    are blocked) and responses that fail."""
    log = PageLog()
    host = urlsplit(base).netloc
    page.on("console", lambda msg: log.errors.append(msg.text) if msg.type == "error" else None)
    page.on("pageerror", lambda exc: log.errors.append(str(exc)))
    page.on("requestfailed", lambda req: log.failed.append(f"{req.url} ({req.failure})")
            if urlsplit(req.url).netloc == host else None)
    page.on("response", lambda res: log.failed.append(f"{res.url} ({res.status})") if res.status >= 400 else None)

    def route(route):
        url = route.request.url
        if urlsplit(url).scheme in ("data", "blob") or urlsplit(url).netloc == host:
            route.continue_()
        else:
            log.outside.append(url)
            route.abort()

    page.route("**/*", route)
    return log
