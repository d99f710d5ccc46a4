"""The thin widget layer: controls that switch between views computed in advance.

A static page of the book has no Python kernel, so no Python callback can run
there. Every explorer is therefore built the same way: a pure function computes
each view from the data, each view is rendered once, and the control is linked
to the views in the browser (``jslink``). The same widget works unchanged in live
JupyterLab, on Binder and in the published book, offline. The wording views
share (a founding order, a Jaccard index) is written once, here.
"""

from __future__ import annotations

import html

import ipywidgets as widgets
import pandas as pd

from track2.analysis import (
    REALM_LABELS,
    TIMELINE_FILTERS,
    bodies_on_track,
    for_reading,
    founding_gap,
    founding_timeline,
    institution,
    jaccard_range,
    member_bodies_per_track,
    member_profile,
    most_connected_member,
    members_of,
    membership_overlap,
    pair_bodies,
    pair_list_dates,
    range_text,
    timeline,
    track_labels,
    transfers_between,
)
from track2.charts import overlap_bars, timeline_svg
from track2.data import split_list
from track2.i18n import N_, _


def switch_views(control: widgets.Widget, stack: widgets.Stack):
    """Show the child of ``stack`` at ``control.index``, with or without a kernel.

    The browser does it through ``jslink`` (so the static book works offline); a
    Python observer does the same in a live kernel and in headless tests. Both set
    the same value, so they agree. Returns the front-end link.
    """
    def show(change) -> None:
        stack.selected_index = change["new"]

    control.observe(show, names="index")
    return widgets.jslink((control, "index"), (stack, "selected_index"))


class ViewSwitcher(widgets.VBox):
    """A labelled dropdown that shows one of several views rendered in advance.

    The dropdown's ``index`` is linked to a ``Stack``'s ``selected_index`` in the
    front end (``jslink``), so switching works with or without a kernel. A
    Python-side observer does the same in a live kernel, so the widget can also
    be driven and checked from Python (``switcher.dropdown.value = ...``).

    Args:
        label: the dropdown's visible label, e.g. ``"Track:"``.
        views: option label -> HTML of the view shown for it.
        first: the option shown first (default: the first of ``views``).
    """

    def __init__(self, label: str, views: dict[str, str], first: str | None = None):
        if not views:
            raise ValueError("ViewSwitcher needs at least one view")
        if first is not None and first not in views:
            raise KeyError(f"ViewSwitcher: no view {first!r}; choose one of: {', '.join(views)}")
        start = list(views).index(first) if first is not None else 0
        self.dropdown = widgets.Dropdown(
            options=list(views),
            index=start,
            description=label,
            style={"description_width": "initial"},
            layout=widgets.Layout(width="max-content", max_width="100%"),
        )
        self.stack = widgets.Stack(
            [widgets.HTML(value=body) for body in views.values()],
            selected_index=start,
            layout=widgets.Layout(max_width="100%", overflow="auto"),
        )
        self.link = switch_views(self.dropdown, self.stack)
        super().__init__([self.dropdown, self.stack])

    @property
    def current_view(self) -> str:
        """The HTML of the view now shown."""
        return self.stack.children[self.stack.selected_index].value


def founding_order_sentence(institutions: pd.DataFrame, pairs: pd.DataFrame, pair_id: str) -> str:
    """Which of a pair's bodies was founded first, in words, e.g. "CSCAP was founded 1 year
    before ARF." (the Track 2 body first)."""
    official, unofficial = pair_bodies(pairs, pair_id)
    gap = founding_gap(institutions, pairs, pair_id)
    if gap == 0:
        return _("{track2} and {track1} were founded in the same year.").format(track2=unofficial, track1=official)
    if gap > 0:
        text = _("{track2} was founded 1 year before {track1}.") if gap == 1 else \
            _("{track2} was founded {years} years before {track1}.")
    else:
        text = _("{track2} was founded 1 year after {track1}.") if gap == -1 else \
            _("{track2} was founded {years} years after {track1}.")
    return text.format(track2=unofficial, track1=official, years=abs(gap))


def jaccard_text(jaccard: float) -> str:
    """A Jaccard index as readers see it: two decimals (``0.70``)."""
    return f"{jaccard:.2f}"


