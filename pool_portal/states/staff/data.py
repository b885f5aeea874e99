"""Admin → Data: the lists (sites, jobs, visits, quotes, invoices, reports, remarks)
and the edit pages (a site with its assets, remarks and documents; a job with its
visits; a quote or an invoice with its lines; a report). Thin: every rule is in
services.staff_data / staff_billing / staff_lists; a handler asks a service off the
event loop and stores the answer. A list's query and the record being edited live in
the URL, so Back, reload and copied links work."""

from __future__ import annotations

import asyncio
from typing import ClassVar
from urllib.parse import urlencode

import reflex as rx
from sqlalchemy.exc import IntegrityError

from pool_portal.db import session_scope
from pool_portal.models import StaffRole, Tenant
from pool_portal.presentation.display import money
from pool_portal.services.core.i18n import normalise_language
from pool_portal.services.core.params import parse_id
from pool_portal.services.core.roles import ANY_STAFF, OFFICE_WORK
from pool_portal.services.portal import branding
from pool_portal.services.staff import billing as staff_billing
from pool_portal.services.staff import client_notify
from pool_portal.services.staff import data as staff_data
from pool_portal.services.staff import lists as staff_lists
from pool_portal.services.staff.forms import percent_text
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import AppState

SAVED = ("1", "asset", "remark", "document", "visit", "sent", "issued", "paid", "void", "expired", "approved")
MAX_FORM_VALUE = 10_000


def _int(raw) -> int | None:
    return parse_id(str(raw or ""))


def _form(form_data, limit: int = 80) -> dict[str, str]:
    """A submitted form as {str: str}, each value capped (the services check lengths)."""
    if not isinstance(form_data, dict):
        return {}
    return {
        str(k)[:60]: str(v)[:MAX_FORM_VALUE]
        for k, v in list(form_data.items())[:limit]
        if isinstance(v, (str, int, float, bool))
    }


def _params(state) -> dict[str, str]:
    return {str(k): str(v) for k, v in state.router.url.query_parameters.items()}


def _currency(db, tenant_id: int) -> str:
    tenant = db.get(Tenant, tenant_id)
    return tenant.currency if tenant else "EUR"


class DataPage(rx.State, mixin=True):
    """What every data page has: messages (``errors`` next to fields, a ``notice``),
    ``missing`` for an id that is not the tenant's, and a ``version`` that re-mounts
    the form fields when new values arrive."""

    errors: dict[str, str] = {}
    notice: str = ""
    missing: bool = False
    loaded: bool = False
    version: int = 0

    def _brand(self, db, v) -> None:
        name, colour = branding.tenant_branding(db, v)
        self._apply_identity(v, name, colour)

    def _saved_notice(self) -> None:
        saved = _params(self).get("saved", "")
        self.notice = f"data.saved.{saved}" if saved in SAVED else ""

    async def _save_record(self, work, path: str):
        """Run ``work()`` -> (id, errors) off the loop; on success open the saved record."""
        try:
            new_id, errors = await asyncio.to_thread(work)
        except IntegrityError:  # two people took the same number at once
            new_id, errors = None, {"number": staff_data.E_NUMBER_TAKEN}
        self.errors = errors
        return None if errors else rx.redirect(f"{path}?id={new_id}&saved=1")


# -- lists -----------------------------------------------------------------------------------------
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

    async def _load_list(self, extra=None):
        v = viewer()
        kind, lang = self._kind, normalise_language(self.lang)
        query = staff_lists.parse(kind, _params(self))

        def work():
            with session_scope() as db:
                self._brand(db, v)
                page = staff_lists.fetch(db, v.tenant_id, v.user_id, kind, query)
                site = staff_lists.site_choice(db, v.tenant_id, query.filters.get("site"))
                return page, site, _currency(db, v.tenant_id), extra(db, v) if extra else None

        page, site, currency, more = await asyncio.to_thread(work)
        self.rows = [
            {**r, "amount": money(int(r["total_cents"]), currency, lang)} if "total_cents" in r else r
            for r in page.rows
        ]
        self.total, self.page, self.pages = page.total, page.page, page.pages
        self.text, self.filters, self.site_name = query.text, dict(query.filters), site
        query.page = page.page
        path = "/admin/" + kind

        def href(**changes) -> str:
            params = staff_lists.query_params(query, **changes)
            return path + ("?" + urlencode(params) if params else "")

        self.prev_href = href(page=page.page - 1) if page.page > 1 else ""
        self.next_href = href(page=page.page + 1) if page.page < page.pages else ""
        self.filtered = bool(query.text or query.filters)
        self.loaded = True
        return more


