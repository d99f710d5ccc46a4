"""The book's figures (track2.charts): each is drawn from the course data, says in its
text alternative what it shows, with the same numbers as track2.analysis, and is laid
out so that a phone draws its text at 12 px or more (tests/test_phone.py's check measures that in
the built pages; these tests check the layout rules the measurement relies on).
Which page shows which figure: tests/test_student_view.py."""

from __future__ import annotations

import re
import xml.etree.ElementTree as ET

import pandas as pd
import pytest

from track2 import charts
from track2.analysis import (TRACK_LABELS, active_non_official_with_members, bodies_per_track,
                             disagreements_by_column, founded_per_decade, initiators_table, member_counts,
                             transfers_per_decade)
from track2.data import load_course_data

SVG = "{http://www.w3.org/2000/svg}"


@pytest.fixture(scope="module")
def data():
    return load_course_data()


def figures(data) -> dict[str, str]:
    inst = data.institutions
    return {
        "pairs": charts.pairs_figure(inst, data.pairs),
        "tracks": charts.tracks_figure(inst),
        "decades": charts.decades_figure(inst),
        "pairs timeline": charts.pairs_timeline_figure(inst, data.pairs, data.idea_transfers),
        "initiators": charts.initiators_figure(inst),
        "transfers": charts.transfers_figure(data.idea_transfers, 2026),
        "breadth": charts.breadth_figure(inst, data.memberships),
        "disagreements": charts.disagreements_figure(data.disagreements),
    }


def alternative(svg: str) -> str:
    """The chart's text alternative: its aria-label, which must equal its <title>."""
    root = ET.fromstring(svg)
    title = root.find(f"{SVG}title").text
    assert root.get("role") == "img" and root.get("aria-label") == title
    return title


def test_every_figure_is_valid_svg_laid_out_for_a_phone(data):
    for name, svg in figures(data).items():
        root = ET.fromstring(svg)  # well-formed XML, or this raises
        left, _, width, _ = (float(v) for v in root.get("viewBox").split())
        assert (left, width) == (-charts.MARGIN, charts.CHART_WIDTH + 2 * charts.MARGIN), f"{name}: {width} units wide"
        assert root.get("width") == "100%"
        assert f"max-width:{round(width * charts.MAX_SCALE)}px" in root.get("style")
        texts = root.iter(f"{SVG}text")
        sizes = {float(t.get("font-size")) for t in texts}
        assert sizes == {charts.CHART_FONT}, f"{name}: font sizes {sizes}"
        # colour is fixed only for marks, from the palette; text and lines use the text colour
        fixed = set(re.findall(r'(?:stroke|fill)="(#[0-9A-Fa-f]{3,6})"', svg))
        assert fixed <= set(charts.OKABE_ITO.values()), f"{name}: colours {fixed - set(charts.OKABE_ITO.values())}"
        assert root.get("fill") == "currentColor"
        assert alternative(svg), name


def test_chart_text_is_drawn_at_12px_on_a_phone():
    # a 375 px phone leaves a chart about 340 px; text must then be drawn at 12 px or more
    assert charts.CHART_FONT * 340 / (charts.CHART_WIDTH + 2 * charts.MARGIN) >= 12
    # and a desktop draws it no larger than 16 px
    assert charts.CHART_FONT * charts.MAX_SCALE <= 16.5


def test_tracks_figure_counts_the_bodies_on_each_track(data):
    text = alternative(charts.tracks_figure(data.institutions))
    for track, n in bodies_per_track(data.institutions).items():
        assert f"{TRACK_LABELS[track]}: {n} bod" in text


def test_decades_figure_gives_every_decade_by_track(data):
    text = alternative(charts.decades_figure(data.institutions))
    table = founded_per_decade(data.institutions)
    for decade, counts in table.iterrows():
        parts = [f"{n} {label.split(' (')[0]}" for label, n in counts.items() if n]
        assert f"{decade}s: {', '.join(parts) if parts else 'none'}" in text


