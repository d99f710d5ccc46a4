"""Debian's Chromium, as the course drives it through Playwright: the browser tests, the bench,
the screenshots and the PDF edition (book/_ext/course/editions.py) all launch it with these."""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
#: Every host but this machine's (127.0.0.1, where the book is served) is unreachable: no name
#: resolves, so a request that leaves the site fails in the browser itself, with no request
#: held for Playwright to decide (tests/browser.py's ``watch`` records any such request).
OFFLINE = "--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE 127.0.0.1"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync", OFFLINE,
]
