"""Admin → Data: the index (how many of each) and the lists (sites, jobs, visits,
quotes, invoices, reports, remarks), a page of rows for the query in the URL. The
remarks list publishes one remark, or every remark its filter shows; the visits list
edits a visit in place (a TECHNICIAN: the outcome of their own visits)."""

from __future__ import annotations

from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx

from pool_portal.presentation.staff_data import choices, visit_values
from pool_portal.presentation.staff_lists import counts_text, list_href, rows_values
from pool_portal.services.core.i18n import normalise_language
from pool_portal.services.core.roles import ANY_STAFF, OFFICE_WORK
from pool_portal.services.staff import jobs, lists, site_records, sites
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import StaffPage, call
from pool_portal.states.staff.data_page import DataPage, as_id, submitted, url_params


class DataList(DataPage, mixin=True):
    """A page of one of the admin lists for the query in the URL."""

    _kind: ClassVar[str] = ""
    rows: list[dict[str, str]] = []
    total: int = 0
    page: int = 1
    pages: int = 1
    text: str = ""
    filters: dict[str, str] = {}
    prev_href: str = ""
    next_href: str = ""
    filtered: bool = False
    site_name: str = ""

    def _on_refused(self) -> None:
        super()._on_refused()
        self.rows, self.total, self.loaded = [], 0, False

    async def _load_list(self) -> None:
        v = viewer()
        view = await call(lists.list_view, v.tenant_id, v.user_id, self._kind, url_params(self))
        page, query = view.page, view.query
        self.rows = rows_values(page.rows, view.currency, normalise_language(self.lang))
        self.total, self.page, self.pages = page.total, page.page, page.pages
        self.text, self.filters, self.site_name = query.text, dict(query.filters), view.site_name
        query.page = page.page
        self.prev_href = list_href(query, page=page.page - 1) if page.page > 1 else ""
        self.next_href = list_href(query, page=page.page + 1) if page.page < page.pages else ""
        self.filtered = bool(query.text or query.filters)
        self.loaded = True


class DataIndexState(DataPage, StaffPage):
    counts: dict[str, str] = {}

    @staff_event(OFFICE_WORK)
    async def load_data_index(self):
        v = await self._load_shell()
        self.counts = counts_text(await call(lists.counts, v.tenant_id, v.user_id))
        self.loaded = True


class SitesListState(DataList, StaffPage):
    _kind: ClassVar[str] = "sites"
    clients: list[list[str]] = []

    @staff_event(OFFICE_WORK)
    async def load_sites_list(self):
        v = await self._load_shell()
        await self._load_list()
        self.clients = choices(await call(sites.client_choices, v.tenant_id))


class JobsListState(DataList, StaffPage):
    _kind: ClassVar[str] = "jobs"
    technicians: list[list[str]] = []

    @staff_event(OFFICE_WORK)
    async def load_jobs_list(self):
        v = await self._load_shell()
        await self._load_list()
        self.technicians = choices(await call(jobs.technicians, v.tenant_id))


class QuotesListState(DataList, StaffPage):
    _kind: ClassVar[str] = "quotes"

    @staff_event(OFFICE_WORK)
    async def load_quotes_list(self):
        await self._load_shell()
        await self._load_list()


class InvoicesListState(DataList, StaffPage):
    _kind: ClassVar[str] = "invoices"

    @staff_event(OFFICE_WORK)
    async def load_invoices_list(self):
        await self._load_shell()
        await self._load_list()


class ReportsListState(DataList, StaffPage):
    _kind: ClassVar[str] = "reports"

    @staff_event(OFFICE_WORK)
    async def load_reports_list(self):
        await self._load_shell()
        await self._load_list()


class RemarksListState(DataList, StaffPage):
    """Remarks with their filters; publish one, or every remark the filter shows."""

    _kind: ClassVar[str] = "remarks"
    confirm: str = ""  # "publish" | "unpublish" while asking to confirm a bulk change
    bulk_count: int = 0

    @staff_event(OFFICE_WORK)
    async def load_remarks_list(self):
        self.confirm = ""
        self._saved_notice()
        await self._load_shell()
        await self._load_list()

    @staff_event(OFFICE_WORK)
    def ask_bulk(self, action: str):
        self.confirm = action if action in ("publish", "unpublish") else ""

    @staff_event(OFFICE_WORK)
    async def bulk_publish(self, publish: bool):
        """Only after ``ask_bulk`` asked for the same action (a confirmation)."""
        v = viewer()
        if self.confirm != ("publish" if publish is True else "unpublish" if publish is False else None):
            return
        count = await call(site_records.bulk_publish, v.tenant_id, v.user_id, url_params(self), bool(publish))
        self.confirm = ""
        await self._load_list()
        self.notice = "data.bulk.published" if publish else "data.bulk.unpublished"
        self.bulk_count = count

    @staff_event(OFFICE_WORK)
    async def set_published(self, remark_id: str, published: bool):
        v = viewer()
        error = await call(site_records.set_remark_published, v.tenant_id, v.user_id, as_id(remark_id), bool(published))
        await self._load_list()
        self.notice = error or ""


class VisitsListState(DataList, StaffPage):
    """Visits: everyone's for ADMIN and OFFICE, their own for a TECHNICIAN, who can
    record the outcome (status, notes) of a visit assigned to them."""

    _kind: ClassVar[str] = "visits"
    technicians: list[list[str]] = []
    editing: dict[str, str] = {}
    can_plan: bool = False

    @staff_event(ANY_STAFF)
    async def load_visits_list(self):
        edit_id = as_id(url_params(self).get("edit"))
        self._saved_notice()
        self.errors = {}
        v = await self._load_shell()
        await self._load_list()
        self.technicians = choices(await call(jobs.technicians, v.tenant_id))
        visit = await call(jobs.visit_to_edit, v.tenant_id, v.user_id, edit_id)
        self.editing = visit_values(visit) if visit is not None else {}
        self.can_plan = v.role in OFFICE_WORK
        self.version += 1

    @staff_event(ANY_STAFF)
    async def save_visit(self, form_data: dict):
        v = viewer()
        visit_id, data = as_id(self.editing.get("id")), submitted(form_data)
        if visit_id is None:
            return
        _, errors = await call(jobs.save_visit, v.tenant_id, v.user_id, visit_id, None, data)
        self.errors = errors
        if not errors:
            params = {k: val for k, val in url_params(self).items() if k not in ("edit", "saved")}
            return rx.redirect("/admin/visits?" + urlencode({**params, "saved": "visit"}))
