"""Debian's Chromium, as the course drives it through Playwright: the browser tests, the bench,
the screenshots and the PDF edition (book/_ext/course/editions.py) all launch it with these."""

from __future__ import annotations

import shutil

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
CHROMIUM_ARGS = [
    "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync",
]
