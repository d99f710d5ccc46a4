"""Small charts as inline SVG: no plotting library, nothing to download, and a
text alternative on every chart (the same facts are always also given as text).

Colours are from the Okabe-Ito palette, which stays distinguishable with the
common forms of colour blindness; every mark also carries a text label, so colour
is never the only carrier of meaning. Text, grid lines and connecting lines are drawn
in the text colour (``currentColor``), so a chart follows the page's light or dark mode
(the book sets each chart's colour to its text colour; JupyterLab's themes do the same
for outputs); the track colours are mid-tones that read on white and on near-black.

Every chart is drawn in a coordinate system :data:`CHART_WIDTH` units wide with text
:data:`CHART_FONT` units tall, and is shown at most :data:`MAX_SCALE` times that size. A
phone 375 px wide gives the chart about 340 px, so its text is drawn at 13 px or more
there (``tests/test_phone.py`` measures it on every page: at least 12 px), and a desktop
draws it at most 16 px.

The figures of the book (one per chapter, and the home page's) are the ``*_figure``
functions: each takes the course data's tables and returns the SVG.
"""

from __future__ import annotations

import html

import pandas as pd

from track2.analysis import (REALM_LABELS, active_non_official_with_members, bodies_per_track,
                             disagreements_by_column, founded_per_decade, initiators_table, member_counts,
                             track_labels, transfers_per_decade)
from track2.i18n import _

OKABE_ITO = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00", "grey": "#595959"}
TRACK_COLOURS = {"1": OKABE_ITO["blue"], "1.5": OKABE_ITO["green"], "2": OKABE_ITO["vermillion"]}
def track_label_colours() -> dict[str, str]:
    """Each track's colour under its label (:func:`track2.analysis.track_labels`, in the reader's language)."""
    return {track_labels()[track]: colour for track, colour in TRACK_COLOURS.items()}

#: Width of every chart's drawing, in SVG units (see the module's docstring), inside a margin of
#: :data:`MARGIN` units on each side.
CHART_WIDTH = 320
#: Font size of chart text, in SVG units.
CHART_FONT = 13
#: A chart is never drawn larger than this times its size in SVG units (desktop text at most 16 px).
MAX_SCALE = 1.25
#: Grid lines and transfer arrows are drawn in the text colour, faded, not in a fixed grey.
GRID_OPACITY = 0.2
ARROW_OPACITY = 0.75
#: Rough width of one character of chart text, as a share of the font size (for layout only).
CHAR_WIDTH = 0.6


#: A margin round the drawing, in SVG units: a glyph drawn at x = 0 reaches a little to the left
#: of it (a "T", a "J"), and tests/test_phone.py fails on chart text outside the chart.
MARGIN = 4


def _svg(width: int, height: int, title: str, body: str) -> str:
    label = html.escape(title)
    outer = width + 2 * MARGIN
    return (f'<svg class="track2-chart" viewBox="-{MARGIN} 0 {outer} {height}" width="100%" '
            f'style="max-width:{round(outer * MAX_SCALE)}px" role="img" aria-label="{label}" fill="currentColor" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{body}</svg>')


def _text(x: float, y: float, text: str, anchor: str = "start", weight: str | None = None) -> str:
    bold = f' font-weight="{weight}"' if weight else ""
    middle = "" if anchor == "start" else f' text-anchor="{anchor}"'
    return f'<text x="{x}" y="{y}" font-size="{CHART_FONT}"{middle}{bold}>{html.escape(str(text))}</text>'


def _plural(n: int, one: str, many: str | None = None) -> str:
    return f"{n} {one if n == 1 else (many or one + 's')}"


# --------------------------------------------------------------------------- #
# Building blocks

def bar_chart(values: pd.Series, title: str, colours: dict[str, str] | str = OKABE_ITO["blue"],
              unit: tuple[str, str] | None = None) -> str:
    """Horizontal bars, one per item of ``values`` (labels from its index), each label
    written above its bar so that long labels fit a phone, the count at the bar's end.

    ``colours`` is one colour, or a colour per label (a label missing from it is grey).
    ``unit`` (singular, plural) words the counts in the text alternative; the title
    says what is counted.
    """
    if values.empty:
        return _svg(CHART_WIDTH, 30, title, _text(0, 20, _("Nothing to show.")))
    largest = max(1, int(values.max()))
    room = CHART_WIDTH - 40
    body, row = "", 42
    for i, (label, n) in enumerate(values.items()):
        y = i * row
        colour = colours if isinstance(colours, str) else colours.get(str(label), OKABE_ITO["grey"])
        length = round(room * int(n) / largest, 1)
        body += (_text(0, y + 14, label)
                 + f'<rect x="0" y="{y + 20}" width="{max(length, 1.5)}" height="14" fill="{colour}"/>'
                 + _text(round(length + 5, 1), y + 32, int(n)))
    words = (lambda n: _plural(int(n), *unit)) if unit else (lambda n: str(int(n)))
    alt = f"{title}: " + "; ".join(f"{label}: {words(n)}" for label, n in values.items())
    return _svg(CHART_WIDTH, len(values) * row, alt, body)


