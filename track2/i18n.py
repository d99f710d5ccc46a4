"""The package's student-facing strings in the reader's language (gettext, domain ``track2``).

Widget labels, quick-check questions and feedback, checker feedback and chart text
are written in English in the code (and in ``exercises/source/*.questions.yml``) and
marked: ``_("...")`` translates at once, ``N_("...")`` only marks a module constant
that is translated where it is shown. Their translations live in
``track2/locale/<lang>/LC_MESSAGES/track2.po`` (compiled to ``track2.mo`` by
``make catalogues`` and shipped with the package). The language is the environment
variable ``TRACK2_LANG`` (``zh_CN``, ``id``; unset or ``en``: English), which the
Makefile sets when it builds a translated edition, so that notebooks executed for it
show their widgets in its language. A language with no catalogue is an error, not a
silent fall-back to English.

>>> import os; os.environ.pop(LANGUAGE_VARIABLE, None) and None
>>> _("Choose…")
'Choose…'
"""

from __future__ import annotations

import gettext
import os
from functools import cache
from pathlib import Path

DOMAIN = "track2"
LANGUAGE_VARIABLE = "TRACK2_LANG"
SOURCE_LANGUAGE = "en"
LOCALE_DIR = Path(__file__).parent / "locale"
#: Where the marked strings are (folders of the repository; ``make catalogues`` extracts from
#: them with ``track2/locale/babel.cfg``): the package, the quick checks' files, and the course's
#: Sphinx extension (the "Run this notebook" box, the widgets' fallback, the editions' links).
MESSAGE_SOURCES = ("track2", "exercises/source", "book/_ext/course")


def language() -> str:
    """The language the package speaks now: ``TRACK2_LANG``, or English."""
    return os.environ.get(LANGUAGE_VARIABLE, "").strip() or SOURCE_LANGUAGE


def available_languages() -> list[str]:
    """The languages with a compiled catalogue, besides English."""
    return sorted(path.parent.parent.name for path in LOCALE_DIR.glob(f"*/LC_MESSAGES/{DOMAIN}.mo"))


@cache
def translation(lang: str) -> gettext.NullTranslations:
    """The catalogue of ``lang`` (English: none)."""
    if lang == SOURCE_LANGUAGE:
        return gettext.NullTranslations()
    try:
        return gettext.translation(DOMAIN, LOCALE_DIR, languages=[lang])
    except FileNotFoundError:
        raise ValueError(f"{LANGUAGE_VARIABLE}={lang!r}: the track2 package has no catalogue for this language "
                         f"(no {LOCALE_DIR / lang / 'LC_MESSAGES' / (DOMAIN + '.mo')}); choose one of: "
                         f"{', '.join([SOURCE_LANGUAGE, *available_languages()])}") from None


def _(message: str) -> str:
    """``message`` in the reader's language (itself where no translation exists)."""
    return translation(language()).gettext(message) if message else message


def N_(message: str) -> str:
    """Mark ``message`` for extraction only; translate it with ``_`` where it is shown."""
    return message
