"""Plotly figures for the dashboard, from the dashboard service's figures.

One severity colour scale for the map and every chart (colour-blind-safe, readable on
a phone); labels come translated from the caller. No Reflex imports.
"""

from __future__ import annotations

import plotly.graph_objects as go

from pool_portal.services.dashboard import ROUTINE_STATUSES, SEVERITIES, DefectAnalytics, PropertyRow, Spend

SEVERITY_COLOURS = {
    "CRITICAL": "#b91c1c",
    "NON_CONFORMANCE": "#ea580c",
    "NON_CRITICAL": "#ca8a04",
    "RECOMMENDATION": "#2563eb",
    "INFORMATION": "#64748b",
    "NONE": "#16a34a",
}
RESOLVED_COLOUR = "#15803d"
ROUTINE_COLOURS = {
    "on_time": "#15803d",
    "within_tolerance": "#65a30d",
    "late": "#ea580c",
    "missed": "#b91c1c",
    "pending": "#94a3b8",
}
STAGE_COLOURS = ["#94a3b8", "#0ea5e9", "#2563eb", "#7c3aed", "#15803d"]
FONT = dict(family="system-ui, sans-serif", size=12)


def _layout(fig: go.Figure, *, height: int = 280, barmode: str | None = "stack") -> go.Figure:
    fig.update_layout(
        height=height,
        margin=dict(l=40, r=10, t=10, b=40),
        font=FONT,
        legend=dict(orientation="h", yanchor="bottom", y=1.02, x=0),
        paper_bgcolor="rgba(0,0,0,0)",
        plot_bgcolor="rgba(0,0,0,0)",
        barmode=barmode,
        dragmode=False,
    )
    fig.update_yaxes(gridcolor="#e2e8f0", rangemode="tozero")
    return fig


def short_month(key: str, month_names: list[str]) -> str:
    year, month = key.split("-")
    return f"{month_names[int(month) - 1]} {year[2:]}"


def properties_map(rows: list[PropertyRow], labels: dict[str, str]) -> go.Figure:
    """Pins coloured by the highest open published severity; one trace per severity so
    the legend explains the colours. Drawn from shipped outlines (no tiles, no CDN)."""
    pins = [r for r in rows if r.latitude is not None and r.longitude is not None]
    fig = go.Figure()
    for key in [s.value for s in SEVERITIES] + ["NONE"]:
        group = [r for r in pins if (r.highest_severity or "NONE") == key]
        if not group:
            continue
        fig.add_trace(
            go.Scattergeo(
                lat=[r.latitude for r in group],
                lon=[r.longitude for r in group],
                customdata=[r.site_id for r in group],
                text=[
                    f"{r.name}<br>{labels['open_defects']}: {r.open_defects}"
                    f"<br>{labels['open_quotes']}: {r.open_quotes}<br>{labels['overdue_invoices']}: {r.overdue_invoices}"
                    for r in group
                ],
                hoverinfo="text",
                mode="markers",
                marker=dict(size=12, color=SEVERITY_COLOURS[key], line=dict(width=1, color="white")),
                name=labels[f"severity.{key}"],
            )
        )
    inside_europe = all(-25 <= r.longitude <= 45 and 34 <= r.latitude <= 72 for r in pins) if pins else True
    ranges = {}
    if pins:  # fit the pins, with room around them (at least half a degree across)
        lats, lons = [r.latitude for r in pins], [r.longitude for r in pins]
        pad_lat = max((max(lats) - min(lats)) * 0.15, 0.25)
        pad_lon = max((max(lons) - min(lons)) * 0.15, 0.35)
        ranges = dict(lataxis_range=[min(lats) - pad_lat, max(lats) + pad_lat],
                      lonaxis_range=[min(lons) - pad_lon, max(lons) + pad_lon])
    fig.update_geos(
        scope="europe" if inside_europe else "world",
        resolution=50 if inside_europe else 110,
        **ranges,
        showland=True,
        landcolor="#f1f5f9",
        showocean=True,
        oceancolor="#e0f2fe",
        showcountries=True,
        countrycolor="#cbd5e1",
        coastlinecolor="#94a3b8",
        projection_type="mercator",
    )
    fig.update_layout(height=320, margin=dict(l=0, r=0, t=0, b=0), font=FONT,
                      legend=dict(orientation="h", y=-0.02, x=0), paper_bgcolor="rgba(0,0,0,0)")
    return fig


def defects_per_month(d: DefectAnalytics, labels: dict[str, str], month_names: list[str]) -> go.Figure:
    x = [short_month(m, month_names) for m in d.months]
    fig = go.Figure()
    fig.add_trace(go.Bar(x=x, y=[d.per_month[m].get("RESOLVED", 0) for m in d.months],
                         name=labels["resolved"], marker_color=RESOLVED_COLOUR, customdata=d.months))
    for s in SEVERITIES:
        fig.add_trace(go.Bar(x=x, y=[d.per_month[m].get(s.value, 0) for m in d.months],
                             name=labels[f"severity.{s.value}"], marker_color=SEVERITY_COLOURS[s.value],
                             customdata=d.months))
    return _layout(fig)


def routine_chart(months: dict[str, dict[str, int]], labels: dict[str, str], month_names: list[str]) -> go.Figure:
    keys = sorted(months)
    x = [short_month(m, month_names) for m in keys]
    fig = go.Figure()
    for status in ROUTINE_STATUSES:
        fig.add_trace(go.Bar(x=x, y=[months[m][status] for m in keys], name=labels[f"routine.{status}"],
                             marker_color=ROUTINE_COLOURS[status], customdata=keys))
    return _layout(fig)


def service_calls_chart(months: dict[str, dict[str, int]], labels: dict[str, str], month_names: list[str]) -> go.Figure:
    keys = sorted(months)
    x = [short_month(m, month_names) for m in keys]
    stages = list(next(iter(months.values())).keys()) if months else []
    fig = go.Figure()
    for colour, stage in zip(STAGE_COLOURS, stages):
        fig.add_trace(go.Bar(x=x, y=[months[m][stage] for m in keys], name=labels[f"stage.{stage}"],
                             marker_color=colour, customdata=keys))
    return _layout(fig)


def spend_chart(spend: Spend, labels: dict[str, str], month_names: list[str], currency: str) -> go.Figure:
    x = [short_month(m, month_names) for m in spend.months]
    fig = go.Figure(go.Bar(x=x, y=[spend.per_month[m] / 100 for m in spend.months], name=labels["invoiced"],
                           marker_color="#0e7490", hovertemplate=f"%{{y:,.2f}} {currency}<extra></extra>"))
    return _layout(fig, barmode=None)
