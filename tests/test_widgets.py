"""The widget layer, built headlessly: right views, linked in the front end."""

from __future__ import annotations

import html
import re

import ipywidgets as widgets
import pandas as pd
import pytest

from track2.analysis import TRACK_LABELS
from track2.data import load_course_data
from track2.widgets import ViewSwitcher, founding_order_sentence, jaccard_text, pair_view_html, table_html, track_explorer


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
    html = table_html(pd.DataFrame({"Name": ["<b>x</b>"]}), "Caption & more")
    assert "<caption>Caption &amp; more</caption>" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<th>Name</th>" in html


def test_table_html_scrolls_in_a_keyboard_reachable_box_with_aligned_headings():
    html = table_html(pd.DataFrame({"Name": ["x"]}), "Bodies 'A' belongs to")
    assert html.startswith("<div class='track2-table-scroll' role='region' tabindex='0' "
                           "aria-label='Bodies &#x27;A&#x27; belongs to'><table")
    assert html.endswith("</table></div>")
    assert "text-align: right" not in html  # pandas' right-aligned headings over left-aligned values


def plural(count: int, noun: str, plural_form: str | None = None) -> str:
    """What the widgets write in English for a count: "1 body", "2 bodies", "0 members" (they
    write it through their catalogue, one message for one and one for more)."""
    return f"{count} {noun if count == 1 else (plural_form or noun + 's')}"


def test_a_member_of_one_body_belongs_to_1_body(minimal_data):
    from track2.widgets import member_explorer

    explorer = member_explorer(load_course_data(minimal_data))
    # the fixture: Chinese Taipei (TWN) is a member of APEC only
    explorer.dropdown.value = "Chinese Taipei"
    assert "Chinese Taipei belongs to 1 body in the course data" in explorer.current_view
    assert "1 bodies" not in explorer.current_view


def test_track_explorer_shows_each_tracks_bodies(minimal_data):
    institutions = load_course_data(minimal_data).institutions
    dropdown, stack = track_explorer(institutions).children
    assert list(dropdown.options) == list(TRACK_LABELS.values())
    # the fixture: Track 1 APEC (1989) and ARF (1994); Track 2 PECC (1980) and CSCAP (1993)
    expected = {"1": ["APEC", "ARF"], "1.5": [], "2": ["PECC", "CSCAP"]}
    for (track, label), view in zip(TRACK_LABELS.items(), stack.children, strict=True):
        assert f"{label}: {len(expected[track])} bodies in the course data" in view.value
        shown = re.findall(r"<tr>\s*<td>([^<]+)</td>", view.value)
        assert shown == expected[track]


def test_pair_view_on_the_fixture(minimal_data):
    data = load_course_data(minimal_data)
    # ARF (1994): Australia, Japan; CSCAP (1993): Australia; one transfer, CSCAP to ARF
    view = pair_view_html(data, "ARF-CSCAP")
    assert "CSCAP was founded 1 year before ARF." in view
    assert "Jaccard index: <strong>0.50</strong> (1 shared member)" in view
    assert "2001: Preventive diplomacy. Evidence: A fixture row." in view
    # APEC (1989): Australia, Chinese Taipei; PECC (1980): Australia, Japan: 1 shared of 3
    view = pair_view_html(data, "APEC-PECC")
    assert "PECC was founded 9 years before APEC." in view
    assert "Jaccard index: <strong>0.33</strong>" in view
    assert "<h4>Ideas taken up by APEC</h4><p>none</p>" in view


@pytest.mark.parametrize("years, sentence", [
    ((1980, 1989), "T2 was founded 9 years before T1."),
    ((1993, 1994), "T2 was founded 1 year before T1."),
    ((1998, 1997), "T2 was founded 1 year after T1."),
    ((2008, 2005), "T2 was founded 3 years after T1."),
    ((2000, 2000), "T2 and T1 were founded in the same year."),
])
def test_founding_order_sentence(years, sentence):
    institutions = pd.DataFrame({"founded_year": years}, index=["T2", "T1"])
    pairs = pd.DataFrame({"track1_id": ["T1"], "track2_id": ["T2"]}, index=["T1-T2"])
    assert founding_order_sentence(institutions, pairs, "T1-T2") == sentence