def stacked_bars(table: pd.DataFrame, title: str, colours: dict[str, str]) -> str:
    """One bar per row of ``table`` (labels from its index), split into one segment per
    column in the column's colour; the row's counts are written out above its bar, and a
    legend names the colours."""
    columns = [str(c) for c in table.columns]
    legend, x = "", 0.0
    for name in columns:
        short = name.split(" (")[0]
        legend += (f'<rect x="{x}" y="3" width="12" height="12" fill="{colours.get(name, OKABE_ITO["grey"])}"/>'
                   + _text(round(x + 16, 1), 14, short))
        x = round(x + 16 + len(short) * CHAR_WIDTH * CHART_FONT + 14, 1)
    totals = table.sum(axis=1)
    largest = max(1, int(totals.max()))
    room = CHART_WIDTH - 10
    body, row, top = legend, 42, 28
    lines = []
    for i, (label, counts) in enumerate(table.iterrows()):
        y = top + i * row
        parts = [f"{int(n)} {name.split(' (')[0]}" for name, n in zip(columns, counts) if int(n)]
        line = f"{label}: " + (", ".join(parts) if parts else _("none"))
        lines.append(line)
        body += _text(0, y + 14, line)
        x = 0.0
        for name, n in zip(columns, counts):
            if int(n):
                length = round(room * int(n) / largest, 1)
                body += (f'<rect x="{x}" y="{y + 20}" width="{length}" height="14" '
                         f'fill="{colours.get(str(name), OKABE_ITO["grey"])}"/>')
                x = round(x + length, 1)
    return _svg(CHART_WIDTH, top + len(table) * row, f"{title}: " + "; ".join(lines), body)


def overlap_bars(shared: int, only_first: int, only_second: int, first: str, second: str) -> str:
    """Three labelled horizontal bars: members of both, of only the first, of only the second."""
    values = pd.Series({_("both {first} and {second}").format(first=first, second=second): shared,
                        _("only {body}").format(body=first): only_first,
                        _("only {body}").format(body=second): only_second})
    colours = dict(zip(values.index, (OKABE_ITO["green"], OKABE_ITO["blue"], OKABE_ITO["orange"])))
    return bar_chart(values, _("Members of {first} and {second}").format(first=first, second=second), colours,
                     unit=(_("member"), _("members")))


def timeline_svg(bodies: pd.DataFrame, links: pd.DataFrame, title: str) -> str:
    """One row per body with a dot at its founding year; each idea transfer is an
    arrow from the Track 2 body's row to the Track 1 body's row at the transfer's year."""
    if bodies.empty:
        return _svg(CHART_WIDTH, 30, title, _text(0, 20, _("No bodies match this choice.")))
    first = int(min(bodies["founded_year"].min(), links["year"].min() if len(links) else 9999)) // 5 * 5
    last = int(max(bodies["founded_year"].max(), links["year"].max() if len(links) else 0)) // 5 * 5 + 5
    labels = [f"{item.id} (T{item.track})" for item in bodies.itertuples()]
    left = round(max(len(label) for label in labels) * CHAR_WIDTH * CHART_FONT) + 8
    # room on the right for half of the last year's label, centred on the last grid line
    width, row = CHART_WIDTH - left - round(2 * CHAR_WIDTH * CHART_FONT) - 2, 22
    # a year label every 10 years, or every 20 when 10 would crowd them (a label is 4 digits,
    # and needs a gap of 8 units from the next: at 3 digits' width they ran together)
    label_every = 10 if width / (last - first) * 10 >= 4 * CHAR_WIDTH * CHART_FONT + 8 else 20

    def x(year: float) -> float:
        return round(left + (year - first) / (last - first) * width, 1)

    rows = {body: i for i, body in enumerate(bodies["id"])}
    height = 30 + row * len(rows) + 24
    body = ('<defs><marker id="arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" '
            f'markerHeight="6" orient="auto"><path d="M0,0 L10,5 L0,10 z" fill="currentColor" '
            f'fill-opacity="{ARROW_OPACITY}"/></marker></defs>')
    for year in range(first, last + 1, 5):
        body += (f'<line class="track2-grid" x1="{x(year)}" y1="20" x2="{x(year)}" y2="{height - 24}" '
                 f'stroke="currentColor" stroke-opacity="{GRID_OPACITY}"/>')
        if year % label_every == 0:
            body += _text(x(year), height - 6, year, anchor="middle")
    for label, item in zip(labels, bodies.itertuples()):
        y = 30 + rows[item.id] * row
        body += (_text(0, y + 4, label)
                 + f'<circle cx="{x(item.founded_year)}" cy="{y}" r="5" fill="{TRACK_COLOURS[str(item.track)]}"/>')
    for link in links.itertuples():
        y1, y2 = 30 + rows[link.from_id] * row, 30 + rows[link.to_id] * row
        body += (f'<line x1="{x(link.year)}" y1="{y1}" x2="{x(link.year)}" y2="{y2}" '
                 f'stroke="currentColor" stroke-opacity="{ARROW_OPACITY}" stroke-width="1.5" stroke-dasharray="4 2" '
                 'marker-end="url(#arrow)"/>')
    return _svg(CHART_WIDTH, height, title, body)