def test_pairs_figure_draws_each_pair_and_each_body_once(data):
    svg = charts.pairs_figure(data.institutions, data.pairs)
    root = ET.fromstring(svg)
    boxes = [t.text for t in root.iter(f"{SVG}text") if t.get("text-anchor") == "middle"]
    bodies = set(data.pairs["track1_id"]) | set(data.pairs["track2_id"])
    assert sorted(boxes) == sorted(bodies)
    lines = [line for line in root.iter(f"{SVG}line")]
    assert len(lines) == len(data.pairs) + len(charts.REALM_DASHES)  # one per pair, plus the legend's
    text = alternative(svg)
    for pair in data.pairs.itertuples():
        assert f"{pair.track1_id} with {pair.track2_id} (Track " in text and pair.realm in text


def test_pairs_timeline_has_a_dot_per_body_and_an_arrow_per_transfer(data):
    svg = charts.pairs_timeline_figure(data.institutions, data.pairs, data.idea_transfers)
    root = ET.fromstring(svg)
    bodies = set(data.pairs["track1_id"]) | set(data.pairs["track2_id"])
    transfers = data.idea_transfers
    between = transfers[transfers["from_id"].isin(bodies) & transfers["to_id"].isin(bodies)]
    assert len(list(root.iter(f"{SVG}circle"))) == len(bodies)
    assert len([line for line in root.iter(f"{SVG}line") if line.get("marker-end")]) == len(between) > 0
    text = alternative(svg)
    for t in between.itertuples():
        assert f"{t.from_id} to {t.to_id} in {t.year}" in text


def test_bar_figures_match_the_analysis(data):
    inst, memberships = data.institutions, data.memberships
    started = initiators_table(inst)["count"]
    text = alternative(charts.initiators_figure(inst))
    for name, n in started[started >= 2].items():
        assert f"{name}: {n} bodies" in text
    assert all(f"{name}:" not in text for name in started[started < 2].index)

    text = alternative(charts.transfers_figure(data.idea_transfers, 2026))
    for decade, n in transfers_per_decade(data.idea_transfers, 2026).items():
        assert f"{decade}s: {n} transfer" in text

    text = alternative(charts.breadth_figure(inst, memberships))
    counts = member_counts(memberships)
    for body in active_non_official_with_members(inst, memberships):
        assert f"{body}: {counts[body]} members" in text

    text = alternative(charts.disagreements_figure(data.disagreements))
    for (table, column), row in disagreements_by_column(data.disagreements).iterrows():
        assert f"{table}: {column}: {row['disagreements']} disagreement" in text


def test_bar_chart_draws_lengths_in_proportion_and_counts_as_text():
    svg = charts.bar_chart(pd.Series({"a": 4, "b": 2, "c": 0}), "Things", "#0072B2", unit=("thing", "things"))
    root = ET.fromstring(svg)
    widths = [float(r.get("width")) for r in root.iter(f"{SVG}rect")]
    assert widths[0] == charts.CHART_WIDTH - 40 and widths[1] == widths[0] / 2
    assert widths[2] < 2  # a zero is a hairline, with its count written beside it
    assert [t.text for t in root.iter(f"{SVG}text")] == ["a", "4", "b", "2", "c", "0"]
    assert alternative(svg) == "Things: a: 4 things; b: 2 things; c: 0 things"
    assert "Nothing to show." in charts.bar_chart(pd.Series(dtype=int), "Nothing")


def test_a_label_too_long_for_the_chart_is_caught(data):
    # the longest label of every figure fits the chart's width at the font's rough width
    for name, svg in figures(data).items():
        for text in ET.fromstring(svg).iter(f"{SVG}text"):
            half = len(text.text) * charts.CHAR_WIDTH * charts.CHART_FONT / 2
            x = float(text.get("x"))
            start, end = {None: (x, x + 2 * half), "start": (x, x + 2 * half), "middle": (x - half, x + half),
                          "end": (x - 2 * half, x)}[text.get("text-anchor")]
            assert 0 <= start and end <= charts.CHART_WIDTH + 2, f"{name}: {text.text!r} runs {start:.0f}..{end:.0f}"