@pytest.mark.parametrize("jaccard, shown", [(1 / 3, "0.33"), (0.7037037, "0.70"), (1.0, "1.00"), (0.0, "0.00"),
                                            (0.855, "0.85")])
def test_a_jaccard_index_is_shown_with_two_decimals(jaccard, shown):
    assert jaccard_text(jaccard) == shown


def test_pair_explorer_has_one_view_per_pair_with_the_right_facts():
    from track2.analysis import founding_gap, membership_overlap
    from track2.widgets import pair_explorer

    data = load_course_data()
    explorer = pair_explorer(data)
    assert list(explorer.dropdown.options) == list(data.pairs.index)
    for pair_id, view in zip(data.pairs.index, explorer.stack.children, strict=True):
        official, unofficial = data.pairs.loc[pair_id, ["track1_id", "track2_id"]]
        assert f"data-pair='{pair_id}'" in view.value
        for body in (official, unofficial):
            assert html.escape(data.institutions.loc[body, "name"]) in view.value
            assert f"<td>{data.institutions.loc[body, 'founded_year']}</td>" in view.value
        gap = founding_gap(data.institutions, data.pairs, pair_id)
        assert (f"{abs(gap)} year" in view.value) or gap == 0
        overlap = membership_overlap(data.memberships, data.pairs, pair_id)
        if overlap["jaccard"] is None:
            assert "overlap cannot be computed" in view.value
        else:
            assert f"<strong>{overlap['jaccard']:.2f}</strong> ({plural(len(overlap['shared']), 'shared member')})" in view.value
        for transfer in data.idea_transfers.itertuples():
            if (transfer.from_id, transfer.to_id) == (unofficial, official):
                assert html.escape(transfer.idea) in view.value


def test_pair_view_rejects_an_unknown_pair_listing_the_valid_ones():
    with pytest.raises(KeyError, match="choose one of: ARF-CSCAP"):
        pair_view_html(load_course_data(), "ARF-PECC")


def test_switching_in_python_shows_the_chosen_view():
    box = ViewSwitcher("Pick:", {"a": "<p>A</p>", "b": "<p>B</p>"})
    assert box.current_view == "<p>A</p>"
    box.dropdown.value = "b"
    assert box.stack.selected_index == 1 and box.current_view == "<p>B</p>"


def test_member_explorer_lists_each_members_bodies():
    from track2.widgets import member_explorer

    data = load_course_data()
    explorer = member_explorer(data)
    assert sorted(explorer.dropdown.options) == sorted(data.memberships["member"].unique())
    for name in ("Japan", "Timor-Leste", "United States"):
        explorer.dropdown.value = name
        rows = data.memberships[data.memberships["member"] == name]
        assert f"{name} belongs to {plural(len(rows), 'body', 'bodies')} in" in explorer.current_view
        for body in rows["body_id"]:
            assert f"<td>{body}</td>" in explorer.current_view


def test_member_profile_rejects_an_unknown_member_listing_the_valid_ones():
    from track2.analysis import member_profile

    data = load_course_data()
    with pytest.raises(KeyError, match="unknown member 'Atlantis'; choose one of: .*Japan"):
        member_profile(data.memberships, data.institutions, "Atlantis")
    assert member_profile(data.memberships, data.institutions, "JPN").equals(
        member_profile(data.memberships, data.institutions, "Japan"))


