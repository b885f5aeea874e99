"""Portal lists (jobs, quotes, invoices, reports, assets, defects) and the acts on them
(approve or decline a quote, request a job). The query of a list (status, search,
per-column filters, sort, page) lives in the URL, read by plain GET forms and links,
so Back and copied links work. A handler is the guard, the page's shell
(``_load_shell``), one ``call`` of its service (``services.portal.lists``, ``quotes``,
``invoices``, ``jobs``, ``assets``) and the display values of ``presentation.lists``."""

from __future__ import annotations

import asyncio
from typing import ClassVar

import reflex as rx

from pool_portal.presentation.lists import asset_choices, asset_values, list_values, site_options
from pool_portal.services.core.i18n import normalise_language
from pool_portal.services.core.params import parse_id
from pool_portal.services.payments import reads as payment_reads
from pool_portal.services.portal import assets, invoices, jobs, lists, quotes
from pool_portal.services.portal.list_query import ListQuery, parse_query
from pool_portal.services.portal.shell import site_choices
from pool_portal.states.guard import portal_event, viewer
from pool_portal.states.portal.page import PortalState
from pool_portal.states.portal.paying import picked, start_payment
from pool_portal.states.shell import call


class ListState(rx.State, mixin=True):
    """What every list page has (a mixin: each list page gets its own copy of these
    vars, so one list never flashes another's rows): a page of rows for the query in the URL (status,
    search, per-column filters, sort, page) and the links that change it (sort by a
    column, previous/next page, CSV export of the filtered list). Subclasses set
    ``_kind`` and an on_load handler that reads its page and calls ``_show_list``."""

    _kind: ClassVar[str] = ""
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    status: str = "all"
    text: str = ""
    sort: str = ""
    desc: bool = False
    filters: dict[str, str] = {}
    columns: list[str] = []
    sort_links: dict[str, str] = {}
    prev_href: str = ""
    next_href: str = ""
    csv_href: str = ""
    hidden: list[list[str]] = []
    filtered: bool = False
    enabled: bool = True
    loaded: bool = False

    def _on_refused(self) -> None:
        super()._on_refused()
        self.rows = []
        self.loaded = False

    def _query(self) -> ListQuery:
        """The list's query, from the URL."""
        return parse_query(self._kind, {k: str(val) for k, val in self.router.url.query_parameters.items()})

    def _show_list(self, listed: lists.ListView, query: ListQuery) -> None:
        for name, value in list_values(self._kind, listed, query, normalise_language(self.lang)).items():
            setattr(self, name, value)

    async def _load_list(self) -> None:
        """The shell, then the page of the list for the URL's query."""
        v = await self._load_shell()
        query = self._query()
        self._show_list(await call(lists.list_view, v, self._kind, query), query)


class QuotesState(ListState, PortalState):
    _kind: ClassVar[str] = "quotes"
    acting_id: str = ""
    acting: str = ""  # "approve" | "decline"
    act_error: str = ""
    notice: str = ""

    @portal_event
    async def load_quotes(self):
        await self._load_list()

    @portal_event
    def open_action(self, quote_id: str, action: str):
        self.acting_id = str(parse_id(str(quote_id)) or "")
        self.acting = action if action in ("approve", "decline") else ""
        self.act_error = ""

    @portal_event
    def close_action(self, _open: bool = False):
        self.acting_id = self.acting = self.act_error = ""

    @portal_event(write=True)
    async def submit_action(self, files: list[rx.UploadFile], name: str = "", reference: str = "", comment: str = ""):
        """Approve (with an optional authorisation document) or decline; refused
        (nothing changes) when viewing as a client."""
        v = viewer()
        quote_id, approve = self.acting_id, self.acting == "approve"
        if not quote_id or not self.acting:
            return
        document = None
        if approve and files:
            f = files[0]
            data = await asyncio.to_thread(f.file.read, quotes.MAX_AUTHORISATION_BYTES + 1)
            document = (f.name or "authorisation", data)
        error = await call(
            quotes.decide_quote,
            v,
            int(quote_id),
            approve=approve,
            name=str(name or ""),
            reference=str(reference or ""),
            comment=str(comment or ""),
            document=document,
        )
        if error and error not in ("quote.error.already_decided", "quote.error.not_found"):
            self.act_error = error  # stays open, message next to the field
            return
        self.acting_id = self.acting = ""
        self.act_error = ""
        self.notice = error or ("quote.approved" if approve else "quote.declined")
        return QuotesState.load_quotes


