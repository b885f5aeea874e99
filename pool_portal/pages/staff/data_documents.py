"""Admin → Data → a quote or an invoice: the header fields, the line editor with live
totals while it is a draft (afterwards its lines as they were sent), the status
changes (send, expire; issue, pay, void) and the PDF as the customer gets it."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import record, style
from pool_portal.components.buttons import pdf_preview
from pool_portal.components.fields import field_error, grid, record_field, save_button
from pool_portal.components.i18n import T
from pool_portal.components.layout import admin_shell, back_link
from pool_portal.components.notices import data_missing, data_notice, form_error
from pool_portal.components.sections import section
from pool_portal.components.selects import enum_codes, record_select
from pool_portal.components.tables import table
from pool_portal.models import QuoteKind
from pool_portal.states.staff.data_billing import InvoiceState, QuoteState

LINE_HEADERS = ["pdf.line.description", "pdf.line.quantity", "pdf.line.unit", "pdf.total"]


# -- the line editor (a draft) --------------------------------------------------------------------
def _line_row(S, line, i) -> rx.Component:
    def cell(field: str, label_key: str, width: str, mode: str = "text") -> rx.Component:
        ident = "line-" + i.to_string() + "-" + field
        error = "line." + i.to_string() + "." + field
        return rx.table.cell(
            rx.el.input(
                id=ident,
                name=ident,
                default_value=line[field],
                key=line["key"] + field,
                max_length=500,
                aria_label=T(label_key) + " " + (i + 1).to_string(),
                input_mode=mode,
                on_blur=lambda value: S.set_line(i, field, value),
                style=style.line_input(width, wide=field == "description"),
            ),
            field_error(S, error, ident="error-line-" + i.to_string() + "-" + field),
        )

    return rx.table.row(
        cell("description", "pdf.line.description", "12rem"),
        cell("quantity", "pdf.line.quantity", "5rem", "decimal"),
        cell("unit_price", "pdf.line.unit", "7rem", "decimal"),
        rx.table.cell(rx.text(S.line_totals[i], white_space="nowrap", id="line-" + i.to_string() + "-total")),
        rx.table.cell(
            rx.icon_button(
                rx.icon("trash-2", size=14),
                size="1",
                variant="soft",
                color_scheme="red",
                type="button",
                on_click=S.remove_line(i),
                aria_label=T("data.line.remove") + " " + (i + 1).to_string(),
            )
        ),
    )


def _totals(S, rate) -> rx.Component:
    def line(label, value, ident: str) -> rx.Component:
        return rx.flex(rx.text(label, size="2"), rx.spacer(), rx.text(value, weight="bold", id=ident), width="16rem")

    return rx.flex(
        line(T("pdf.subtotal"), S.figures["subtotal"], "total-subtotal"),
        line(rx.fragment(T("pdf.tax"), " (", rate, " %)"), S.figures["tax"], "total-tax"),
        line(T("pdf.total"), S.figures["total"], "total-total"),
        direction="column",
        align="end",
        spacing="1",
        margin_top="0.5rem",
    )


def _line_editor(S) -> rx.Component:
    return rx.box(
        rx.heading(T("data.lines"), size="3", as_="h2", margin_top="0.75rem"),
        table(
            [*LINE_HEADERS, "data.actions"],
            S.lines,
            row=lambda line, i: _line_row(S, line, i),
            id="lines-table",
            variant=None,
            size="1",
        ),
        field_error(S, "lines"),
        rx.button(
            rx.icon("plus", size=14),
            T("data.line.add"),
            type="button",
            size="1",
            variant="soft",
            on_click=S.add_line,
            id="line-add",
            margin_top="0.5rem",
        ),
        rx.flex(
            rx.el.label(T("data.tax_rate"), html_for="doc-tax-rate", style=style.LABEL),
            rx.el.input(
                id="doc-tax-rate",
                name="tax_rate",
                default_value=S.tax_rate,
                key="tax-" + S.version.to_string(),
                input_mode="decimal",
                max_length=6,
                on_blur=S.set_tax_rate,
                style=style.TAX_RATE_FIELD,
            ),
            field_error(S, "tax_rate"),
            spacing="2",
            align="center",
            margin_top="0.5rem",
        ),
        _totals(S, S.tax_rate),
    )


# -- a document that was sent -----------------------------------------------------------------------
def _read_only_lines(S, facts: list) -> rx.Component:
    """A document that is no longer a draft: its dates and lines as they were sent."""
    d = S.doc
    return rx.box(
        rx.flex(*facts, spacing="4", wrap="wrap", margin_bottom="0.5rem", id="record-facts"),
        table(
            LINE_HEADERS,
            S.lines,
            row=lambda line, i: rx.table.row(
                rx.table.cell(line["description"]),
                rx.table.cell(line["quantity"]),
                rx.table.cell(line["unit_price"]),
                rx.table.cell(S.line_totals[i], white_space="nowrap"),
            ),
            id="lines-table",
            size="1",
        ),
        rx.flex(
            rx.text(T("pdf.subtotal"), ": ", d["subtotal_text"].to(str), size="2"),
            rx.text(T("pdf.tax"), " (", d["tax_rate"].to(str), " %): ", d["tax_text"].to(str), size="2"),
            rx.text(T("pdf.total"), ": ", d["total_text"].to(str), weight="bold", id="total-total"),
            direction="column",
            align="end",
            spacing="1",
            margin_top="0.5rem",
        ),
    )


def _fact(S, label_key: str, key: str) -> rx.Component:
    return rx.cond(
        S.doc.contains(key) & (S.doc[key].to(str) != ""), rx.text(T(label_key), ": ", S.doc[key].to(str), size="2")
    )


def _action(S, action: str, label_key: str, handler, **props) -> rx.Component:
    return rx.cond(
        S.actions.contains(action), rx.button(T(label_key), on_click=handler, id=f"action-{action}", **props)
    )


# -- the page ---------------------------------------------------------------------------------------
def _doc_page(
    S, kind: str, title_key: str, new_key: str, header: list, actions: list, list_key: str, facts: list, extra=None
) -> rx.Component:
    d = S.doc
    editable_form = rx.form(
        grid(*header),
        _line_editor(S),
        form_error(S),
        save_button("data.save", f"{kind}-save"),
        on_submit=getattr(S, f"save_{kind}"),
        reset_on_submit=False,
        id=f"{kind}-form",
    )
    pdf = rx.cond(d["id"].to(str) != "", pdf_preview(f"/files/{kind}/" + d["id"].to(str)))
    return admin_shell(
        back_link(list_key, f"/admin/{kind}s", size="2"),
        rx.cond(
            S.missing,
            data_missing(),
            rx.box(
                record.heading(d, title_key, new_key, "docstatus."),
                record.site_link(d),
                data_notice(S),
                rx.cond(~S.editable, form_error(S)),
                rx.flex(*actions, pdf, spacing="3", align="center", wrap="wrap", margin_y="0.5rem"),
                extra if extra is not None else rx.fragment(),
                section(
                    "data.details",
                    rx.cond(S.editable, editable_form, _read_only_lines(S, facts)),
                    ident=f"{kind}-details",
                ),
            ),
        ),
    )


def quote_page() -> rx.Component:
    S = QuoteState
    d = S.doc
    header = [
        record_field(S, d, "number", "overlay.number", prefix="quote", max_length=30, hint="data.number_hint"),
        record_select(
            S,
            d,
            "kind",
            "detail.kind",
            prefix="quote",
            codes=enum_codes(QuoteKind),
            code_prefix="quotekind.",
            required=True,
        ),
        record_field(S, d, "title", "data.quote.title_field", prefix="quote", required=True),
        rx.box(),
        record_field(S, d, "issued_on", "pdf.issued", prefix="quote", kind="date", hint="data.quote.issued_hint"),
        record_field(S, d, "expires_on", "pdf.expires", prefix="quote", kind="date", hint="data.quote.expires_hint"),
    ]
    actions = [
        _action(S, "send", "data.quote.send", S.send_quote, color_scheme="green"),
        _action(S, "expire", "data.quote.expire", S.expire_quote, variant="soft", color_scheme="gray"),
    ]
    answered = d.contains("approver") & ((d["approver"].to(str) != "") | (d["comment"].to(str) != ""))
    answer = rx.cond(
        answered,
        rx.callout(
            rx.cond(
                d["approver"].to(str) != "",
                rx.text(T("data.quote.approved_by"), " ", d["approver"].to(str), " ", d["reference"].to(str)),
                rx.text(T("data.quote.declined_because"), " ", d["comment"].to(str)),
            ),
            id="quote-answer",
            margin_y="0.5rem",
        ),
    )
    kind = rx.cond(d.contains("kind"), rx.text(T("detail.kind"), ": ", T("quotekind." + d["kind"].to(str)), size="2"))
    facts = [
        kind,
        _fact(S, "data.quote.title_field", "title"),
        _fact(S, "pdf.issued", "issued_on"),
        _fact(S, "pdf.expires", "expires_on"),
    ]
    return _doc_page(
        S, "quote", "data.quote.title", "data.quote.new", header, actions, "data.quotes.title", facts, answer
    )


def invoice_page() -> rx.Component:
    S = InvoiceState
    d = S.doc
    header = [
        record_field(S, d, "number", "overlay.number", prefix="invoice", max_length=30, hint="data.number_hint"),
        record_field(S, d, "customer_po", "jobs.po", prefix="invoice", max_length=60),
        record_field(S, d, "issued_on", "pdf.issued", prefix="invoice", kind="date", hint="data.invoice.issued_hint"),
        record_field(S, d, "due_on", "pdf.due", prefix="invoice", kind="date", hint="data.invoice.due_hint"),
        record_select(S, d, "job_id", "data.invoice.job", prefix="invoice", choices=S.job_choices, blank="data.none"),
    ]
    pay = rx.cond(
        S.actions.contains("pay"),
        rx.form(
            rx.flex(
                rx.el.label(T("data.invoice.paid_on"), html_for="invoice-paid-on"),
                rx.el.input(type="date", id="invoice-paid-on", name="paid_on", style=style.FIELD_AUTO),
                rx.button(T("data.invoice.pay"), type="submit", id="action-pay", color_scheme="green"),
                field_error(S, "paid_on"),
                spacing="2",
                align="center",
                wrap="wrap",
            ),
            on_submit=S.pay_invoice,
            reset_on_submit=False,
        ),
    )
    actions = [
        _action(S, "issue", "data.invoice.issue", S.issue_invoice, color_scheme="green"),
        pay,
        _action(S, "void", "data.invoice.void", S.void_invoice, variant="soft", color_scheme="red"),
    ]
    facts = [
        _fact(S, "pdf.issued", "issued_on"),
        _fact(S, "pdf.due", "due_on"),
        _fact(S, "data.invoice.paid_on", "paid_on"),
        _fact(S, "jobs.po", "customer_po"),
    ]
    return _doc_page(
        S,
        "invoice",
        "data.invoice.title",
        "data.invoice.new",
        header,
        actions,
        "data.invoices.title",
        facts,
        _payments(S),
    )


def _payments(S) -> rx.Component:
    """The invoice's online payments: paid so far, left to pay, and each payment with
    what staff must do about it (refund a second payment, a refused amount)."""
    summary = S.payments_summary
    return rx.cond(
        S.payments.length() > 0,
        section(
            "payments.list",
            rx.text(
                T("payments.paid"),
                ": ",
                summary["paid"].to(str),
                " · ",
                T("payments.outstanding"),
                ": ",
                summary["outstanding"].to(str),
                size="2",
                id="payments-summary",
            ),
            table(
                [
                    "payments.when",
                    "payments.amount",
                    "payments.method",
                    "overlay.status",
                    "payments.reference",
                    "payments.flag",
                ],
                S.payments,
                row=lambda p: rx.table.row(
                    rx.table.cell(p["when"]),
                    rx.table.cell(
                        p["amount"],
                        rx.cond(p["refunded"] != "", rx.text(T("payments.refunded"), " ", p["refunded"], size="1")),
                    ),
                    rx.table.cell(rx.cond(p["method"] != "", T("payments.method." + p["method"]), p["method_other"])),
                    rx.table.cell(T("payments.status." + p["status"])),
                    rx.table.cell(rx.code(p["reference"])),
                    rx.table.cell(rx.cond(p["flag"] != "", rx.text(T(p["flag"]), color_scheme="red", size="2"), "")),
                ),
                id="invoice-payments",
                size="1",
            ),
            ident="invoice-payments-section",
        ),
    )