class DataIndexState(DataPage, AppState):
    counts: dict[str, str] = {}

    @staff_event(OFFICE_WORK)
    async def load_data_index(self):
        v = viewer()

        def work():
            with session_scope() as db:
                self._brand(db, v)
                return staff_lists.counts(db, v.tenant_id, v.user_id)

        self.counts = {k: str(n) for k, n in (await asyncio.to_thread(work)).items()}
        self.loaded = True


class SitesListState(DataList, AppState):
    _kind: ClassVar[str] = "sites"
    clients: list[list[str]] = []

    @staff_event(OFFICE_WORK)
    async def load_sites_list(self):
        self.clients = await self._load_list(lambda db, v: staff_data.clients(db, v.tenant_id))


class JobsListState(DataList, AppState):
    _kind: ClassVar[str] = "jobs"
    technicians: list[list[str]] = []

    @staff_event(OFFICE_WORK)
    async def load_jobs_list(self):
        self.technicians = await self._load_list(lambda db, v: staff_data.technicians(db, v.tenant_id))


class QuotesListState(DataList, AppState):
    _kind: ClassVar[str] = "quotes"

    @staff_event(OFFICE_WORK)
    async def load_quotes_list(self):
        await self._load_list()


class InvoicesListState(DataList, AppState):
    _kind: ClassVar[str] = "invoices"

    @staff_event(OFFICE_WORK)
    async def load_invoices_list(self):
        await self._load_list()


class ReportsListState(DataList, AppState):
    _kind: ClassVar[str] = "reports"

    @staff_event(OFFICE_WORK)
    async def load_reports_list(self):
        await self._load_list()


class RemarksListState(DataList, AppState):
    """Remarks with their filters; publish one, or every remark the filter shows."""

    _kind: ClassVar[str] = "remarks"
    confirm: str = ""  # "publish" | "unpublish" while asking to confirm a bulk change
    bulk_count: int = 0

    @staff_event(OFFICE_WORK)
    async def load_remarks_list(self):
        self.confirm = ""
        self._saved_notice()
        await self._load_list()

    @staff_event(OFFICE_WORK)
    def ask_bulk(self, action: str):
        self.confirm = action if action in ("publish", "unpublish") else ""

    @staff_event(OFFICE_WORK)
    async def bulk_publish(self, publish: bool):
        """Only after ``ask_bulk`` asked for the same action (a confirmation)."""
        v = viewer()
        params = _params(self)
        if self.confirm != ("publish" if publish is True else "unpublish" if publish is False else None):
            return

        def work():
            with session_scope() as db:
                return staff_data.bulk_publish(db, v.tenant_id, v.user_id, params, bool(publish))

        count = await asyncio.to_thread(work)
        self.confirm = ""
        await self._load_list()
        self.notice = "data.bulk.published" if publish else "data.bulk.unpublished"
        self.bulk_count = count

    @staff_event(OFFICE_WORK)
    async def set_published(self, remark_id: str, published: bool):
        v = viewer()

        def work():
            with session_scope() as db:
                return staff_data.set_remark_published(db, v.tenant_id, v.user_id, _int(remark_id), bool(published))

        error = await asyncio.to_thread(work)
        await self._load_list()
        self.notice = error or ""