# --------------------------------------------------------------------------- #
# The book's figures

#: How a pair's line is drawn for each realm (SVG stroke-dasharray; solid for security).
REALM_DASHES = {"security": "", "economic": "7 4", "both": "2 3"}


def _order_by_partners(ids: list[str], partners: dict[str, list[float]]) -> list[str]:
    """``ids`` sorted by the mean position of their partners (fewer crossing lines)."""
    return sorted(ids, key=lambda i: (sum(partners[i]) / len(partners[i]), ids.index(i)))


def pairs_figure(institutions: pd.DataFrame, pairs: pd.DataFrame) -> str:
    """The Track 1 - Track 2 pairs as a diagram: official bodies on the left, their
    non-official partners on the right (coloured by track), a line for each pair drawn
    by realm (solid: security; dashed: economic; dotted: both)."""
    official = list(dict.fromkeys(pairs["track1_id"]))
    partners_of_official = {b: [] for b in official}
    unofficial = list(dict.fromkeys(pairs["track2_id"]))
    for pair in pairs.itertuples():
        partners_of_official[pair.track1_id].append(unofficial.index(pair.track2_id))
    official = _order_by_partners(official, partners_of_official)
    partners_of_unofficial = {b: [] for b in unofficial}
    for pair in pairs.itertuples():
        partners_of_unofficial[pair.track2_id].append(official.index(pair.track1_id) * len(unofficial) / len(official))
    unofficial = _order_by_partners(unofficial, partners_of_unofficial)

    box_w, box_h, top, row = 104, 24, 28, 30
    rows = max(len(official), len(unofficial))
    span = row * (rows - 1)

    def y_of(ids: list[str], body_id: str) -> float:
        if len(ids) == 1:
            return top + span / 2
        return round(top + span * ids.index(body_id) / (len(ids) - 1), 1)

    body = (_text(0, 16, _("Track 1 (official)"), weight="600")
            + _text(CHART_WIDTH, 16, _("Track 2 / 1.5"), "end", "600"))
    for pair in pairs.itertuples():
        y1 = y_of(official, pair.track1_id) + box_h / 2
        y2 = y_of(unofficial, pair.track2_id) + box_h / 2
        dash = REALM_DASHES.get(pair.realm, "")
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        body += (f'<line x1="{box_w}" y1="{y1}" x2="{CHART_WIDTH - box_w}" y2="{y2}" stroke="currentColor" '
                 f'stroke-opacity="{ARROW_OPACITY}" stroke-width="1.5"{dashes}/>')
    for ids, x in ((official, 0), (unofficial, CHART_WIDTH - box_w)):
        for body_id in ids:
            y = y_of(ids, body_id)
            colour = TRACK_COLOURS[str(institutions.loc[body_id, "track"])]
            body += (f'<rect x="{x}" y="{y}" width="{box_w}" height="{box_h}" rx="4" fill="{colour}" '
                     f'fill-opacity="0.15" stroke="{colour}" stroke-width="2"/>'
                     + _text(x + box_w / 2, y + 17, body_id, "middle"))
    legend_y = top + span + box_h + 26
    x = 0
    for realm, dash in REALM_DASHES.items():
        dashes = f' stroke-dasharray="{dash}"' if dash else ""
        body += (f'<line x1="{x}" y1="{legend_y - 4}" x2="{x + 24}" y2="{legend_y - 4}" stroke="currentColor" '
                 f'stroke-width="1.5"{dashes}/>' + _text(x + 28, legend_y, _(REALM_LABELS[realm])))
        x += 28 + round(len(_(REALM_LABELS[realm])) * CHAR_WIDTH * CHART_FONT) + 18
    described = "; ".join(
        _("{track1} with {track2} (Track {track}, {realm})").format(
            track1=pair.track1_id, track2=pair.track2_id, track=institutions.loc[pair.track2_id, 'track'],
            realm=_(REALM_LABELS.get(pair.realm, pair.realm)))
        for pair in pairs.itertuples())
    title = _("{count} pairs of an official (Track 1) body and a non-official partner in the course data: "
              "{pairs}").format(count=len(pairs), pairs=described)
    return _svg(CHART_WIDTH, legend_y + 6, title, body)


