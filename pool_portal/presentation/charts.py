"""Plotly figures for the dashboard, from the dashboard service's figures
(``services.portal.dashboard_figures``).

One severity colour scale for the map and every chart (colour-blind-safe, readable on
a phone); labels come translated from the caller. No Reflex imports.

Each figure is plotly's JSON (``{"data": [...], "layout": {...}}``), written directly:
building ``plotly.graph_objects`` figures validates every property and took about half
of a small dashboard's server time (profiled under the websocket load), for the same
JSON in the end.
"""

from __future__ import annotations

import json
import math
from functools import lru_cache

from pool_portal import resources
from pool_portal.presentation import palette
from pool_portal.services.portal.dashboard_figures import DefectAnalytics, PropertyRow, Spend
from pool_portal.services.portal.routine import ROUTINE_STATUSES
from pool_portal.services.portal.visibility import SEVERITIES

SEVERITY_COLOURS = palette.SEVERITY_HEX
RESOLVED_COLOUR = palette.RESOLVED_HEX
ROUTINE_COLOURS = palette.ROUTINE_HEX
STAGE_COLOURS = palette.STAGE_HEX
FONT = dict(family="system-ui, sans-serif", size=12)


Figure = dict  # plotly's JSON for a figure


def _layout(data: list[dict], *, height: int = 280, barmode: str | None = "stack") -> Figure:
    layout = {
        "height": height,
        "margin": {"l": 40, "r": 10, "t": 10, "b": 40},
        "font": FONT,
        "legend": {"orientation": "h", "yanchor": "bottom", "y": 1.02, "x": 0},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": "rgba(0,0,0,0)",
        "dragmode": False,
        "yaxis": {"gridcolor": palette.GRID_HEX, "rangemode": "tozero"},
    }
    if barmode:
        layout["barmode"] = barmode
    return {"data": data, "layout": layout}


def _bar(x: list, y: list, name: str, colour: str, customdata: list | None = None, **extra) -> dict:
    bar = {"type": "bar", "x": x, "y": y, "name": name, "marker": {"color": colour}, **extra}
    if customdata is not None:
        bar["customdata"] = customdata
    return bar


def short_month(key: str, month_names: list[str]) -> str:
    year, month = key.split("-")
    return f"{month_names[int(month) - 1]} {year[2:]}"


TOPOJSON = resources.topojson_dir()
LAND_COLOUR, BORDER_COLOUR, SEA_COLOUR = palette.LAND_HEX, palette.BORDER_HEX, palette.SEA_HEX
Ring = list[tuple[float, float]]


@lru_cache(maxsize=2)
def _countries(name: str) -> tuple[tuple[tuple[float, float, float, float], Ring], ...]:
    """The outer ring of every country polygon of a shipped topojson file, as
    (lon, lat) points with its bounding box; decoded once."""
    topo = json.loads((TOPOJSON / f"{name}.json").read_text())
    (sx, sy), (tx, ty) = topo["transform"]["scale"], topo["transform"]["translate"]
    arcs: list[Ring] = []
    for arc in topo["arcs"]:  # delta-encoded, quantised
        x = y = 0
        points = []
        for dx, dy in arc:
            x, y = x + dx, y + dy
            points.append((x * sx + tx, y * sy + ty))
        arcs.append(points)

    def ring(indexes: list[int]) -> Ring:
        out: Ring = []
        for i in indexes:
            points = arcs[i] if i >= 0 else arcs[~i][::-1]
            out.extend(points if not out else points[1:])
        return out

    rings = []
    for geometry in topo["objects"]["countries"]["geometries"]:
        polygons = [geometry["arcs"]] if geometry["type"] == "Polygon" else geometry.get("arcs", [])
        for polygon in polygons:
            outer = ring(polygon[0])
            lons, lats = [p[0] for p in outer], [p[1] for p in outer]
            rings.append(((min(lons), min(lats), max(lons), max(lats)), outer))
    return tuple(rings)