class VisitsListState(DataList, AppState):
    """Visits: everyone's for ADMIN and OFFICE, their own for a TECHNICIAN, who can
    record the outcome (status, notes) of a visit assigned to them."""

    _kind: ClassVar[str] = "visits"
    technicians: list[list[str]] = []
    editing: dict[str, str] = {}
    can_plan: bool = False

    @staff_event(ANY_STAFF)
    async def load_visits_list(self):
        v = viewer()
        edit_id = _int(_params(self).get("edit"))
        self._saved_notice()
        self.errors = {}

        def more(db, v):
            from pool_portal.models import Visit

            visit = staff_data.owned(db, Visit, v.tenant_id, edit_id) if edit_id is not None else None
            if visit is not None and v.role == StaffRole.TECHNICIAN and visit.technician_id != v.user_id:
                visit = None
            form = {**staff_data.visit_form(visit), "id": str(visit.id)} if visit is not None else {}
            return staff_data.technicians(db, v.tenant_id), form

        self.technicians, self.editing = await self._load_list(more)
        self.can_plan = v.role in OFFICE_WORK
        self.version += 1

    @staff_event(ANY_STAFF)
    async def save_visit(self, form_data: dict):
        v = viewer()
        visit_id, data = _int(self.editing.get("id")), _form(form_data)
        if visit_id is None:
            return

        def work():
            with session_scope() as db:
                return staff_data.save_visit(db, v.tenant_id, v.user_id, visit_id, None, data)

        _, errors = await asyncio.to_thread(work)
        self.errors = errors
        if not errors:
            params = {k: val for k, val in _params(self).items() if k not in ("edit", "saved")}
            return rx.redirect("/admin/visits?" + urlencode({**params, "saved": "visit"}))


