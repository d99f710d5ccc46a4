"""Pure computations on the course data: each takes and returns plain DataFrames."""

from __future__ import annotations

import pandas as pd

TRACK_LABELS = {"1": "Track 1 (official)", "1.5": "Track 1.5 (mixed)", "2": "Track 2 (non-official)"}


def bodies_by_track_and_realm(institutions: pd.DataFrame) -> pd.DataFrame:
    """Count bodies by track (rows) and realm (columns), with totals.

    >>> from track2.data import load_institutions
    >>> table = bodies_by_track_and_realm(load_institutions())
    >>> int(table.loc["All", "All"]) == len(load_institutions())
    True
    """
    counts = pd.crosstab(
        institutions["track"].map(TRACK_LABELS),
        institutions["realm"],
        margins=True,
        margins_name="All",
        dropna=False,
    )
    counts.index.name = "Track"
    counts.columns.name = "Realm"
    return counts


def founding_timeline(institutions: pd.DataFrame) -> pd.DataFrame:
    """Bodies in order of founding: year, id, name, track and realm."""
    columns = ["founded_year", "id", "name", "track", "realm"]
    return institutions[columns].sort_values(["founded_year", "id"]).reset_index(drop=True)
