"""The portal's home page: the dashboard, and the overlays opened over it (a listing
behind a number or a bar, a property, the search's hits), whose state lives in the URL.

A handler is the guard, the shell (``_load_shell``) with the board, one ``call`` of
``services.portal.home.read_home`` and the display values ``presentation.dashboard``
makes of it (a deep link to a property first switches to the view that shows it,
``view_for_property``). Two things keep the page quick:
an overlay opened over the board just shown reads and sends only the overlay (the
board is reused for ``BOARD_REUSE_S``), and at most ``BUILDS_AT_ONCE`` boards are built
at once per worker."""

from __future__ import annotations

import asyncio
import hashlib
import time
import weakref
from urllib.parse import urlencode

import reflex as rx

from pool_portal.presentation.dashboard import home_values
from pool_portal.services.core.i18n import normalise_language
from pool_portal.services.core.params import parse_id, parse_int
from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import auth
from pool_portal.services.payments import reads as payment_reads
from pool_portal.services.portal.home import HomeQuery, read_home, view_for_property
from pool_portal.states.guard import portal_event, viewer
from pool_portal.states.portal.page import PortalState
from pool_portal.states.portal.paying import start_payment
from pool_portal.states.shell import call

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


def _board_key(v: Viewer, routine_year: int | None, lang: str) -> str:
    """What a dashboard's figures depend on besides the data: who, which view, which
    year, which language."""
    clients = hashlib.sha256(",".join(map(str, sorted(v.client_ids))).encode()).hexdigest()[:16]
    return f"{v.tenant_id}:{v.user_id}:{v.view}:{clients}:{routine_year}:{lang}"


async def _read(v: Viewer, query: HomeQuery, lang: str, keep_board: bool) -> tuple[dict | None, dict]:
    """The page read (one unit of work) and its display values (off the event loop:
    a big view's formatting would hold it): (the board's vars or None, the overlay's)."""
    home = await call(read_home, v, query, keep_board=keep_board)
    return await asyncio.to_thread(home_values, home, query, lang)


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
    # Charts as plotly's JSON (from presentation.charts; the page casts them to figures).
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
    pay_error: str = ""
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
        routine_year = parse_int(str(params.get("year", "")), 2000, 2100)
        query = HomeQuery(
            show=str(params.get("show", "")),
            site_id=parse_id(str(params.get("site", ""))),
            routine_year=routine_year,
            text=str(params.get("q", ""))[:100],
            month=str(params.get("month", ""))[:7] or None,
            bucket=str(params.get("bucket", ""))[:20] or None,
        )
        lang = normalise_language(self.lang)
        if query.show == "property" and query.site_id:
            token = auth.token_from_cookie_header(self.router.headers.raw_headers.get("cookie"))
            v = await call(view_for_property, v, token, query.site_id)
        # An overlay opened over the dashboard just shown leaves the board as it is:
        # only the overlay's rows are read and sent. Any other load reads all.
        key = _board_key(v, routine_year, lang)
        if query.show and self._board_key == key and time.time() - self._board_at < BOARD_REUSE_S:
            board, overlay = await _read(v, query, lang, keep_board=True)
        else:
            async with _builds():
                await self._load_shell(v)
                board, overlay = await _read(v, query, lang, keep_board=False)
        if board is not None:
            for name, value in board.items():
                setattr(self, name, value)
            self._board_key, self._board_at = key, time.time()
            await self._mark_payable(v)
        for name, value in overlay.items():
            if getattr(self, name) != value:  # what did not change is not sent again
                setattr(self, name, value)

    async def _mark_payable(self, v: Viewer) -> None:
        """The activity report's invoices that can be paid now get Pay now."""
        items = self.activity_items.get("invoices") or []
        ids = [int(r["id"]) for r in items if str(r.get("id", "")).isdigit()]
        payable = await call(payment_reads.payable, v, ids) if ids else {}
        if payable:
            marked = [{**r, "pay": payable.get(int(r["id"]), "")} for r in items]
            self.activity_items = {**self.activity_items, "invoices": marked}
        self.pay_error = ""

    @portal_event(write=True)
    async def pay_invoice(self, invoice_id: str):
        """Pay now, from the activity report."""
        return await start_payment(self, [i for i in [parse_id(str(invoice_id))] if i is not None])

    @portal_event
    def open_bar(self, chart: str, points: list[dict]):
        """A click on a bar opens the listing of what it counts."""
        spec = self._bars.get(str(chart))
        point = (points or [{}])[0] or {}
        curve = point.get("curveNumber")
        month = spec["months"].get(str(point.get("x"))) if spec else None
        if not spec or month is None or not isinstance(curve, int) or not 0 <= curve < len(spec["buckets"]):
            return
        return rx.redirect("/portal?" + urlencode({"show": chart, "month": month, "bucket": spec["buckets"][curve]}))

    @portal_event
    def filter_defects(self, form_data: dict):
        text = " ".join(str((form_data or {}).get("q") or "").split())[:100]
        return rx.redirect("/portal?" + urlencode({"show": "defects", **({"q": text} if text else {})}), replace=True)

    @portal_event
    def run_search(self, form_data: dict):
        """The search box: the query goes into the URL, so Back and copied links work."""
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
