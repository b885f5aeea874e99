"""Admin → Data: a quote or an invoice: its header form, a line editor with live
figures, and its status changes (send, expire; issue, pay, void)."""

from __future__ import annotations

import reflex as rx

from pool_portal.presentation.payments import staff_values
from pool_portal.presentation.staff_data import (
    BLANK_LINE,
    choices,
    figures_text,
    invoice_doc,
    line_values,
    quote_doc,
)
from pool_portal.services.core.i18n import normalise_language
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.payments import reads as payment_reads
from pool_portal.services.staff import billing, invoices, quotes
from pool_portal.states.guard import staff_event, viewer
from pool_portal.states.shell import StaffPage, call
from pool_portal.states.staff.data_page import DataPage, as_id, submitted, url_params

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
        figures = billing.preview(self.lines, self.tax_rate)
        self.line_totals, self.figures = figures_text(figures, self._currency, normalise_language(self.lang))

    async def _load_doc(self, page_of, doc_of):
        """``page_of(db, tenant, staff, id, site)`` -> the document's page (or a new
        draft's, or None); ``doc_of(page, lang)`` -> its header as text."""
        v, params = await self._load_shell(), url_params(self)
        page = await call(page_of, v.tenant_id, v.user_id, as_id(params.get("id")), as_id(params.get("site")))
        self.errors = {}
        self._saved_notice()
        if page is None:
            self.missing, self.doc, self.lines, self.actions = True, {}, [], []
        else:
            self.missing, self._currency = False, page.currency
            self.doc, self.actions = doc_of(page, normalise_language(self.lang)), page.actions
            self.tax_rate = self.doc["tax_rate"]
            if self.doc["id"] == "":  # a new draft
                self.editable, self.lines = True, [self._keyed(BLANK_LINE)]
            else:
                self.editable = self.doc["status"] == "DRAFT"
                self.lines = [self._keyed(line_values(line)) for line in page.lines] or (
                    [self._keyed(BLANK_LINE)] if self.editable else []
                )
            self._refigure()
        self.loaded = True
        self.version += 1
        return page

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
        if len(self.lines) < billing.MAX_LINES and self.editable:
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
        """``save(db, tenant, staff, doc_id, site_id, data, lines)`` -> (id, errors); on
        success go to the saved document's page."""
        v = viewer()
        if self.missing or not self.doc or not self.editable:
            return None
        doc_id, site_id = as_id(self.doc.get("id")), as_id(self.doc.get("site_id"))
        data = submitted(form_data, limit=20 + 3 * billing.MAX_LINES)
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
        return await self._save_record(path, save, v.tenant_id, v.user_id, doc_id, site_id, data, lines)

    async def _act(self, act, saved: str, path: str, *args: object):
        """A status change ``act(db, tenant, staff, doc_id, *args)`` -> errors; on
        success show the document again (the client's mails go after the commit)."""
        v = viewer()
        doc_id = as_id(self.doc.get("id"))
        if doc_id is None:
            return None
        self.errors = await call(act, v.tenant_id, v.user_id, doc_id, *args)
        if self.errors:
            return None
        return rx.redirect(f"{path}?id={doc_id}&saved={saved}")


class QuoteState(LineEditor, StaffPage):
    """/admin/quote?id=<id> or ?site=<id> (a new draft on that site)."""

    @staff_event(OFFICE_WORK)
    async def load_quote(self):
        await self._load_doc(quotes.quote_page, quote_doc)

    @staff_event(OFFICE_WORK)
    async def save_quote(self, form_data: dict):
        return await self._save_doc(quotes.save_quote, form_data, "/admin/quote")

    @staff_event(OFFICE_WORK)
    async def send_quote(self):
        return await self._act(quotes.send_quote, "sent", "/admin/quote")

    @staff_event(OFFICE_WORK)
    async def expire_quote(self):
        return await self._act(quotes.expire_quote, "expired", "/admin/quote")


class InvoiceState(LineEditor, StaffPage):
    """/admin/invoice?id=<id> or ?site=<id> (a new draft on that site)."""

    job_choices: list[list[str]] = []
    payments: list[dict[str, str]] = []  # online payments, flags included
    payments_summary: dict[str, str] = {}

    @staff_event(OFFICE_WORK)
    async def load_invoice(self):
        v = viewer()
        page = await self._load_doc(invoices.invoice_page, invoice_doc)
        self.job_choices = choices(page.job_choices) if page is not None else []
        found = (
            await call(payment_reads.staff_payments, v.tenant_id, v.user_id, page.invoice.id)
            if page and page.invoice
            else None
        )
        for name, value in staff_values(found, page.currency if page else "EUR", normalise_language(self.lang)).items():
            setattr(self, name, value)

    @staff_event(OFFICE_WORK)
    async def save_invoice(self, form_data: dict):
        return await self._save_doc(invoices.save_invoice, form_data, "/admin/invoice")

    @staff_event(OFFICE_WORK)
    async def issue_invoice(self):
        return await self._act(invoices.issue_invoice, "issued", "/admin/invoice")

    @staff_event(OFFICE_WORK)
    async def pay_invoice(self, form_data: dict):
        paid_on = submitted(form_data).get("paid_on", "")
        return await self._act(invoices.mark_paid, "paid", "/admin/invoice", paid_on)

    @staff_event(OFFICE_WORK)
    async def void_invoice(self):
        return await self._act(invoices.void_invoice, "void", "/admin/invoice")