# -- a site and its sections ---------------------------------------------------------------------------
class SiteState(DataPage, AppState):
    """/admin/site?id=<id> (or ?id=new): the site's form and its sections; ``&asset=``
    and ``&remark=`` (an id or "new") open the asset or remark form."""

    site: dict[str, str] = {}
    is_new: bool = False
    clients: list[list[str]] = []
    assets: list[dict[str, str]] = []
    remarks: list[dict[str, str]] = []
    documents: list[dict[str, str]] = []
    jobs: list[dict[str, str]] = []
    quotes: list[dict[str, str]] = []
    invoices: list[dict[str, str]] = []
    reports: list[dict[str, str]] = []
    asset_choices: list[list[str]] = []
    asset: dict[str, str] = {}  # the asset being edited ({} closed, {"id": ""} new)
    remark: dict[str, str] = {}
    uploading: bool = False

    def _on_refused(self) -> None:
        super()._on_refused()
        self.site, self.assets, self.remarks, self.documents, self.clients = {}, [], [], [], []
        self.jobs, self.quotes, self.invoices, self.reports, self.loaded = [], [], [], [], False

    def _site_id(self) -> int | None:
        return _int(self.site.get("id"))

    def _read(self, db, v, site_id: int | None, params: dict[str, str], lang: str) -> None:
        from pool_portal.models import Asset, Remark

        self.clients = staff_data.clients(db, v.tenant_id)
        if site_id is None:
            self.site, self.is_new, self.missing = {"is_active": "1"}, True, False
            for name in ("assets", "remarks", "documents", "jobs", "quotes", "invoices", "reports", "asset_choices"):
                setattr(self, name, [])
            self.asset, self.remark = {}, {}
            return
        data = staff_data.site_page(db, v.tenant_id, v.user_id, site_id)
        self.is_new = False
        if data is None:
            self.missing, self.site = True, {}
            return
        currency = _currency(db, v.tenant_id)
        self.missing = False
        self.site, self.assets, self.remarks, self.documents = (
            data["site"],
            data["assets"],
            data["remarks"],
            data["documents"],
        )
        self.jobs, self.reports = data["jobs"], data["reports"]
        self.quotes = [{**q, "amount": money(int(q["total_cents"]), currency, lang)} for q in data["quotes"]]
        self.invoices = [{**i, "amount": money(int(i["total_cents"]), currency, lang)} for i in data["invoices"]]
        self.asset_choices = staff_data.assets_of_site(db, v.tenant_id, site_id)

        def open_form(model, raw: str, form_of, defaults: dict[str, str]) -> dict[str, str]:
            if raw == "new":
                return {"id": "", **defaults}
            row = staff_data.owned(db, model, v.tenant_id, _int(raw)) if raw else None
            return {**form_of(row), "id": str(row.id)} if row is not None and row.site_id == site_id else {}

        self.asset = open_form(Asset, params.get("asset", ""), staff_data.asset_form, {"is_active": "1"})
        self.remark = open_form(
            Remark, params.get("remark", ""), staff_data.remark_form, {"severity": "NON_CRITICAL", "status": "OPEN"}
        )

    async def _reload(self) -> None:
        v, site_id, params, lang = viewer(), self._site_id(), _params(self), normalise_language(self.lang)

        def work():
            with session_scope() as db:
                self._read(db, v, site_id, params, lang)

        await asyncio.to_thread(work)
        self.version += 1

    @staff_event(OFFICE_WORK)
    async def load_site(self):
        v, params, lang = viewer(), _params(self), normalise_language(self.lang)
        raw = params.get("id", "")
        site_id = None if raw == "new" else _int(raw)

        def work():
            with session_scope() as db:
                self._brand(db, v)
                if site_id is None and raw != "new":
                    self.missing, self.site = True, {}
                    return
                self._read(db, v, site_id, params, lang)

        self.errors = {}
        self._saved_notice()
        await asyncio.to_thread(work)
        self.loaded = True
        self.version += 1

    async def _save(self, fn, saved: str, extra: dict | None = None):
        """Run ``fn(db, v)`` -> (id, errors); on success go to the clean site URL."""
        v = viewer()

        def work():
            with session_scope() as db:
                return fn(db, v)

        row_id, errors = await asyncio.to_thread(work)
        self.errors = errors
        if errors:
            return None
        site_id = self._site_id() or row_id
        return rx.redirect(f"/admin/site?{urlencode({'id': site_id, 'saved': saved, **(extra or {})})}")

    @staff_event(OFFICE_WORK)
    async def save_site(self, form_data: dict):
        data, site_id = _form(form_data), self._site_id()
        if self.missing:
            return
        return await self._save(lambda db, v: staff_data.save_site(db, v.tenant_id, v.user_id, site_id, data), "1")

    @staff_event(OFFICE_WORK)
    async def save_asset(self, form_data: dict):
        data, site_id, asset_id = _form(form_data), self._site_id(), _int(self.asset.get("id"))
        if site_id is None or not self.asset:
            return
        return await self._save(
            lambda db, v: staff_data.save_asset(db, v.tenant_id, v.user_id, asset_id, site_id, data), "asset"
        )

    @staff_event(OFFICE_WORK)
    async def save_remark(self, form_data: dict):
        data, site_id, remark_id = _form(form_data), self._site_id(), _int(self.remark.get("id"))
        if site_id is None or not self.remark:
            return
        return await self._save(
            lambda db, v: staff_data.save_remark(db, v.tenant_id, v.user_id, remark_id, site_id, data), "remark"
        )

    @staff_event(OFFICE_WORK)
    async def set_remark_published(self, remark_id: str, published: bool):
        v = viewer()

        def work():
            with session_scope() as db:
                return staff_data.set_remark_published(db, v.tenant_id, v.user_id, _int(remark_id), bool(published))

        error = await asyncio.to_thread(work)
        self.notice = error or ""
        await self._reload()

    @staff_event(OFFICE_WORK)
    async def upload_document(self, files: list[rx.UploadFile], title: str = "", published: str = ""):
        """A PDF or image for the site (the service checks type, by content, and size)."""
        v, site_id = viewer(), self._site_id()
        if site_id is None:
            return
        upload = None
        if files:
            f = files[0]
            data = await asyncio.to_thread(f.file.read, staff_data.MAX_DOCUMENT_BYTES + 1)
            upload = (f.name or "document", data)
        publish = str(published).lower() in ("1", "true", "on", "yes")

        def work():
            with session_scope() as db:
                return staff_data.upload_document(
                    db, v.tenant_id, v.user_id, site_id, str(title)[:1000], publish, upload
                )

        _, errors = await asyncio.to_thread(work)
        self.errors = {f"document_{k}": val for k, val in errors.items()}
        if errors:
            return
        self.notice = "data.saved.document"
        await self._reload()
        return rx.clear_selected_files("document-file")

    @staff_event(OFFICE_WORK)
    async def set_document_published(self, document_id: str, published: bool):
        v = viewer()

        def work():
            with session_scope() as db:
                return staff_data.set_document_published(db, v.tenant_id, v.user_id, _int(document_id), bool(published))

        self.notice = await asyncio.to_thread(work) or ""
        await self._reload()

    @staff_event(OFFICE_WORK)
    async def delete_document(self, document_id: str):
        v = viewer()

        def work():
            with session_scope() as db:
                return staff_data.delete_document(db, v.tenant_id, v.user_id, _int(document_id))

        key = await asyncio.to_thread(work)
        staff_data.discard_file(key)  # after the commit
        self.notice = "data.document.deleted" if key else staff_data.NOT_FOUND
        await self._reload()