def _clip(ring: Ring, box: tuple[float, float, float, float]) -> Ring:
    """The part of a polygon inside an axis-aligned box (Sutherland-Hodgman)."""
    x0, y0, x1, y1 = box
    edges = [
        (lambda p: p[0] >= x0, lambda a, b: _cross_x(a, b, x0)),
        (lambda p: p[0] <= x1, lambda a, b: _cross_x(a, b, x1)),
        (lambda p: p[1] >= y0, lambda a, b: _cross_y(a, b, y0)),
        (lambda p: p[1] <= y1, lambda a, b: _cross_y(a, b, y1)),
    ]
    out = ring
    for inside, cross in edges:
        points, out = out, []
        for i, cur in enumerate(points):
            prev = points[i - 1]
            if inside(cur):
                if not inside(prev):
                    out.append(cross(prev, cur))
                out.append(cur)
            elif inside(prev):
                out.append(cross(prev, cur))
        if not out:
            break
    return out


def _cross_x(a, b, x):
    return (x, a[1] + (b[1] - a[1]) * (x - a[0]) / (b[0] - a[0]))


def _cross_y(a, b, y):
    return (a[0] + (b[0] - a[0]) * (y - a[1]) / (b[1] - a[1]), y)


def map_summary(rows: list[PropertyRow], labels: dict[str, str], names: int = 5) -> list[list[str]]:
    """The map in words (its text alternative): per pin colour, most severe first, how
    many properties and the first few names; then the properties it cannot show."""
    pins = [r for r in rows if r.latitude is not None and r.longitude is not None]
    pinned = {id(r) for r in pins}

    def listed(group: list[PropertyRow]) -> str:
        return ", ".join(r.name for r in group[:names]) + (" …" if len(group) > names else "")

    out = []
    for key in [s.value for s in SEVERITIES] + ["NONE"]:
        group = [r for r in pins if (r.highest_severity or "NONE") == key]
        if group:
            out.append([labels[f"severity.{key}"], str(len(group)), listed(group)])
    off = [r for r in rows if id(r) not in pinned]
    if off:
        out.append([labels["not_on_map"], str(len(off)), listed(off)])
    return out


