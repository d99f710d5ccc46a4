"""What the notebooks need to talk to the book build, without needing the build tools.

``glue`` hands a value computed from the data to the book's text (MyST-NB's
``{glue:}`` role), so no number is typed by hand. Students on Binder or a
JupyterHub do not have MyST-NB installed: there, glue shows the value if asked
to and otherwise does nothing, since there is no book to receive it.
"""

from __future__ import annotations

from IPython.display import display

try:  # the book build and the test environment
    from myst_nb import glue as _myst_glue
except ImportError:  # the student runtime (requirements.txt)
    _myst_glue = None


def glue(name: str, value, display_value: bool = False) -> None:
    """Make ``value`` available to the book text as ``{glue:}`name```."""
    if _myst_glue is not None:
        _myst_glue(name, value, display=display_value)
    elif display_value:
        display(value)
