"""Portal (customer side) states: the shared view switcher, and the dashboard."""

from __future__ import annotations

import asyncio
import hashlib
import time
import weakref

import reflex as rx

from pool_portal.db import session_scope
from pool_portal.models import JobStage, Tenant
from pool_portal.presentation.display import money
from pool_portal.services.core.i18n import catalogue, normalise_language
from pool_portal.services.core.params import parse_id, parse_int
from pool_portal.services.identity import auth
from pool_portal.services.portal import charts, dashboard, search, visibility
from pool_portal.states.guard import portal_event, viewer
from pool_portal.states.portal.page import PortalState


def _labels(lang: str) -> dict[str, str]:
    """Chart labels in ``lang``, keyed as the charts service expects."""
    cat = catalogue(lang)
    out = {k.removeprefix("dash."): v for k, v in cat.items() if k.startswith("dash.")}
    out.update({f"severity.{k.removeprefix('severity.')}": v for k, v in cat.items() if k.startswith("severity.")})
    out.update({f"stage.{k.removeprefix('stage.')}": v for k, v in cat.items() if k.startswith("stage.")})
    out.update({f"routine.{k.removeprefix('routine.')}": v for k, v in cat.items() if k.startswith("routine.")})
    return out


BOARD_REUSE_S = 120  # an overlay opened within this long of the dashboard keeps its board
# Dashboards built at once per worker. Building one is CPU-bound Python and the GIL
# runs one thread at a time: more at once finish no sooner, but starve the event loop
# (every other tab's clicks) of its turns. The rest wait their turn, in order.
BUILDS_AT_ONCE = 2
_build_slots: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


def _builds() -> asyncio.Semaphore:
    """The worker's build slots (one semaphore per event loop)."""
    loop = asyncio.get_running_loop()
    if loop not in _build_slots:
        _build_slots[loop] = asyncio.Semaphore(BUILDS_AT_ONCE)
    return _build_slots[loop]


def _no_figure() -> dict:
    return {"data": [], "layout": {}}


def _board_key(v, routine_year: int | None, lang: str) -> str:
    """What a dashboard's figures depend on besides the data: who, which view, which
    year, which language."""
    clients = hashlib.sha256(",".join(map(str, sorted(v.client_ids))).encode()).hexdigest()[:16]
    return f"{v.tenant_id}:{v.user_id}:{v.view}:{clients}:{routine_year}:{lang}"


def _priced(rows: list[dict[str, str]], currency: str, lang: str) -> list[dict[str, str]]:
    """Listing rows with their amount formatted and their status's catalogue key."""
    return [
        {
            "doc": "",
            **r,
            "amount": money(int(r["amount_cents"]), currency, lang) if r["amount_cents"] else "",
            "status_key": r["status"] if "." in r["status"] else f"status.{r['status']}",
        }
        for r in rows
    ]


def _board_values(board: dashboard.Dashboard, currency: str, lang: str) -> dict:
    """The dashboard's state vars (name -> value), formatted and with the charts drawn:
    run in a worker thread, so a big view's formatting does not hold the event loop."""
    labels = _labels(lang)
    cat = catalogue(lang)
    months = [cat[f"month.{i}"] for i in range(1, 13)]
    long_months = [cat[f"month.long.{i}"] for i in range(1, 13)]
    out: dict = {
        "report_months": [
            [m, f"{long_months[int(m[5:]) - 1]} {m[:4]}"] for m in reversed(dashboard.last_months(board.today))
        ],
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
        "map_figure": charts.properties_map(board.properties, labels) if board.panels["map"] else _no_figure(),
        "_pins": [(r.latitude, r.longitude, r.site_id) for r in board.properties if r.latitude is not None],
        "map_table": charts.map_summary(board.properties, labels) if board.panels["map"] else [],
    }
    label_of = {m: charts.short_month(m, months) for m in dashboard.last_months(board.today, 24)}
    if board.routine:
        label_of.update({m: charts.short_month(m, months) for m in board.routine})
    by_label = {label: key for key, label in label_of.items()}
    out["_bars"] = {
        "defects": {"months": by_label, "buckets": ["RESOLVED", *[s.value for s in visibility.SEVERITIES]]},
        "routine": {"months": by_label, "buckets": list(dashboard.ROUTINE_STATUSES)},
        "calls": {"months": by_label, "buckets": [s.value for s in JobStage]},
    }
    # A panel hidden now sends nothing, and keeps nothing from an earlier view.
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
        out.update(tally=[], asset_types=[], defects_table=[], defects_figure=_no_figure())
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
        out.update(routine_table=[], routine_figure=_no_figure())
    else:
        out.update(
            routine_year=board.routine_year,
            routine_figure=charts.routine_chart(board.routine, labels, months),
            routine_table=[
                [charts.short_month(m, months), *[str(board.routine[m][s]) for s in dashboard.ROUTINE_STATUSES]]
                for m in sorted(board.routine)
            ],
        )
    if board.service_calls is None:
        out.update(calls_table=[], calls_figure=_no_figure())
    else:
        out.update(
            calls_figure=charts.service_calls_chart(board.service_calls, labels, months),
            calls_table=[
                [charts.short_month(m, months), str(sum(board.service_calls[m].values()))]
                for m in sorted(board.service_calls)
            ],
        )
    if board.spend is None:
        out.update(spend_table=[], spend_by_property=[], spend_figure=_no_figure())
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


