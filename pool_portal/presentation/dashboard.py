"""The dashboard as the page shows it: every panel's figures as text in the viewer's
language and the tenant's currency, the charts drawn (``charts``), the map's text
alternative, what a click on a bar or a pin opens, and the overlay over the board
(``listings``). The names are the page state's vars."""

from __future__ import annotations

from pool_portal.models import JobStage
from pool_portal.presentation import charts
from pool_portal.presentation.display import money
from pool_portal.presentation.listings import listing_rows, property_values, search_hits
from pool_portal.services.core.i18n import catalogue
from pool_portal.services.portal.dashboard_figures import Dashboard
from pool_portal.services.portal.home import Home, HomeQuery
from pool_portal.services.portal.months import last_months
from pool_portal.services.portal.routine import ROUTINE_STATUSES
from pool_portal.services.portal.visibility import SEVERITIES


def chart_labels(lang: str) -> dict[str, str]:
    """Chart labels in ``lang``, keyed as ``charts`` expects."""
    cat = catalogue(lang)
    out = {k.removeprefix("dash."): v for k, v in cat.items() if k.startswith("dash.")}
    out.update({f"severity.{k.removeprefix('severity.')}": v for k, v in cat.items() if k.startswith("severity.")})
    out.update({f"stage.{k.removeprefix('stage.')}": v for k, v in cat.items() if k.startswith("stage.")})
    out.update({f"routine.{k.removeprefix('routine.')}": v for k, v in cat.items() if k.startswith("routine.")})
    return out


def no_figure() -> dict:
    return {"data": [], "layout": {}}


def board_values(board: Dashboard, currency: str, lang: str) -> dict:
    """The dashboard's vars (name -> value), formatted and with the charts drawn. A
    panel hidden now sends nothing, and keeps nothing from an earlier view."""
    labels = chart_labels(lang)
    cat = catalogue(lang)
    months = [cat[f"month.{i}"] for i in range(1, 13)]
    long_months = [cat[f"month.long.{i}"] for i in range(1, 13)]
    out: dict = {
        "report_months": [[m, f"{long_months[int(m[5:]) - 1]} {m[:4]}"] for m in reversed(last_months(board.today))],
        "panels": board.panels,
        "documents": board.documents,
        "properties": [
            {
                "id": str(r.site_id),
                "name": r.name,
                "address": r.address,
                "overdue_invoices": str(r.overdue_invoices),
                "open_quotes": str(r.open_quotes),
                "open_defects": str(r.open_defects),
                "severity": r.highest_severity or "NONE",
            }
            for r in board.properties
        ],
        "map_figure": charts.properties_map(board.properties, labels) if board.panels["map"] else no_figure(),
        "_pins": [(r.latitude, r.longitude, r.site_id) for r in board.properties if r.latitude is not None],
        "map_table": charts.map_summary(board.properties, labels) if board.panels["map"] else [],
    }
    label_of = {m: charts.short_month(m, months) for m in last_months(board.today, 24)}
    if board.routine:
        label_of.update({m: charts.short_month(m, months) for m in board.routine})
    by_label = {label: key for key, label in label_of.items()}
    out["_bars"] = {
        "defects": {"months": by_label, "buckets": ["RESOLVED", *[s.value for s in SEVERITIES]]},
        "routine": {"months": by_label, "buckets": list(ROUTINE_STATUSES)},
        "calls": {"months": by_label, "buckets": [s.value for s in JobStage]},
    }
    out["activity"] = (
        {}
        if board.activity is None
        else {
            f"{k}_{f}": (str(o.count) if f == "count" else money(o.total_cents, currency, lang))
            for k, o in board.activity.items()
            for f in ("count", "total")
        }
    )
    if board.defects is None:
        out.update(tally=[], asset_types=[], defects_table=[], defects_figure=no_figure())
    else:
        d = board.defects
        out.update(
            tally=[[k, str(n)] for k, n in d.tally.items()],
            asset_types=[[t, s] for t, s in d.asset_types.items()],
            defects_figure=charts.defects_per_month(d, labels, months),
            defects_table=[
                [
                    charts.short_month(m, months),
                    str(d.per_month[m].get("RESOLVED", 0)),
                    str(sum(n for k, n in d.per_month[m].items() if k != "RESOLVED")),
                ]
                for m in d.months
            ],
        )
    if board.routine is None:
        out.update(routine_table=[], routine_figure=no_figure())
    else:
        out.update(
            routine_year=board.routine_year,
            routine_figure=charts.routine_chart(board.routine, labels, months),
            routine_table=[
                [charts.short_month(m, months), *[str(board.routine[m][s]) for s in ROUTINE_STATUSES]]
                for m in sorted(board.routine)
            ],
        )
    if board.service_calls is None:
        out.update(calls_table=[], calls_figure=no_figure())
    else:
        out.update(
            calls_figure=charts.service_calls_chart(board.service_calls, labels, months),
            calls_table=[
                [charts.short_month(m, months), str(sum(board.service_calls[m].values()))]
                for m in sorted(board.service_calls)
            ],
        )
    if board.spend is None:
        out.update(spend_table=[], spend_by_property=[], spend_figure=no_figure())
    else:
        out.update(
            spend_figure=charts.spend_chart(board.spend, labels, months, currency),
            spend_table=[
                [charts.short_month(m, months), money(board.spend.per_month[m], currency, lang)]
                for m in board.spend.months
            ],
            spend_by_property=[[name, money(c, currency, lang)] for name, c in board.spend.per_property],
        )
    return out


def home_values(home: Home, query: HomeQuery, lang: str) -> tuple[dict | None, dict]:
    """(the board's vars, None when the board on screen stays; the overlay's vars).
    CPU work for a big view: run it off the event loop."""
    board = None
    if home.board is not None:
        board = board_values(home.board, home.currency, lang)
        # The activity report's first outstanding items (the rest in its overlay).
        board["activity_items"] = {k: listing_rows(r, home.currency, lang) for k, r in home.activity_items.items()}
    rows = home.rows
    overlay = {
        "search_text": query.text if query.show == "search" else "",
        "search_hits": search_hits(home.hits or []),
        **property_values(home.detail),
        "overlay": query.show if rows is not None else "",
        "overlay_site": str(query.site_id or "") if rows is not None else "",
        "overlay_rows": listing_rows(rows or [], home.currency, lang),
        "overlay_filter": query.text if query.show == "defects" else "",
        "loaded": True,
    }
    return board, overlay