def properties_map(rows: list[PropertyRow], labels: dict[str, str]) -> Figure:
    """Pins coloured by the highest open published severity; one trace per severity so
    the legend explains the colours. The land is drawn from the shipped outlines
    (no tiles, no CDN) as filled shapes on plain longitude/latitude axes, scaled for
    the latitude: the map needs plotly's basic bundle only, the one the bar charts
    use, not a second bundle for geo maps."""
    pins = [r for r in rows if r.latitude is not None and r.longitude is not None]
    if pins:  # fit the pins, with room around them (at least half a degree across)
        lats, lons = [r.latitude for r in pins], [r.longitude for r in pins]
        pad_lat = max((max(lats) - min(lats)) * 0.15, 0.25)
        pad_lon = max((max(lons) - min(lons)) * 0.15, 0.35)
        view = (min(lons) - pad_lon, min(lats) - pad_lat, max(lons) + pad_lon, max(lats) + pad_lat)
    else:
        view = (-10.0, 35.0, 5.0, 44.5)  # Iberia
    inside_europe = view[0] >= -25 and view[2] <= 45 and view[1] >= 34 and view[3] <= 72
    mid_lat = (view[1] + view[3]) / 2
    aspect = 1 / max(math.cos(math.radians(mid_lat)), 0.2)
    # Plotly widens one axis to fit the panel's shape: draw the land well beyond the view.
    half = max(view[2] - view[0], (view[3] - view[1]) * aspect) * 1.5
    cx, cy = (view[0] + view[2]) / 2, mid_lat
    box = (cx - half, cy - half / aspect, cx + half, cy + half / aspect)
    land_x: list[float | None] = []
    land_y: list[float | None] = []
    for (x0, y0, x1, y1), ring in _countries("europe_50m" if inside_europe else "world_110m"):
        if x1 < box[0] or x0 > box[2] or y1 < box[1] or y0 > box[3]:
            continue
        clipped = _clip(ring, box)
        if len(clipped) < 3:
            continue
        land_x += [round(p[0], 3) for p in clipped] + [round(clipped[0][0], 3), None]
        land_y += [round(p[1], 3) for p in clipped] + [round(clipped[0][1], 3), None]
    data = [
        {
            "type": "scatter",
            "x": land_x,
            "y": land_y,
            "mode": "lines",
            "fill": "toself",
            "fillcolor": LAND_COLOUR,
            "line": {"color": BORDER_COLOUR, "width": 0.6},
            "hoverinfo": "skip",
            "showlegend": False,
        }
    ]
    for key in [s.value for s in SEVERITIES] + ["NONE"]:
        group = [r for r in pins if (r.highest_severity or "NONE") == key]
        if not group:
            continue
        data.append(
            {
                "type": "scatter",
                "x": [r.longitude for r in group],
                "y": [r.latitude for r in group],
                "customdata": [r.site_id for r in group],
                "text": [
                    f"{r.name}<br>{labels['open_defects']}: {r.open_defects}"
                    f"<br>{labels['open_quotes']}: {r.open_quotes}<br>{labels['overdue_invoices']}: {r.overdue_invoices}"
                    for r in group
                ],
                "hoverinfo": "text",
                "mode": "markers",
                "marker": {"size": 12, "color": SEVERITY_COLOURS[key], "line": {"width": 1, "color": "white"}},
                "name": labels[f"severity.{key}"],
            }
        )
    hidden = {"visible": False, "showgrid": False, "zeroline": False, "fixedrange": True}
    layout = {
        "height": 320,
        "margin": {"l": 0, "r": 0, "t": 0, "b": 0},
        "font": FONT,
        "dragmode": False,
        "hovermode": "closest",
        "legend": {"orientation": "h", "y": -0.02, "x": 0},
        "paper_bgcolor": "rgba(0,0,0,0)",
        "plot_bgcolor": SEA_COLOUR,
        "xaxis": {"range": [view[0], view[2]], **hidden},
        "yaxis": {"range": [view[1], view[3]], "scaleanchor": "x", "scaleratio": aspect, **hidden},
    }
    return {"data": data, "layout": layout}


def defects_per_month(d: DefectAnalytics, labels: dict[str, str], month_names: list[str]) -> Figure:
    x = [short_month(m, month_names) for m in d.months]
    data = [
        _bar(x, [d.per_month[m].get("RESOLVED", 0) for m in d.months], labels["resolved"], RESOLVED_COLOUR, d.months)
    ]
    for s in SEVERITIES:
        data.append(
            _bar(
                x,
                [d.per_month[m].get(s.value, 0) for m in d.months],
                labels[f"severity.{s.value}"],
                SEVERITY_COLOURS[s.value],
                d.months,
            )
        )
    return _layout(data)


def routine_chart(months: dict[str, dict[str, int]], labels: dict[str, str], month_names: list[str]) -> Figure:
    keys = sorted(months)
    x = [short_month(m, month_names) for m in keys]
    return _layout(
        [
            _bar(x, [months[m][status] for m in keys], labels[f"routine.{status}"], ROUTINE_COLOURS[status], keys)
            for status in ROUTINE_STATUSES
        ]
    )


def service_calls_chart(months: dict[str, dict[str, int]], labels: dict[str, str], month_names: list[str]) -> Figure:
    keys = sorted(months)
    x = [short_month(m, month_names) for m in keys]
    stages = list(next(iter(months.values())).keys()) if months else []
    return _layout(
        [
            _bar(x, [months[m][stage] for m in keys], labels[f"stage.{stage}"], colour, keys)
            for colour, stage in zip(STAGE_COLOURS, stages)
        ]
    )


def spend_chart(spend: Spend, labels: dict[str, str], month_names: list[str], currency: str) -> Figure:
    x = [short_month(m, month_names) for m in spend.months]
    return _layout(
        [
            _bar(
                x,
                [spend.per_month[m] / 100 for m in spend.months],
                labels["invoiced"],
                palette.BRAND_DEFAULT,
                hovertemplate=f"%{{y:,.2f}} {currency}<extra></extra>",
            )
        ],
        barmode=None,
    )