def tracks_figure(institutions: pd.DataFrame) -> str:
    """How many bodies the data put on each track."""
    counts = bodies_per_track(institutions).rename(track_labels())
    return bar_chart(counts, _("Bodies in the course data, by track"), track_label_colours(),
                     unit=(_("body"), _("bodies")))


def decades_figure(institutions: pd.DataFrame) -> str:
    """Bodies founded in each decade, split by track."""
    table = founded_per_decade(institutions)
    table.index = [_("{decade}s").format(decade=decade) for decade in table.index]
    return stacked_bars(table, _("Bodies founded in each decade, by track"), track_label_colours())


def pairs_timeline_figure(institutions: pd.DataFrame, pairs: pd.DataFrame, transfers: pd.DataFrame) -> str:
    """The founding years of the bodies in a pair, official bodies first, with each idea
    transfer between two of them as an arrow."""
    ids = list(dict.fromkeys([*pairs["track1_id"], *pairs["track2_id"]]))
    bodies = (institutions.loc[ids, ["id", "track", "founded_year"]]
              .sort_values(["track", "founded_year", "id"]).reset_index(drop=True))
    links = transfers[transfers["from_id"].isin(ids) & transfers["to_id"].isin(ids)]
    dots = "; ".join(_("{body} (Track {track}) founded {year}").format(body=b.id, track=b.track, year=b.founded_year)
                     for b in bodies.itertuples())
    arrows = "; ".join(_("{source} to {target} in {year}").format(source=t.from_id, target=t.to_id, year=t.year)
                       for t in links.sort_values("year").itertuples())
    title = _("Founding years of the bodies in a pair: {bodies}. Idea transfers between them: {transfers}").format(
        bodies=dots, transfers=arrows or _("none recorded"))
    return timeline_svg(bodies, links.sort_values("year"), title)


def initiators_figure(institutions: pd.DataFrame, least: int = 2) -> str:
    """The initiators (states, bodies, people) that helped start at least ``least`` bodies."""
    counts = initiators_table(institutions)["count"]
    counts = counts[counts >= least]
    return bar_chart(counts, _("Initiators named for {least} or more bodies: bodies each helped start").format(least=least),
                     OKABE_ITO["blue"], unit=(_("body"), _("bodies")))


def transfers_figure(transfers: pd.DataFrame, until_year: int) -> str:
    """Idea transfers recorded in each decade, up to the decade of ``until_year``."""
    counts = transfers_per_decade(transfers, until_year)
    counts.index = [_("{decade}s").format(decade=decade) for decade in counts.index]
    return bar_chart(counts, _("Idea transfers from a non-official to an official body, by decade"),
                     OKABE_ITO["vermillion"], unit=(_("transfer"), _("transfers")))


def breadth_figure(institutions: pd.DataFrame, memberships: pd.DataFrame) -> str:
    """Full members of each active non-official body that has a member list in the data."""
    counts = member_counts(memberships).reindex(active_non_official_with_members(institutions, memberships))
    counts = counts.sort_values(ascending=False, kind="stable")
    colours = {b: TRACK_COLOURS[str(institutions.loc[b, "track"])] for b in counts.index}
    return bar_chart(counts, _("Full members of each active non-official body with a member list"),
                     colours, unit=(_("member"), _("members")))


def disagreements_figure(disagreements: pd.DataFrame) -> str:
    """How many disagreements fall on each table and column of the data."""
    table = disagreements_by_column(disagreements)
    counts = pd.Series(table["disagreements"].to_numpy(),
                       index=[f"{t}: {c}" for t, c in table.index]).sort_values(ascending=False, kind="stable")
    return bar_chart(counts, _("Recorded disagreements between sources, by table and column"),
                     OKABE_ITO["orange"], unit=(_("disagreement"), _("disagreements")))
