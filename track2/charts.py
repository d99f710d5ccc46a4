"""Small charts as inline SVG: no plotting library, nothing to download, and a
text alternative on every chart (the same facts are always also given as text).

Colours are from the Okabe-Ito palette, which stays distinguishable with the
common forms of colour blindness; every mark also carries a text label, so colour
is never the only carrier of meaning.
"""

from __future__ import annotations

import html

import pandas as pd

OKABE_ITO = {"blue": "#0072B2", "orange": "#E69F00", "green": "#009E73", "vermillion": "#D55E00", "grey": "#595959"}
TRACK_COLOURS = {"1": OKABE_ITO["blue"], "1.5": OKABE_ITO["green"], "2": OKABE_ITO["vermillion"]}

#: Font size of chart text, in SVG units; see timeline_svg for why it is this large.
CHART_FONT = 13
#: Grid lines and transfer arrows are drawn in the text colour (``currentColor``), faded, not
#: in a fixed grey, so that they follow the page's light or dark mode (the book sets the
#: chart's colour to its text colour; JupyterLab's themes do the same for outputs).
GRID_OPACITY = 0.2
ARROW_OPACITY = 0.75


def _svg(width: int, height: int, title: str, body: str) -> str:
    label = html.escape(title)
    return (f'<svg class="track2-chart" viewBox="0 0 {width} {height}" width="100%" '
            f'style="max-width:{width}px" role="img" aria-label="{label}" fill="currentColor" '
            f'xmlns="http://www.w3.org/2000/svg"><title>{label}</title>{body}</svg>')


def overlap_bars(shared: int, only_first: int, only_second: int, first: str, second: str) -> str:
    """Three labelled horizontal bars: members of both, of only the first, of only the second."""
    rows = [(f"both {first} and {second}", shared, OKABE_ITO["green"]),
            (f"only {first}", only_first, OKABE_ITO["blue"]),
            (f"only {second}", only_second, OKABE_ITO["orange"])]
    largest = max(1, *(n for _, n, _ in rows))
    body = ""
    for i, (label, n, colour) in enumerate(rows):
        y = 8 + i * 26
        length = round(200 * n / largest)
        body += (f'<text x="0" y="{y + 14}" font-size="12">{html.escape(label)}</text>'
                 f'<rect x="170" y="{y}" width="{length}" height="18" fill="{colour}"/>'
                 f'<text x="{176 + length}" y="{y + 14}" font-size="12">{n}</text>')
    title = (f"Members of both {first} and {second}: {shared}; only {first}: {only_first}; "
             f"only {second}: {only_second}")
    return _svg(420, 88, title, body)


def timeline_svg(bodies: pd.DataFrame, links: pd.DataFrame, title: str) -> str:
    """One row per body with a dot at its founding year; each idea transfer is an
    arrow from the Track 2 body's row to the Track 1 body's row at the transfer's year."""
    if bodies.empty:
        return _svg(420, 30, title, f'<text x="0" y="20" font-size="{CHART_FONT}">No bodies match this choice.</text>')
    first = int(min(bodies["founded_year"].min(), links["year"].min() if len(links) else 9999)) // 5 * 5
    last = int(max(bodies["founded_year"].max(), links["year"].max() if len(links) else 0)) // 5 * 5 + 5
    # Narrow enough (480 units) and large enough type (13 units) that a phone, which
    # draws the chart about 340 px wide, still shows every label at 9 px or more.
    left, width, row = 118, 342, 22

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
        if year % 10 == 0:  # a grid line every 5 years, a year label every 10
            body += f'<text x="{x(year)}" y="{height - 6}" font-size="{CHART_FONT}" text-anchor="middle">{year}</text>'
    for item in bodies.itertuples():
        y = 30 + rows[item.id] * row
        body += (f'<text x="0" y="{y + 4}" font-size="{CHART_FONT}">{html.escape(item.id)} (T{item.track})</text>'
                 f'<circle cx="{x(item.founded_year)}" cy="{y}" r="5" fill="{TRACK_COLOURS[str(item.track)]}"/>')
    for link in links.itertuples():
        y1, y2 = 30 + rows[link.from_id] * row, 30 + rows[link.to_id] * row
        body += (f'<line x1="{x(link.year)}" y1="{y1}" x2="{x(link.year)}" y2="{y2}" '
                 f'stroke="currentColor" stroke-opacity="{ARROW_OPACITY}" stroke-width="1.5" stroke-dasharray="4 2" '
                 'marker-end="url(#arrow)"/>')
    return _svg(left + width + 20, height, title, body)