def table_html(frame: pd.DataFrame, caption: str) -> str:
    """An accessible HTML table: a caption, header cells and escaped text, in a box of
    its own that scrolls sideways on a narrow screen and can be reached by keyboard
    (``tabindex``, ``role="region"`` and the caption as its name)."""
    table = frame.to_html(index=False, escape=True, border=0, classes="track2-table").replace(
        "<thead>", f"<caption>{html.escape(caption)}</caption><thead>", 1
    ).replace('<tr style="text-align: right;">', "<tr>")
    return (f"<div class='track2-table-scroll' role='region' tabindex='0' aria-label='{html.escape(caption, quote=True)}'>"
            f"{table}</div>")


#: The headings of a member's profile (track2.analysis.member_profile), marked for translation.
PROFILE_HEADINGS = (N_("Body"), N_("Name"), N_("Track"), N_("Realm"), N_("Role"), N_("Joined"))


def track_explorer(institutions: pd.DataFrame) -> ViewSwitcher:
    """Pick a track; see its bodies in order of founding."""
    views = {}
    for track, label in track_labels().items():
        bodies = founding_timeline(bodies_on_track(institutions, track))
        shown = for_reading(bodies[["id", "name", "realm", "founded_year"]])
        count = (_("{track}: 1 body in the course data") if len(bodies) == 1 else
                 _("{track}: {count} bodies in the course data"))
        views[label] = table_html(shown, count.format(track=label, count=len(bodies)))
    return ViewSwitcher(_("Track:"), views)


def _items(names, columns: bool = True) -> str:
    """An HTML list; short names flow into columns on a wide screen."""
    names = list(names)
    if not names:
        return f"<p>{html.escape(_('none'))}</p>"
    items = "".join(f"<li>{html.escape(str(n))}</li>" for n in names)
    return ("<ul style='columns: 14em; column-gap: 2em'>" if columns else "<ul>") + items + "</ul>"


def _profile_html(body: pd.Series, member_count: int) -> str:
    rows = {
        _("Track"): track_labels()[str(body["track"])],
        _("Realm"): _(REALM_LABELS.get(str(body["realm"]), str(body["realm"]))),
        _("Founded"): body["founded_year"],
        _("Initiators"): ", ".join(split_list(body["initiators"])) or _("not recorded"),
        _("Secretariat"): body["secretariat"] if not pd.isna(body["secretariat"]) else _("not recorded"),
        _("Full members in the data"): member_count or _("no member list in the data"),
    }
    cells = "".join(f"<tr><th scope='row'>{k}</th><td>{html.escape(str(v))}</td></tr>" for k, v in rows.items())
    return (f"<div style='flex: 1 1 18em; min-width: 0'><table class='track2-table'>"
            f"<caption>{html.escape(body['id'])}: {html.escape(body['name'])}</caption>"
            f"<tbody>{cells}</tbody></table></div>")


def body_profile_html(data, body_id: str) -> str:
    """One body's profile as an accessible table; an unknown id lists the valid ones."""
    body = institution(data.institutions, body_id)
    return _profile_html(body, len(members_of(data.memberships, body_id)))


def pair_view_html(data, pair_id: str) -> str:
    """Everything the pair explorer shows for one pair, as accessible HTML text."""
    official, unofficial = pair_bodies(data.pairs, pair_id)
    overlap = membership_overlap(data.memberships, data.pairs, pair_id)
    transfers = transfers_between(data.idea_transfers, unofficial, official)
    when = founding_order_sentence(data.institutions, data.pairs, pair_id)
    if overlap["jaccard"] is None:
        overlap_html = "<p>" + html.escape(_("The data hold no member list for one of the two bodies, so overlap cannot "
                                             "be computed.")) + "</p>"
    else:
        low, high = jaccard_range(data.memberships, data.disagreements, data.pairs, pair_id)
        disputed = "" if low == high else " " + html.escape(
            _("Sources disagree on some members, so depending on the list it runs {range}.").format(
                range=range_text(low, high)))
        shared = len(overlap["shared"])
        counted = (_("({count} shared member) with every listed member counted.") if shared == 1 else
                   _("({count} shared members) with every listed member counted.")).format(count=shared)
        overlap_html = (
            f"<p>{html.escape(_('Jaccard index:'))} <strong>{jaccard_text(overlap['jaccard'])}</strong> "
            f"{html.escape(counted)}{disputed} "
            + html.escape(_("Lists as of: {dates}.").format(dates=pair_list_dates(data.memberships, official, unofficial)))
            + "</p>"
            + overlap_bars(len(overlap["shared"]), len(overlap["only_track1"]), len(overlap["only_track2"]),
                           official, unofficial) +
            f"<h4>{html.escape(_('Members of both'))}</h4>{_items(overlap['shared'])}"
            f"<h4>{html.escape(_('Only in {body}').format(body=official))}</h4>{_items(overlap['only_track1'])}"
            f"<h4>{html.escape(_('Only in {body}').format(body=unofficial))}</h4>{_items(overlap['only_track2'])}"
        )
    transfer_items = [_("{year}: {idea}. Evidence: {evidence}").format(year=row.year, idea=row.idea, evidence=row.evidence)
                      for row in transfers.itertuples()]
    return (
        f"<div class='track2-pair' data-pair='{html.escape(pair_id)}'>"
        f"<h3>{html.escape(pair_id)} ({html.escape(_(REALM_LABELS.get(str(data.pairs.loc[pair_id, 'realm']), 'both')))})</h3>"
        f"<p>{html.escape(str(data.pairs.loc[pair_id, 'link']))}</p>"
        "<div style='display: flex; flex-wrap: wrap; gap: 0 2em; align-items: flex-start'>"
        f"{body_profile_html(data, official)}"
        f"{body_profile_html(data, unofficial)}"
        "</div>"
        f"<p>{html.escape(when)}</p>"
        f"<h4>{html.escape(_('Membership overlap'))}</h4>{overlap_html}"
        f"<h4>{html.escape(_('Ideas taken up by {body}').format(body=official))}</h4>{_items(transfer_items, columns=False)}"
        "</div>"
    )