# -- a job and its visits ---------------------------------------------------------------------------------
class JobState(DataPage, AppState):
    """/admin/job?id=<id> or ?site=<id> (a new job on that site); ``&visit=`` (an id
    or "new") opens the visit form."""

    job: dict[str, str] = {}
    visits: list[dict[str, str]] = []
    visit: dict[str, str] = {}
    technicians: list[list[str]] = []
    asset_choices: list[list[str]] = []

    def _on_refused(self) -> None:
        super()._on_refused()
        self.job, self.visits, self.technicians, self.asset_choices, self.loaded = {}, [], [], [], False

    @staff_event(OFFICE_WORK)
    async def load_job(self):
        from pool_portal.models import Visit

        v, params = viewer(), _params(self)
        job_id, site_id = _int(params.get("id")), _int(params.get("site"))

        def work():
            with session_scope() as db:
                self._brand(db, v)
                if job_id is not None:
                    data = staff_data.job_page(db, v.tenant_id, v.user_id, job_id)
                    if data is None:
                        return None
                    job, visits = data["job"], data["visits"]
                else:
                    site = staff_data.site_of(db, v.tenant_id, site_id)
                    if site is None:
                        return None
                    job, visits = (
                        {
                            "id": "",
                            "site_id": str(site.id),
                            "site": site.name,
                            "stage": "READY",
                            "kind": "SERVICE_CALL",
                        },
                        [],
                    )
                raw = params.get("visit", "")
                visit = {}
                if job["id"] and raw == "new":
                    visit = {"id": "", "status": "SCHEDULED"}
                elif job["id"] and raw:
                    row = staff_data.owned(db, Visit, v.tenant_id, _int(raw))
                    if row is not None and str(row.job_id) == job["id"]:
                        visit = {**staff_data.visit_form(row), "id": str(row.id)}
                return (
                    job,
                    visits,
                    visit,
                    staff_data.technicians(db, v.tenant_id),
                    staff_data.assets_of_site(db, v.tenant_id, int(job["site_id"])),
                )

        data = await asyncio.to_thread(work)
        self.errors = {}
        self._saved_notice()
        if data is None:
            self.missing, self.job, self.visits = True, {}, []
        else:
            self.missing = False
            self.job, self.visits, self.visit, self.technicians, self.asset_choices = data
        self.loaded = True
        self.version += 1

    @staff_event(OFFICE_WORK)
    async def save_job(self, form_data: dict):
        v, data = viewer(), _form(form_data)
        if self.missing or not self.job:
            return
        job_id, site_id = _int(self.job.get("id")), _int(self.job.get("site_id"))

        def work():
            with session_scope() as db:
                return staff_data.save_job(db, v.tenant_id, v.user_id, job_id, site_id, data)

        return await self._save_record(work, "/admin/job")

    @staff_event(OFFICE_WORK)
    async def save_visit(self, form_data: dict):
        v, data = viewer(), _form(form_data)
        job_id, visit_id = _int(self.job.get("id")), _int(self.visit.get("id"))
        if job_id is None or not self.visit:
            return

        def work():
            with session_scope() as db:
                return staff_data.save_visit(db, v.tenant_id, v.user_id, visit_id, job_id, data)

        _, errors = await asyncio.to_thread(work)
        self.errors = errors
        if not errors:
            return rx.redirect(f"/admin/job?id={job_id}&saved=visit")


