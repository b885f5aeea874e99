"""/portal/invoice?id=: one invoice (property, dates, status, total, paid, left to pay),
its payments, its PDF and Pay now; back from the provider, "payment received, being
confirmed" until the provider's event has arrived."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.buttons import pdf_link
from pool_portal.components.i18n import T
from pool_portal.components.layout import back_link, portal_shell, title
from pool_portal.components.payments import cancelled_notice, confirming_notice, pay_control, pay_error
from pool_portal.components.tables import table
from pool_portal.states.portal.invoice import InvoicePageState as S


def _fact(label_key: str, key: str) -> rx.Component:
    return rx.cond(
        S.invoice[key].to(str) != "",
        rx.flex(
            rx.text(T(label_key), size="2", color_scheme="gray"),
            rx.text(S.invoice[key].to(str), size="2", id=f"invoice-{key}"),
            spacing="2",
        ),
    )


def _payments() -> rx.Component:
    return rx.cond(
        S.payments.length() > 0,
        rx.box(
            rx.heading(T("payments.list"), size="3", as_="h2", margin_y="0.5rem"),
            table(
                ["payments.when", "payments.amount", "payments.method", "overlay.status"],
                S.payments,
                row=lambda p: rx.table.row(
                    rx.table.cell(p["when"]),
                    rx.table.cell(
                        p["amount"],
                        rx.cond(p["refunded"] != "", rx.text(T("payments.refunded"), " ", p["refunded"], size="1")),
                    ),
                    rx.table.cell(rx.cond(p["method"] != "", T("payments.method." + p["method"]), p["method_other"])),
                    rx.table.cell(T("payments.status." + p["status"])),
                ),
                id="invoice-payments",
                size="1",
            ),
        ),
    )


def invoice_page() -> rx.Component:
    inv = S.invoice
    return portal_shell(
        back_link("nav.invoices", "/portal/invoices", size="2"),
        rx.cond(
            S.missing,
            rx.callout(T("payments.invoice_missing"), id="invoice-missing"),
            rx.cond(
                S.loaded,
                rx.box(
                    title(T("payments.invoice_title") + " " + inv["number"].to(str), margin_y="0.5rem"),
                    rx.cond((inv["confirming"].to(str) != "") & ~S.cancelled, confirming_notice()),
                    rx.cond(S.cancelled, cancelled_notice()),
                    pay_error(S),
                    rx.badge(T("docstatus." + inv["status"].to(str)), id="invoice-status", size="2"),
                    rx.flex(
                        _fact("overlay.site", "site"),
                        _fact("pdf.issued", "issued"),
                        _fact("pdf.due", "due"),
                        _fact("payments.paid_on", "paid_on"),
                        _fact("pdf.total", "total"),
                        _fact("payments.paid", "paid"),
                        _fact("payments.outstanding", "outstanding"),
                        direction="column",
                        spacing="1",
                        margin_y="0.75rem",
                    ),
                    rx.flex(
                        pdf_link("/files/invoice/" + inv["id"].to(str), inv["number"].to(str)),
                        rx.cond(
                            inv["confirming"].to(str) == "",
                            pay_control(inv["pay"].to(str), S.pay, "pay-now", inv["number"].to(str)),
                        ),
                        spacing="3",
                        align="center",
                    ),
                    _payments(),
                ),
            ),
        ),
    )