def test_timeline_explorer_filters_bodies_and_transfers():
    from track2.analysis import TIMELINE_FILTERS
    from track2.widgets import timeline_explorer

    data = load_course_data()
    explorer = timeline_explorer(data)
    assert list(explorer.dropdown.options) == list(TIMELINE_FILTERS)
    for choice, (tracks, realms) in TIMELINE_FILTERS.items():
        explorer.dropdown.value = choice
        kept = data.institutions[data.institutions.track.isin(tracks) & data.institutions.realm.isin(realms)]
        links = data.idea_transfers[data.idea_transfers.from_id.isin(kept.index)
                                    & data.idea_transfers.to_id.isin(kept.index)]
        view = explorer.current_view
        assert f"{plural(len(kept), 'body', 'bodies')} and {plural(len(links), 'idea transfer')}" in view
        assert view.count("<circle") == len(kept)
        assert view.count('marker-end="url(#arrow)"') == len(links)
        left_out = set(data.institutions.index) - set(kept.index)
        assert not any(f"<td>{body}</td>" in view for body in left_out)


def test_every_explorer_table_is_labelled_for_reading():
    """The explorers' tables read like the data notebooks' (track2.analysis.for_reading): headings
    in words, never a data column's name; a track in words, never its code; no bare index column."""
    from bs4 import BeautifulSoup

    from track2.analysis import READABLE_COLUMNS, TRACK_LABELS
    from track2.widgets import member_explorer, pair_explorer, timeline_explorer, track_explorer

    data = load_course_data()
    raw = set(READABLE_COLUMNS) | set(data.institutions.columns) | set(data.memberships.columns) | {"", "index"}
    problems, tables = [], 0
    for explorer in (track_explorer(data.institutions), pair_explorer(data), member_explorer(data), timeline_explorer(data)):
        for choice, view in zip(explorer.dropdown.options, explorer.stack.children, strict=True):
            for table in BeautifulSoup(view.value, "html.parser").select("table.track2-table"):
                tables += 1
                heads = [th.get_text(strip=True) for th in table.select("thead th")]
                problems += [f"{choice}: heading {h!r}" for h in heads if h in raw or h.islower()]
                if "Track" in heads:
                    column = heads.index("Track")
                    codes = {row.find_all("td")[column].get_text() for row in table.select("tbody tr")}
                    problems += [f"{choice}: track {code!r}" for code in codes - set(TRACK_LABELS.values())]
    assert tables > 50 and not problems, problems[:10]


def test_timeline_rejects_an_unknown_filter():
    from track2.analysis import timeline

    data = load_course_data()
    with pytest.raises(KeyError, match="choose one of: All bodies"):
        timeline(data.institutions, data.idea_transfers, "Cultural realm")


def test_charts_have_a_text_alternative():
    from track2.charts import overlap_bars

    svg = overlap_bars(3, 1, 2, "APEC", "PECC")
    assert 'role="img"' in svg
    assert ("<title>Members of APEC and PECC: both APEC and PECC: 3 members; only APEC: 1 member; "
            "only PECC: 2 members</title>") in svg


def test_body_profile_rejects_an_unknown_body_listing_the_valid_ones():
    from track2.widgets import body_profile_html

    data = load_course_data()
    with pytest.raises(KeyError, match="unknown body 'NATO'; choose one of: .*ARF.*CSCAP"):
        body_profile_html(data, "NATO")
    assert "<caption>ARF: ASEAN Regional Forum</caption>" in body_profile_html(data, "ARF")


def test_member_explorer_opens_on_the_member_of_the_most_bodies():
    from track2.analysis import most_connected_member
    from track2.widgets import ViewSwitcher, member_explorer

    data = load_course_data()
    explorer = member_explorer(data)
    first = most_connected_member(data.memberships)
    assert explorer.dropdown.value == first != "ASEAN Secretariat"
    assert explorer.stack.selected_index == explorer.dropdown.index
    assert f"data-member='{first}'" in explorer.current_view
    assert list(explorer.dropdown.options) == sorted(explorer.dropdown.options), "still in alphabetical order"
    with pytest.raises(KeyError, match="no view 'c'; choose one of: a, b"):
        ViewSwitcher("Pick:", {"a": "<p>A</p>", "b": "<p>B</p>"}, first="c")
