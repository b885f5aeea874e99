"""Portal lists: quotes (approve, decline) and invoices. Filters and the page number
live in the URL (a plain GET form), so Back and copied links work."""

from __future__ import annotations

import asyncio

import reflex as rx

from pool_portal.db import session_scope
from pool_portal.models import PortalSettings, Tenant
from pool_portal.services import records
from pool_portal.services.i18n import money, normalise_language
from pool_portal.states.guard import portal_event, viewer
from pool_portal.states.portal import PortalState


def _int(raw: str, default: int = 1) -> int:
    return int(raw) if raw.isdigit() and len(raw) < 7 else default


class RecordsState(PortalState):
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    status: str = "all"
    text: str = ""
    enabled: bool = True
    loaded: bool = False

    def _on_refused(self) -> None:
        super()._on_refused()
        self.rows = []
        self.loaded = False

    def _params(self, allowed: tuple[str, ...]) -> tuple[str, str, int]:
        params = self.router.url.query_parameters
        status = str(params.get("status", "all"))
        return (status if status in allowed else "all"), str(params.get("q", ""))[:100], _int(str(params.get("page", "1")))

    def _apply(self, page: records.Page | None, currency: str, lang: str, status: str, text: str) -> None:
        self.enabled = page is not None
        self.status, self.text = status, text
        if page is None:
            self.rows, self.total, self.page, self.pages = [], 0, 1, 1
        else:
            self.rows = [{**r, "amount": money(int(r["total_cents"]), currency, lang)} for r in page.rows]
            self.total, self.page, self.pages = page.total, page.page, page.pages
        self.loaded = True


class QuotesState(RecordsState):
    acting_id: str = ""
    acting: str = ""  # "approve" | "decline"
    act_error: str = ""
    notice: str = ""

    @portal_event
    async def load_quotes(self):
        v = viewer()
        status, text, page = self._params(records.QUOTE_FILTERS)
        lang = normalise_language(self.lang)

        def work():
            with session_scope() as db:
                self._load_common(db, v)
                return records.list_quotes(db, v, status=status, text=text, page=page), db.get(Tenant, v.tenant_id).currency

        result, currency = await asyncio.to_thread(work)
        self._apply(result, currency, lang, status, text)

    @portal_event
    def open_action(self, quote_id: str, action: str):
        self.acting_id = str(quote_id) if str(quote_id).isdigit() else ""
        self.acting = action if action in ("approve", "decline") else ""
        self.act_error = ""

    @portal_event
    def close_action(self, _open: bool = False):
        self.acting_id = self.acting = self.act_error = ""

    @portal_event(write=True)
    async def submit_action(self, form_data: dict):
        """Approve or decline; refused (nothing changes) when viewing as a client."""
        v = viewer()
        form = form_data or {}
        quote_id, approve = self.acting_id, self.acting == "approve"
        if not quote_id or not self.acting:
            return

        def work():
            with session_scope() as db:
                return records.decide_quote(
                    db, v, int(quote_id), approve=approve, name=str(form.get("name") or ""),
                    reference=str(form.get("reference") or ""), comment=str(form.get("comment") or ""),
                )

        error = await asyncio.to_thread(work)
        if error and error not in ("quote.error.already_decided", "quote.error.not_found"):
            self.act_error = error  # stays open, message next to the field
            return
        self.acting_id = self.acting = ""
        self.act_error = ""
        self.notice = error or ("quote.approved" if approve else "quote.declined")
        return QuotesState.load_quotes


class InvoicesState(RecordsState):
    payment_instructions: str = ""

    @portal_event
    async def load_invoices(self):
        v = viewer()
        status, text, page = self._params(records.INVOICE_FILTERS)
        lang = normalise_language(self.lang)

        def work():
            from sqlalchemy import select

            with session_scope() as db:
                self._load_common(db, v)
                settings = db.execute(select(PortalSettings).where(PortalSettings.tenant_id == v.tenant_id)).scalar_one_or_none()
                return (records.list_invoices(db, v, status=status, text=text, page=page),
                        db.get(Tenant, v.tenant_id).currency, (settings.payment_instructions or "") if settings else "")

        result, currency, instructions = await asyncio.to_thread(work)
        self._apply(result, currency, lang, status, text)
        self.payment_instructions = instructions


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
        from pool_portal.services.dashboard import view_sites

        v = viewer()

        def work():
            with session_scope() as db:
                self._load_common(db, v)
                return [[str(s.id), s.name] for s in view_sites(db, v)]

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
                return records.request_job(db, v, int(raw_site) if raw_site.isdigit() else -1,
                                           str(form.get("kind") or ""), str(form.get("description") or "")[:5000])

        number, errors = await asyncio.to_thread(work)
        self.errors = errors
        self.created = number or ""


class JobsState(RecordsState):
    """Jobs: past or future, by property and date range, with a search; all in the URL."""

    sites: list[list[str]] = []
    site: str = ""
    date_from: str = ""
    date_to: str = ""

    @portal_event
    async def load_jobs(self):
        from datetime import date

        from pool_portal.services.dashboard import view_sites

        v = viewer()
        when, text, page = self._params(records.JOB_FILTERS)
        params = self.router.url.query_parameters
        site = str(params.get("site", ""))

        def day(raw: str):
            try:
                return date.fromisoformat(raw) if raw else None
            except ValueError:
                return None

        start, end = day(str(params.get("from", ""))), day(str(params.get("to", "")))

        def work():
            with session_scope() as db:
                self._load_common(db, v)
                sites = [[str(s.id), s.name] for s in view_sites(db, v)]
                page_ = records.list_jobs(db, v, when=when, site_id=int(site) if site.isdigit() else None,
                                          date_from=start, date_to=end, text=text, page=page)
                return sites, page_

        self.sites, result = await asyncio.to_thread(work)
        self.site = site if any(s[0] == site for s in self.sites) else ""
        self.date_from = start.isoformat() if start else ""
        self.date_to = end.isoformat() if end else ""
        self._apply(result, "EUR", normalise_language(self.lang), when, text)