class PortalHomeState(PortalState):
    """The dashboard. Hidden panels are neither computed nor sent."""

    loaded: bool = False
    panels: dict[str, bool] = {}
    documents: dict[str, bool] = {}
    properties: list[dict[str, str]] = []
    activity: dict[str, str] = {}
    activity_items: dict[str, list[dict[str, str]]] = {}
    tally: list[list[str]] = []
    asset_types: list[list[str]] = []
    defects_table: list[list[str]] = []
    routine_year: int = 0
    routine_table: list[list[str]] = []
    calls_table: list[list[str]] = []
    spend_table: list[list[str]] = []
    spend_by_property: list[list[str]] = []
    # Charts as plotly's JSON (from services.charts; the page casts them to figures).
    map_figure: dict = {}
    map_table: list[list[str]] = []  # the map's text alternative
    defects_figure: dict = {}
    routine_figure: dict = {}
    calls_figure: dict = {}
    spend_figure: dict = {}
    # The overlay (its state lives in the URL: ?show=kind[&site=id]).
    overlay: str = ""
    overlay_site: str = ""
    overlay_rows: list[dict[str, str]] = []
    report_months: list[list[str]] = []  # [value "YYYY-MM", label]
    detail_name: str = ""
    detail_address: str = ""
    detail_assets: list[dict[str, str]] = []
    detail_tasks: list[dict[str, str]] = []
    detail_documents: list[dict[str, str]] = []
    _pins: list[tuple[float, float, int]] = []  # backend only: map pin -> site
    search_text: str = ""
    overlay_filter: str = ""
    _bars: dict[str, dict] = {}  # backend only: chart -> {"months": {label: key}, "buckets": [...]}
    search_hits: list[dict[str, str]] = []
    _board_key: str = ""  # backend only: what the board shown was built for, and when
    _board_at: float = 0.0

    def _on_refused(self) -> None:
        super()._on_refused()
        self._board_key = ""
        self.loaded = False
        self.properties = []
        self.overlay_rows = []
        self.activity = {}
        self.activity_items = {}

    @portal_event
    async def load_home(self):
        v = viewer()
        params = self.router.url.query_parameters
        show = str(params.get("show", ""))
        site = str(params.get("site", ""))
        year = str(params.get("year", ""))
        query = str(params.get("q", ""))[:100]
        month = str(params.get("month", ""))[:7]
        bucket = str(params.get("bucket", ""))[:20]
        routine_year = parse_int(year, 2000, 2100)
        site_id = parse_id(site)
        lang = normalise_language(self.lang)

        token = auth.token_from_cookie_header(self.router.headers.raw_headers.get("cookie"))
        shown_key, shown_at = self._board_key, self._board_at
        reuse = bool(show) and shown_key == _board_key(v, routine_year, lang) and time.time() - shown_at < BOARD_REUSE_S

        def work():
            nonlocal v
            with session_scope() as db:
                # A deep link to a property of another of the user's views: switch to it.
                if (
                    show == "property"
                    and site_id
                    and dashboard.property_detail(db, v, site_id) is None
                    and auth.widen_view_for_site(db, token, site_id)
                ):
                    db.flush()
                    v = auth.resolve_viewer(db, token) or v
                key = _board_key(v, routine_year, lang)
                currency = db.get(Tenant, v.tenant_id).currency
                values = None
                # An overlay opened over the dashboard just shown leaves the board as it
                # is: only the overlay's rows are read and sent. Any other load reads all.
                if not (reuse and key == shown_key):
                    self._load_common(db, v)
                    board = dashboard.build(db, v, routine_year=routine_year, side_session=session_scope)
                    values = _board_values(board, currency, lang)
                    # The activity report's first outstanding items (the rest in its overlay).
                    values["activity_items"] = (
                        {}
                        if board.activity is None
                        else {
                            k: _priced(
                                dashboard.listing(db, v, k, limit=dashboard.ACTIVITY_ITEMS) or [], currency, lang
                            )
                            for k in dashboard.ACTIVITY_KINDS
                        }
                    )
                rows = detail = hits = None
                if show == "search":
                    hits = search.search(db, v, query)
                    rows = []
                elif show == "property" and site_id:
                    detail = dashboard.property_detail(db, v, site_id)
                    rows = [] if detail else None
                elif show:
                    rows = dashboard.listing(
                        db, v, show, site_id, month=month or None, bucket=bucket or None, text=query or None
                    )
                if rows:
                    rows = _priced(rows, currency, lang)
                return key, values, rows, detail, hits

        if reuse:
            key, values, rows, detail, hits = await asyncio.to_thread(work)
        else:
            async with _builds():
                key, values, rows, detail, hits = await asyncio.to_thread(work)
        if values is not None:
            for name, value in values.items():
                setattr(self, name, value)
            self._board_key, self._board_at = key, time.time()
        overlay = {
            "search_text": query if show == "search" else "",
            "search_hits": hits or [],
            "detail_name": detail.name if detail else "",
            "detail_address": detail.address if detail else "",
            "detail_assets": detail.assets if detail else [],
            "detail_tasks": detail.tasks if detail else [],
            "detail_documents": detail.documents if detail else [],
            "overlay": show if rows is not None else "",
            "overlay_site": str(site_id or "") if rows is not None else "",
            "overlay_rows": rows or [],
            "overlay_filter": query if show == "defects" else "",
            "loaded": True,
        }
        for name, value in overlay.items():
            if getattr(self, name) != value:  # what did not change is not sent again
                setattr(self, name, value)

    @portal_event
    def open_bar(self, chart: str, points: list[dict]):
        """A click on a bar opens the listing of what it counts."""
        from urllib.parse import urlencode

        spec = self._bars.get(str(chart))
        point = (points or [{}])[0] or {}
        curve = point.get("curveNumber")
        month = spec["months"].get(str(point.get("x"))) if spec else None
        if not spec or month is None or not isinstance(curve, int) or not 0 <= curve < len(spec["buckets"]):
            return
        return rx.redirect("/portal?" + urlencode({"show": chart, "month": month, "bucket": spec["buckets"][curve]}))

    @portal_event
    def filter_defects(self, form_data: dict):
        from urllib.parse import urlencode

        text = " ".join(str((form_data or {}).get("q") or "").split())[:100]
        return rx.redirect("/portal?" + urlencode({"show": "defects", **({"q": text} if text else {})}), replace=True)

    @portal_event
    def run_search(self, form_data: dict):
        """The search box: the query goes into the URL, so Back and copied links work."""
        from urllib.parse import urlencode

        text = " ".join(str((form_data or {}).get("q") or "").split())[:100]
        if text:
            return rx.redirect("/portal?" + urlencode({"show": "search", "q": text}))

    @portal_event
    def open_pin(self, points: list[dict]):
        """A click on a map pin opens that property (the one nearest the click)."""
        point = (points or [{}])[0] or {}
        # The map's axes are longitude (x) and latitude (y).
        lat, lon = point.get("lat", point.get("y")), point.get("lon", point.get("x"))
        if not isinstance(lat, (int, float)) or not isinstance(lon, (int, float)) or not self._pins:
            return
        site_id = min(self._pins, key=lambda p: (p[0] - lat) ** 2 + (p[1] - lon) ** 2)[2]
        return rx.redirect(f"/portal?show=property&site={site_id}")

    @portal_event
    def close_overlay(self, _open: bool = False):
        self.overlay = ""
        self.overlay_rows = []
        return rx.redirect("/portal", replace=True)
