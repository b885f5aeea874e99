"""The dashboard's charts as plotly JSON: the map fits the pins and draws the land
around them from the shipped outlines; bars stack per month with their months."""

from __future__ import annotations

import json

from pool_portal.presentation import charts
from pool_portal.services.portal.dashboard_figures import PropertyRow

LABELS = {
    "open_defects": "Open defects",
    "open_quotes": "Quotes",
    "overdue_invoices": "Overdue",
    **{f"severity.{k}": k.title() for k in charts.SEVERITY_COLOURS},
}


def test_the_map_fits_the_pins_on_land_drawn_around_them():
    rows = [
        PropertyRow(1, "Alicante pool", "", latitude=38.35, longitude=-0.48, highest_severity="CRITICAL"),
        PropertyRow(2, "Valencia pool", "", latitude=39.46, longitude=-0.33),
        PropertyRow(3, "No coordinates", ""),
    ]
    fig = charts.properties_map(rows, LABELS)
    json.dumps(fig)  # plain JSON, as sent to the browser
    land, *pins = fig["data"]
    assert land["fill"] == "toself" and land["hoverinfo"] == "skip"
    assert [(p["name"], p["customdata"]) for p in pins] == [("Critical", [1]), ("None", [2])]
    x0, x1 = fig["layout"]["xaxis"]["range"]
    y0, y1 = fig["layout"]["yaxis"]["range"]
    assert x0 < -0.48 < -0.33 < x1 and y0 < 38.35 < 39.46 < y1
    # The coast of Spain is drawn, clipped to a box around the view (not all of Europe).
    xs = [x for x in land["x"] if x is not None]
    assert 10 < len(xs) < 2000 and min(xs) < x0 and max(xs) > -0.6
    assert all(-10 < x < 10 for x in xs)
    # Longitude is drawn shorter than latitude, as on the ground at 39 degrees north.
    assert 1.2 < fig["layout"]["yaxis"]["scaleratio"] < 1.4


def test_a_map_without_pins_shows_iberia():
    fig = charts.properties_map([], LABELS)
    assert len(fig["data"]) == 1 and fig["layout"]["xaxis"]["range"] == [-10.0, 5.0]


def test_the_map_in_words_counts_each_colour_and_the_properties_off_the_map():
    rows = [
        PropertyRow(i, f"Pool {i}", "", latitude=38.0 + i / 100, longitude=-0.5, highest_severity="CRITICAL")
        for i in range(1, 8)
    ]
    rows += [
        PropertyRow(8, "Calm pool", "", latitude=39.0, longitude=-0.3),
        PropertyRow(9, "Unmapped pool", "", highest_severity="CRITICAL"),
    ]
    labels = {**LABELS, "not_on_map": "Not on the map"}
    assert charts.map_summary(rows, labels) == [
        ["Critical", "7", "Pool 1, Pool 2, Pool 3, Pool 4, Pool 5 …"],
        ["None", "1", "Calm pool"],
        ["Not on the map", "1", "Unmapped pool"],
    ]
    assert charts.map_summary([], labels) == []


def test_bars_stack_per_month_with_their_month_keys():
    months = {
        "2026-10": {"on_time": 3, "within_tolerance": 1, "late": 0, "missed": 2, "pending": 0},
        "2026-11": {"on_time": 1, "within_tolerance": 0, "late": 1, "missed": 0, "pending": 4},
    }
    labels = {f"routine.{s}": s for s in charts.ROUTINE_COLOURS}
    fig = charts.routine_chart(months, labels, [f"M{i}" for i in range(1, 13)])
    assert fig["layout"]["barmode"] == "stack"
    assert [t["name"] for t in fig["data"]] == list(charts.ROUTINE_COLOURS)
    assert fig["data"][0] == {
        "type": "bar",
        "x": ["M10 26", "M11 26"],
        "y": [3, 1],
        "name": "on_time",
        "marker": {"color": charts.ROUTINE_COLOURS["on_time"]},
        "customdata": ["2026-10", "2026-11"],
    }
