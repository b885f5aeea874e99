"""Portal lists (jobs, quotes, invoices, reports, assets, defects) and the acts on them
(approve or decline a quote, request a job). The query of a list (status, search,
per-column filters, sort, page) lives in the URL, read by plain GET forms and links,
so Back and copied links work; the rules live in services.lists and services.records."""

from __future__ import annotations

import asyncio
from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx

from pool_portal.db import session_scope
from pool_portal.models import Tenant
from pool_portal.presentation.display import money
from pool_portal.services.core.i18n import normalise_language
from pool_portal.services.core.params import parse_id
from pool_portal.services.portal import lists, portal_settings, records
from pool_portal.states.guard import portal_event, viewer
from pool_portal.states.portal.page import PortalState


class ListState(rx.State, mixin=True):
    """What every list page has (a mixin: each list page gets its own copy of these
    vars, so one list never flashes another's rows): a page of rows for the query in the URL (status,
    search, per-column filters, sort, page) and the links that change it (sort by a
    column, previous/next page, CSV export of the filtered list). Subclasses set
    ``_kind`` and an on_load handler that calls ``_load_list``."""

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

    async def _load_list(self, extra=None, refine=None):
        """Read the query from the URL, fetch its page (and, through ``extra(db, v)``,
        whatever else the page shows) off the event loop, and set the links.
        ``refine(db, v, query)`` may correct the query first (the links follow it)."""
        v = viewer()
        kind = self._kind
        query = lists.parse_query(kind, {k: str(val) for k, val in self.router.url.query_parameters.items()})
        lang = normalise_language(self.lang)

        def work():
            with session_scope() as db:
                self._load_common(db, v)
                if refine:
                    refine(db, v, query)
                page = lists.fetch(db, v, kind, query)
                cols = [c.key for c in lists.shown_columns(db, v, kind)]
                more = extra(db, v) if extra else None
                return page, cols, db.get(Tenant, v.tenant_id).currency, more

        page, cols, currency, more = await asyncio.to_thread(work)
        path = "/portal/" + kind
        self.enabled = page is not None
        self.status, self.text, self.filters, self.columns = query.status, query.text, dict(query.filters), cols
        if page is None:
            self.rows, self.total, self.page, self.pages, self.sort, self.desc = [], 0, 1, 1, "", False
        else:
            self.rows = [
                {**r, "amount": money(int(r["total_cents"]), currency, lang)} if r.get("total_cents") else r
                for r in page.rows
            ]
            self.total, self.page, self.pages = page.total, page.page, page.pages
            self.sort, self.desc = page.sort, page.desc
        query.page = self.page

        def href(base: str = path, **changes) -> str:
            params = lists.query_params(query, **changes)
            return base + ("?" + urlencode(params) if params else "")

        def next_dir(col: lists.Column) -> str:
            if self.sort == col.key:
                return "asc" if self.desc else "desc"
            return "desc" if col.kind in ("date", "money") else "asc"

        self.sort_links = {
            c.key: href(sort=c.key, dir=next_dir(c), page=None) for c in lists.COLUMNS[kind] if c.sortable
        }
        self.prev_href = href(page=self.page - 1) if self.page > 1 else ""
        self.next_href = href(page=self.page + 1) if self.page < self.pages else ""
        self.csv_href = href(f"/files/export/{kind}.csv", page=None)
        # The filter form carries the sort along as hidden fields.
        self.hidden = [[k, val] for k, val in lists.query_params(query).items() if k in ("sort", "dir")]
        self.filtered = bool(
            query.filters
            or query.text
            or query.status != "all"
            or query.site_id is not None
            or query.asset_id is not None
            or query.date_from
            or query.date_to
        )
        self.loaded = True
        return more


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
            data = await asyncio.to_thread(f.file.read, records.MAX_AUTHORISATION_BYTES + 1)
            document = (f.name or "authorisation", data)

        def work():
            with session_scope() as db:
                return records.decide_quote(
                    db,
                    v,
                    int(quote_id),
                    approve=approve,
                    name=str(name or ""),
                    reference=str(reference or ""),
                    comment=str(comment or ""),
                    document=document,
                )

        error = await asyncio.to_thread(work)
        if error and error not in ("quote.error.already_decided", "quote.error.not_found"):
            self.act_error = error  # stays open, message next to the field
            return
        self.acting_id = self.acting = ""
        self.act_error = ""
        self.notice = error or ("quote.approved" if approve else "quote.declined")
        return QuotesState.load_quotes


class InvoicesState(ListState, PortalState):
    _kind: ClassVar[str] = "invoices"
    payment_instructions: str = ""

    @portal_event
    async def load_invoices(self):
        def instructions(db, v) -> str:
            return portal_settings.portal_settings(db, v.tenant_id).payment_instructions

        self.payment_instructions = await self._load_list(instructions)


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
        chosen: dict = {}

        def refine(db, v, query):
            # An asset brings its property; one not on the property is dropped.
            query.site_id, query.asset_id, chosen["assets"] = records.job_asset_filter(
                db, v, query.site_id, query.asset_id
            )
            chosen["query"] = query

        self.sites = await self._load_list(self._site_choices, refine)
        query = chosen.get("query") or lists.parse_query("jobs", {})
        site = str(query.site_id) if query.site_id is not None else ""
        self.site = site if any(s[0] == site for s in self.sites) else ""
        self.assets = chosen.get("assets", []) if self.site else []
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
        asset_id = parse_id(raw)

        def more(db, v):
            label = lists.asset_columns(db, v.tenant_id)[1]
            return label, (records.asset_detail(db, v, asset_id) if asset_id is not None else None)

        label, detail = await self._load_list(more)
        self.asset_label = label
        self.detail_missing = bool(raw) and detail is None
        detail = dict(detail or {})
        self.detail_defects = detail.pop("defects", [])
        self.detail_jobs = detail.pop("jobs", [])
        self.detail = {k: str(val) for k, val in detail.items()}


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
        v = viewer()

        def work():
            with session_scope() as db:
                self._load_common(db, v)
                return self._site_choices(db, v)

        self.sites = await asyncio.to_thread(work)
        self.errors = {}
        self.created = ""

    @portal_event(write=True)
    async def submit_request(self, form_data: dict):
        v = viewer()
        form = form_data or {}
        raw_site = str(form.get("site") or "")

        def work():
            with session_scope() as db:
                return records.request_job(
                    db,
                    v,
                    parse_id(raw_site) or -1,
                    str(form.get("kind") or ""),
                    str(form.get("description") or "")[:5000],
                )

        number, errors = await asyncio.to_thread(work)
        self.errors = errors
        self.created = number or ""