# -- quotes and invoices: a header form and a line editor ------------------------------------------------------
BLANK_LINE = {"description": "", "quantity": "1", "unit_price": ""}
LINE_FIELDS = ("description", "quantity", "unit_price")


class LineEditor(DataPage, mixin=True):
    """The lines of a draft, kept here as they are typed (a field sends its value
    when it loses focus) with the live figures; saving sends them all at once."""

    doc: dict[str, str] = {}
    lines: list[dict[str, str]] = []
    line_totals: list[str] = []
    figures: dict[str, str] = {}
    tax_rate: str = "0"
    actions: list[str] = []
    editable: bool = False
    _currency: str = "EUR"
    _next_key: int = 0

    def _on_refused(self) -> None:
        super()._on_refused()
        self.doc, self.lines, self.actions, self.loaded = {}, [], [], False

    def _keyed(self, line: dict[str, str]) -> dict[str, str]:
        self._next_key += 1
        return {**{k: str(line.get(k, "")) for k in (*LINE_FIELDS, "id")}, "key": str(self._next_key)}

    def _refigure(self) -> None:
        lang = normalise_language(self.lang)
        figures = staff_billing.preview(self.lines, self.tax_rate)
        self.line_totals = ["" if c is None else money(c, self._currency, lang) for c in figures["lines"]]
        self.figures = {k: money(figures[k], self._currency, lang) for k in ("subtotal", "tax", "total")}

    def _apply(self, data: dict | None, currency: str, new: dict | None = None) -> None:
        self._currency = currency
        if data is None and new is None:
            self.missing, self.doc, self.lines, self.actions = True, {}, [], []
            return
        self.missing = False
        if data is None:
            self.doc, self.actions, self.editable = new, [], True
            self.lines = [self._keyed(BLANK_LINE)]
            self.tax_rate = new.get("tax_rate", "0")
        else:
            self.doc, self.actions = data["doc"], data["actions"]
            self.editable = data["doc"]["status"] == "DRAFT"
            self.lines = [self._keyed(line) for line in data["lines"]] or (
                [self._keyed(BLANK_LINE)] if self.editable else []
            )
            self.tax_rate = data["doc"]["tax_rate"]
            lang = normalise_language(self.lang)
            self.doc = {
                **self.doc,
                **{
                    f"{k}_text": money(int(self.doc[f"{k}_cents"]), currency, lang)
                    for k in ("subtotal", "tax", "total")
                },
            }
        self._refigure()

    @staff_event(OFFICE_WORK)
    def set_line(self, index: int, field: str, value: str):
        if not isinstance(index, int) or not 0 <= index < len(self.lines) or field not in LINE_FIELDS:
            return
        lines = list(self.lines)
        lines[index] = {**lines[index], field: str(value or "")[:600]}
        self.lines = lines
        self._refigure()

    @staff_event(OFFICE_WORK)
    def add_line(self):
        if len(self.lines) < staff_billing.MAX_LINES and self.editable:
            self.lines = [*self.lines, self._keyed(BLANK_LINE)]
            self._refigure()

    @staff_event(OFFICE_WORK)
    def remove_line(self, index: int):
        if isinstance(index, int) and 0 <= index < len(self.lines):
            self.lines = [line for i, line in enumerate(self.lines) if i != index]
            self.errors = {}
            self._refigure()

    @staff_event(OFFICE_WORK)
    def set_tax_rate(self, value: str):
        self.tax_rate = str(value or "")[:10]
        self._refigure()

    async def _save_doc(self, save, form_data, path: str):
        """``save(db, v, doc_id, site_id, data, lines)`` -> (id, errors); on success
        go to the saved document's page."""
        v = viewer()
        if self.missing or not self.doc or not self.editable:
            return None
        doc_id, site_id = _int(self.doc.get("id")), _int(self.doc.get("site_id"))
        data = _form(form_data, limit=20 + 3 * staff_billing.MAX_LINES)
        # The fields as submitted win over what was kept on blur (Enter submits before a blur).
        lines = [
            {"id": line.get("id", ""), **{k: data.get(f"line-{i}-{k}", line.get(k, "")) for k in LINE_FIELDS}}
            for i, line in enumerate(self.lines)
        ]
        data = {k: val for k, val in data.items() if not k.startswith("line-")}
        data.setdefault("tax_rate", self.tax_rate)
        self.lines = [{**old, **new} for old, new in zip(self.lines, lines)]
        self.tax_rate = data["tax_rate"]
        self._refigure()

        def work():
            with session_scope() as db:
                return save(db, v, doc_id, site_id, data, lines)

        return await self._save_record(work, path)

    async def _act(self, act, saved: str, path: str):
        """Run a status change ``act(db, v, doc_id)`` -> errors or (errors, mails)."""
        v = viewer()
        doc_id = _int(self.doc.get("id"))
        if doc_id is None:
            return None

        def work():
            with session_scope() as db:
                return act(db, v, doc_id)

        result = await asyncio.to_thread(work)
        errors, mails = result if isinstance(result, tuple) else (result, [])
        client_notify.send(mails)  # after the commit
        self.errors = errors
        if errors:
            return None
        return rx.redirect(f"{path}?id={doc_id}&saved={saved}")

    async def _load_doc(self, page_of, new_of) -> None:
        v, params = viewer(), _params(self)
        doc_id, site_id = _int(params.get("id")), _int(params.get("site"))

        def work():
            with session_scope() as db:
                self._brand(db, v)
                currency = _currency(db, v.tenant_id)
                if doc_id is not None:
                    return page_of(db, v, doc_id), currency, None
                site = staff_data.site_of(db, v.tenant_id, site_id)
                if site is None:
                    return None, currency, None
                return (
                    None,
                    currency,
                    {
                        "id": "",
                        "site_id": str(site.id),
                        "site": site.name,
                        "status": "DRAFT",
                        "number": "",
                        **new_of(db, v),
                        "tax_rate": percent_text(staff_billing.default_tax_rate(db, v.tenant_id)),
                    },
                )

        data, currency, new = await asyncio.to_thread(work)
        self.errors = {}
        self._saved_notice()
        self._apply(data, currency, new)
        self.loaded = True
        self.version += 1


