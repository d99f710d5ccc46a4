"""The thin widget layer: controls that switch between views computed in advance.

A static page of the book has no Python kernel, so no Python callback can run
there. Every explorer is therefore built the same way: a pure function computes
each view from the data, each view is rendered once, and the control is linked
to the views in the browser (``jslink``). The same widget works unchanged in live
JupyterLab, on Binder and in the published book, offline.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from track2.analysis import TRACK_LABELS


class ViewSwitcher(widgets.VBox):
    """A labelled dropdown that shows one of several views rendered in advance.

    The dropdown's ``index`` is linked to a ``Stack``'s ``selected_index`` in the
    front end (``jslink``), so switching works with or without a kernel.

    Args:
        label: the dropdown's visible label, e.g. ``"Track:"``.
        views: option label -> HTML of the view shown for it.
    """

    def __init__(self, label: str, views: dict[str, str]):
        if not views:
            raise ValueError("ViewSwitcher needs at least one view")
        self.dropdown = widgets.Dropdown(
            options=list(views),
            index=0,
            description=label,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="max-content", max_width="100%"),
        )
        self.stack = widgets.Stack(
            [widgets.HTML(value=body) for body in views.values()],
            selected_index=0,
            layout=widgets.Layout(max_width="100%", overflow="auto"),
        )
        self.link = widgets.jslink((self.dropdown, "index"), (self.stack, "selected_index"))
        super().__init__([self.dropdown, self.stack])


def table_html(frame: pd.DataFrame, caption: str) -> str:
    """An accessible HTML table: a caption, header cells and escaped text."""
    return frame.to_html(index=False, escape=True, border=0, classes="track2-table").replace(
        "<thead>", f"<caption>{html.escape(caption)}</caption><thead>", 1
    )


def track_explorer(institutions: pd.DataFrame) -> ViewSwitcher:
    """Pick a track; see its bodies in order of founding."""
    views = {}
    for track, label in TRACK_LABELS.items():
        bodies = institutions[institutions["track"] == track].sort_values(["founded_year", "id"])
        shown = bodies[["id", "name", "realm", "founded_year"]].rename(
            columns={"id": "Acronym", "name": "Name", "realm": "Realm", "founded_year": "Founded"}
        )
        views[label] = table_html(shown, f"{label}: {len(bodies)} bodies in the course data")
    return ViewSwitcher("Track:", views)