def pair_explorer(data) -> ViewSwitcher:
    """Pick a Track 1 - Track 2 pair; see both profiles, their overlap and idea transfers."""
    return ViewSwitcher(_("Institution pair:"), {pair_id: pair_view_html(data, pair_id) for pair_id in data.pairs.index})


def member_explorer(data) -> ViewSwitcher:
    """Pick a state, economy or organisation; see the bodies of each track it belongs to, since when."""
    names = sorted(data.memberships["member"].unique())
    views = {}
    for name in names:
        profile = member_profile(data.memberships, data.institutions, name)
        profile["Joined"] = profile["Joined"].astype("string").fillna(_("not recorded"))
        by_track = member_bodies_per_track(data.memberships, data.institutions, name)
        summary = "; ".join(f"{track}: {n}" for track, n in by_track.items())
        belongs = (_("{member} belongs to 1 body in the course data ({tracks}).") if len(profile) == 1 else
                   _("{member} belongs to {count} bodies in the course data ({tracks})."))
        views[name] = (f"<div class='track2-member' data-member='{html.escape(name)}'>"
                       f"<p>{html.escape(belongs.format(member=name, count=len(profile), tracks=summary))}</p>"
                       + table_html(profile.rename(columns=lambda heading: _(heading)),
                                    _("Bodies {member} belongs to, by track").format(member=name)) + "</div>")
    # opens on the member of the most bodies (the alphabetical first, the ASEAN Secretariat,
    # belongs to one body, as an observer: a poor first view)
    return ViewSwitcher(_("Country, economy or organisation:"), views, first=most_connected_member(data.memberships))


def timeline_explorer(data) -> ViewSwitcher:
    """Filter the founding timeline by track or realm; idea transfers are drawn as arrows."""
    views = {}
    for choice in TIMELINE_FILTERS:
        bodies, links = timeline(data.institutions, data.idea_transfers, choice)
        shown = for_reading(bodies)
        transfer_table = links[["year", "from_id", "to_id", "idea"]].rename(
            columns={"year": _("Year"), "from_id": _("From"), "to_id": _("To"), "idea": _("Idea")})
        label = _(choice)
        counts = (_("1 body") if len(bodies) == 1 else _("{count} bodies")).format(count=len(bodies))
        arrows = (_("1 idea transfer") if len(links) == 1 else _("{count} idea transfers")).format(count=len(links))
        views[label] = (
            f"<div class='track2-timeline' data-filter='{html.escape(choice)}'>"
            "<p>" + html.escape(_(
                "{bodies} and {transfers} between them. Dots mark founding years (blue: Track 1, green: Track 1.5, "
                "vermillion: Track 2); dashed arrows run from a Track 2 body to the Track 1 body that took up its "
                "idea, in the year it did.").format(bodies=counts, transfers=arrows)) + "</p>"
            + timeline_svg(bodies, links, _("Founding timeline: {choice}").format(choice=label))
            + table_html(shown, _("Bodies in founding order: {choice}").format(choice=label))
            + table_html(transfer_table, _("Idea transfers between these bodies: {choice}").format(choice=label))
            + "</div>"
        )
    return ViewSwitcher(_("Show:"), views)