class QuoteState(LineEditor, AppState):
    """/admin/quote?id=<id> or ?site=<id> (a new draft on that site)."""

    @staff_event(OFFICE_WORK)
    async def load_quote(self):
        await self._load_doc(
            lambda db, v, i: staff_billing.quote_page(db, v.tenant_id, v.user_id, i),
            lambda db, v: {"kind": "SERVICE", "title": ""},
        )

    @staff_event(OFFICE_WORK)
    async def save_quote(self, form_data: dict):
        return await self._save_doc(
            lambda db, v, i, s, data, lines: staff_billing.save_quote(db, v.tenant_id, v.user_id, i, s, data, lines),
            form_data,
            "/admin/quote",
        )

    @staff_event(OFFICE_WORK)
    async def send_quote(self):
        return await self._act(
            lambda db, v, i: staff_billing.send_quote(db, v.tenant_id, v.user_id, i), "sent", "/admin/quote"
        )

    @staff_event(OFFICE_WORK)
    async def expire_quote(self):
        return await self._act(
            lambda db, v, i: staff_billing.expire_quote(db, v.tenant_id, v.user_id, i), "expired", "/admin/quote"
        )


class InvoiceState(LineEditor, AppState):
    """/admin/invoice?id=<id> or ?site=<id> (a new draft on that site)."""

    job_choices: list[list[str]] = []

    @staff_event(OFFICE_WORK)
    async def load_invoice(self):
        def page_of(db, v, i):
            data = staff_billing.invoice_page(db, v.tenant_id, v.user_id, i)
            if data is not None:
                self.job_choices = staff_data.jobs_of_site(db, v.tenant_id, int(data["doc"]["site_id"]))
            return data

        def new_of(db, v):
            self.job_choices = staff_data.jobs_of_site(db, v.tenant_id, _int(_params(self).get("site")) or 0)
            return {}

        await self._load_doc(page_of, new_of)

    @staff_event(OFFICE_WORK)
    async def save_invoice(self, form_data: dict):
        return await self._save_doc(
            lambda db, v, i, s, data, lines: staff_billing.save_invoice(db, v.tenant_id, v.user_id, i, s, data, lines),
            form_data,
            "/admin/invoice",
        )

    @staff_event(OFFICE_WORK)
    async def issue_invoice(self):
        return await self._act(
            lambda db, v, i: staff_billing.issue_invoice(db, v.tenant_id, v.user_id, i), "issued", "/admin/invoice"
        )

    @staff_event(OFFICE_WORK)
    async def pay_invoice(self, form_data: dict):
        paid_on = _form(form_data).get("paid_on", "")
        return await self._act(
            lambda db, v, i: staff_billing.mark_paid(db, v.tenant_id, v.user_id, i, paid_on), "paid", "/admin/invoice"
        )

    @staff_event(OFFICE_WORK)
    async def void_invoice(self):
        return await self._act(
            lambda db, v, i: staff_billing.void_invoice(db, v.tenant_id, v.user_id, i), "void", "/admin/invoice"
        )


