"""The widget layer, built headlessly: right views, linked in the front end."""

from __future__ import annotations

import ipywidgets as widgets
import pytest

from track2.analysis import TRACK_LABELS
from track2.data import load_course_data
from track2.widgets import ViewSwitcher, table_html, track_explorer


def test_view_switcher_links_dropdown_to_stack_in_the_front_end():
    box = ViewSwitcher("Pick:", {"a": "<p>A</p>", "b": "<p>B</p>"})
    assert box.children == (box.dropdown, box.stack)
    assert box.dropdown.description == "Pick:"
    assert [child.value for child in box.stack.children] == ["<p>A</p>", "<p>B</p>"]
    assert isinstance(box.link, widgets.widget_link.Link)  # jslink: runs in the browser, no kernel needed
    assert box.link.source == (box.dropdown, "index") and box.link.target == (box.stack, "selected_index")


def test_view_switcher_needs_views():
    with pytest.raises(ValueError):
        ViewSwitcher("Pick:", {})


def test_table_html_has_caption_and_escapes():
    import pandas as pd

    html = table_html(pd.DataFrame({"Name": ["<b>x</b>"]}), "Caption & more")
    assert "<caption>Caption &amp; more</caption>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<th>Name</th>" in html


def test_track_explorer_shows_each_tracks_bodies(minimal_data):
    institutions = load_course_data(minimal_data).institutions
    dropdown, stack = track_explorer(institutions).children
    assert list(dropdown.options) == list(TRACK_LABELS.values())
    for (track, label), view in zip(TRACK_LABELS.items(), stack.children):
        expected = institutions[institutions.track == track]
        assert f"{label}: {len(expected)} bodies in the course data" in view.value
        for body in expected.index:
            assert f"<td>{body}</td>" in view.value


def test_pair_explorer_has_one_view_per_pair_with_the_right_facts():
    from track2.analysis import founding_gap, membership_overlap
    from track2.widgets import pair_explorer

    data = load_course_data()
    explorer = pair_explorer(data)
    assert list(explorer.dropdown.options) == list(data.pairs.index)
    for pair_id, view in zip(data.pairs.index, explorer.stack.children):
        official, unofficial = data.pairs.loc[pair_id, ["track1_id", "track2_id"]]
        assert f"data-pair='{pair_id}'" in view.value
        for body in (official, unofficial):
            assert data.institutions.loc[body, "name"] in view.value
            assert f"<td>{data.institutions.loc[body, 'founded_year']}</td>" in view.value
        gap = founding_gap(data.institutions, data.pairs, pair_id)
        assert (f"{abs(gap)} year" in view.value) or gap == 0
        overlap = membership_overlap(data.memberships, data.pairs, pair_id)
        if overlap["jaccard"] is None:
            assert "overlap cannot be computed" in view.value
        else:
            assert f"<strong>{overlap['jaccard']}</strong> ({len(overlap['shared'])} shared members)" in view.value
        for transfer in data.idea_transfers.itertuples():
            if (transfer.from_id, transfer.to_id) == (unofficial, official):
                assert transfer.idea in view.value


def test_pair_view_rejects_an_unknown_pair_listing_the_valid_ones():
    from track2.widgets import pair_view_html

    with pytest.raises(KeyError, match="choose one of: ARF-CSCAP"):
        pair_view_html(load_course_data(), "ARF-PECC")