class InvoicesState(ListState, PortalState):
    """Invoices with the payment instructions and, when the tenant takes payments
    online, Pay now on each unpaid one (several at once when it allows that)."""

    _kind: ClassVar[str] = "invoices"
    payment_instructions: str = ""
    payable: dict[str, str] = {}  # invoice id -> "pay" | "processing" | "unavailable"
    multi: bool = False
    pay_error: str = ""
    returned: str = ""  # back from a checkout of several: "confirming" | "cancelled"

    @portal_event
    async def load_invoices(self):
        v = await self._load_shell()
        query = self._query()
        found = await call(invoices.invoices_view, v, query)
        self._show_list(found.listed, query)
        self.payment_instructions = found.payment_instructions
        ids = [int(r["id"]) for r in self.rows if str(r.get("id", "")).isdigit()]
        offer = await call(payment_reads.list_offer, v, ids)
        self.payable = {str(k): val for k, val in offer.payable.items()}
        self.multi = offer.multiple and len(self.payable) > 1
        params = self.router.url.query_parameters
        back = parse_id(str(params.get("checkout", "")))
        self.returned = "" if back is None else "cancelled" if params.get("cancelled") else "confirming"
        self.pay_error = ""

    @portal_event(write=True)
    async def pay(self, invoice_id: str):
        return await start_payment(self, [i for i in [parse_id(str(invoice_id))] if i is not None])

    @portal_event(write=True)
    async def pay_selected(self, form_data: dict):
        return await start_payment(self, picked(form_data))


class JobsState(ListState, PortalState):
    """Jobs: past or future, by property and date range, with a search; all in the URL."""

    _kind: ClassVar[str] = "jobs"
    sites: list[list[str]] = []
    site: str = ""
    assets: list[list[str]] = []  # the chosen property's assets
    asset: str = ""
    date_from: str = ""
    date_to: str = ""

    @portal_event
    async def load_jobs(self):
        v = await self._load_shell()
        # An asset brings its property; one not on the property is dropped (the links follow).
        found = await call(jobs.jobs_view, v, self._query())
        query = found.query
        self._show_list(found.listed, query)
        self.sites = site_options(found.sites)
        site = str(query.site_id) if query.site_id is not None else ""
        self.site = site if any(s[0] == site for s in self.sites) else ""
        self.assets = asset_choices(found.assets) if self.site else []
        self.asset = str(query.asset_id) if query.asset_id is not None and self.assets else ""
        self.date_from = query.date_from.isoformat() if query.date_from else ""
        self.date_to = query.date_to.isoformat() if query.date_to else ""


class ReportsState(ListState, PortalState):
    """Approved service reports, each with its PDF."""

    _kind: ClassVar[str] = "reports"

    @portal_event
    async def load_reports(self):
        await self._load_list()


class DefectsState(ListState, PortalState):
    """Published defects of the view, most recent first; by severity and status."""

    _kind: ClassVar[str] = "defects"

    @portal_event
    async def load_defects(self):
        await self._load_list()


class AssetsState(ListState, PortalState):
    """Assets with the columns the tenant chose (and its name for "Asset ID"); with
    ``?id=`` in the URL, one asset's detail: published defects, service history and
    next service due."""

    _kind: ClassVar[str] = "assets"
    asset_label: str = ""
    detail: dict[str, str] = {}
    detail_defects: list[dict[str, str]] = []
    detail_jobs: list[dict[str, str]] = []
    detail_missing: bool = False

    @portal_event
    async def load_assets(self):
        raw = str(self.router.url.query_parameters.get("id", ""))
        v = await self._load_shell()
        query = self._query()
        found = await call(assets.assets_view, v, query, parse_id(raw))
        self._show_list(found.listed, query)
        self.asset_label = found.label
        self.detail_missing = bool(raw) and found.detail is None
        for name, value in asset_values(found.detail).items():
            setattr(self, name, value)


class RequestJobState(PortalState):
    """Request a job: a site of the view, a job type, a description; errors next to
    the fields; a confirmation with the new job's number."""

    sites: list[list[str]] = []
    errors: dict[str, str] = {}
    created: str = ""

    def _on_refused(self) -> None:
        super()._on_refused()
        self.sites = []

    @portal_event
    async def load_request(self):
        v = await self._load_shell()
        self.sites = site_options(await call(site_choices, v))
        self.errors = {}
        self.created = ""

    @portal_event(write=True)
    async def submit_request(self, form_data: dict):
        v = viewer()
        form = form_data or {}
        number, errors = await call(
            jobs.request_job,
            v,
            parse_id(str(form.get("site") or "")) or -1,
            str(form.get("kind") or ""),
            str(form.get("description") or "")[:5000],
        )
        self.errors = errors
        self.created = number or ""