# -- reports --------------------------------------------------------------------------------------------------
class ReportState(DataPage, AppState):
    """/admin/report?id=<id> or ?site=<id> (a new draft on that site)."""

    report: dict[str, str] = {}
    job_choices: list[list[str]] = []

    def _on_refused(self) -> None:
        super()._on_refused()
        self.report, self.job_choices, self.loaded = {}, [], False

    @staff_event(OFFICE_WORK)
    async def load_report(self):
        v, params = viewer(), _params(self)
        report_id, site_id = _int(params.get("id")), _int(params.get("site"))

        def work():
            with session_scope() as db:
                self._brand(db, v)
                if report_id is not None:
                    report = staff_data.report_page(db, v.tenant_id, v.user_id, report_id)
                else:
                    site = staff_data.site_of(db, v.tenant_id, site_id)
                    report = {"id": "", "site_id": str(site.id), "site": site.name, "status": "DRAFT"} if site else None
                jobs = staff_data.jobs_of_site(db, v.tenant_id, int(report["site_id"])) if report else []
                return report, jobs

        report, jobs = await asyncio.to_thread(work)
        self.errors = {}
        self._saved_notice()
        self.missing, self.report, self.job_choices = report is None, report or {}, jobs
        self.loaded = True
        self.version += 1

    @staff_event(OFFICE_WORK)
    async def save_report(self, form_data: dict):
        v, data = viewer(), _form(form_data)
        if self.missing or not self.report:
            return
        report_id, site_id = _int(self.report.get("id")), _int(self.report.get("site_id"))

        def work():
            with session_scope() as db:
                return staff_data.save_report(db, v.tenant_id, v.user_id, report_id, site_id, data)

        return await self._save_record(work, "/admin/report")

    @staff_event(OFFICE_WORK)
    async def approve_report(self):
        v, report_id = viewer(), _int(self.report.get("id"))
        if report_id is None:
            return

        def work():
            with session_scope() as db:
                return staff_data.approve_report(db, v.tenant_id, v.user_id, report_id)

        errors, mails = await asyncio.to_thread(work)
        client_notify.send(mails)
        self.errors = errors
        if not errors:
            return rx.redirect(f"/admin/report?id={report_id}&saved=approved")
