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

from track2.analysis import TRACK_LABELS, founding_gap, member_counts, membership_overlap, pair_bodies
from track2.data import split_list


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


def _items(names) -> str:
    names = list(names)
    if not names:
        return "<p>none</p>"
    return "<ul>" + "".join(f"<li>{html.escape(str(n))}</li>" for n in names) + "</ul>"


def _profile_html(body: pd.Series, member_count: int) -> str:
    rows = {
        "Track": TRACK_LABELS[str(body["track"])],
        "Realm": body["realm"],
        "Founded": body["founded_year"],
        "Initiators": ", ".join(split_list(body["initiators"])) or "not recorded",
        "Secretariat": body["secretariat"] if not pd.isna(body["secretariat"]) else "not recorded",
        "Full members in the data": member_count or "no member list in the data",
    }
    cells = "".join(f"<tr><th scope='row'>{k}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows.items())
    return (f"<table class='track2-table'><caption>{html.escape(body['id'])}: "
            f"{html.escape(body['name'])}</caption><tbody>{cells}</tbody></table>")


def pair_view_html(data, pair_id: str) -> str:
    """Everything the pair explorer shows for one pair, as accessible HTML text."""
    official, unofficial = pair_bodies(data.pairs, pair_id)
    inst = data.institutions
    overlap = membership_overlap(data.memberships, data.pairs, pair_id)
    gap = founding_gap(inst, data.pairs, pair_id)
    counts = member_counts(data.memberships)
    transfers = data.idea_transfers[(data.idea_transfers.from_id == unofficial)
                                    & (data.idea_transfers.to_id == official)].sort_values("year")
    years = f"{abs(gap)} year{'s' if abs(gap) != 1 else ''}"
    when = (f"{unofficial} was founded {years} before {official}." if gap > 0 else
            f"{unofficial} was founded {years} after {official}." if gap < 0 else
            f"{unofficial} and {official} were founded in the same year.")
    if overlap["jaccard"] is None:
        overlap_html = "<p>The data hold no member list for one of the two bodies, so overlap cannot be computed.</p>"
    else:
        overlap_html = (
            f"<p>Jaccard index: <strong>{overlap['jaccard']}</strong> "
            f"({len(overlap['shared'])} shared members).</p>"
            f"<h4>Members of both</h4>{_items(overlap['shared'])}"
            f"<h4>Only in {html.escape(official)}</h4>{_items(overlap['only_track1'])}"
            f"<h4>Only in {html.escape(unofficial)}</h4>{_items(overlap['only_track2'])}"
        )
    transfer_items = [f"{row.year}: {row.idea}. Evidence: {row.evidence}" for row in transfers.itertuples()]
    return (
        f"<div class='track2-pair' data-pair='{html.escape(pair_id)}'>"
        f"<h3>{html.escape(pair_id)} ({html.escape(str(data.pairs.loc[pair_id, 'realm']))})</h3>"
        f"<p>{html.escape(str(data.pairs.loc[pair_id, 'link']))}</p>"
        f"{_profile_html(inst.loc[official], int(counts.get(official, 0)))}"
        f"{_profile_html(inst.loc[unofficial], int(counts.get(unofficial, 0)))}"
        f"<p>{html.escape(when)}</p>"
        f"<h4>Membership overlap</h4>{overlap_html}"
        f"<h4>Ideas taken up by {html.escape(official)}</h4>{_items(transfer_items)}"
        "</div>"
    )


def pair_explorer(data) -> ViewSwitcher:
    """Pick a Track 1 - Track 2 pair; see both profiles, their overlap and idea transfers."""
    return ViewSwitcher("Institution pair:", {pair_id: pair_view_html(data, pair_id) for pair_id in data.pairs.index})
