"""Portal documents: quotes (approve with a name, a reference and a signed copy, or
decline with a comment), invoices (with the payment instructions) and reports, each a
portal list with its PDFs; each can be switched off by the tenant."""

from __future__ import annotations

import reflex as rx

from pool_portal.components import overlay, upload
from pool_portal.components.buttons import pdf_link
from pool_portal.components.fields import dom_value
from pool_portal.components.i18n import T
from pool_portal.components.layout import portal_shell, title
from pool_portal.components.lists import list_body
from pool_portal.components.notices import notice, unavailable
from pool_portal.components.payments import cancelled_notice, confirming_notice, pay_control, pay_error
from pool_portal.states.portal.records import InvoicesState, QuotesState, ReportsState


def _quote_actions(r) -> rx.Component:
    return rx.flex(
        pdf_link("/files/quote/" + r["id"], r["number"]),
        rx.cond(
            r["status"] == "AWAITING_ACCEPTANCE",
            rx.fragment(
                rx.button(
                    T("quote.approve"),
                    size="1",
                    on_click=QuotesState.open_action(r["id"], "approve"),
                    aria_label=T("quote.approve") + " " + r["number"],
                ),
                rx.button(
                    T("quote.decline"),
                    size="1",
                    variant="soft",
                    color_scheme="red",
                    on_click=QuotesState.open_action(r["id"], "decline"),
                    aria_label=T("quote.decline") + " " + r["number"],
                ),
            ),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _approve_fields() -> rx.Component:
    return rx.flex(
        rx.el.label(T("quote.name"), html_for="approve-name"),
        rx.input(id="approve-name", max_length=120, auto_complete="name"),
        rx.el.label(T("quote.reference"), html_for="approve-reference"),
        rx.input(id="approve-reference", max_length=60),
        rx.text(T("quote.document"), size="2"),
        upload.dropzone(
            "approve-document",
            "paperclip",
            "quote.document_hint",
            accept=upload.DOCUMENTS,
            icon_size=16,
            padding="0.5rem",
        ),
        upload.selected_files("approve-document"),
        direction="column",
        spacing="2",
    )


def _decline_fields() -> rx.Component:
    return rx.flex(
        rx.el.label(T("quote.comment"), html_for="decline-comment"),
        rx.text_area(id="decline-comment", max_length=2000),
        direction="column",
        spacing="2",
    )


def _action_dialog() -> rx.Component:
    """Approve or decline one quote; the fields travel with the upload of the signed copy."""
    S = QuotesState
    approving = S.acting == "approve"
    error = rx.cond(
        S.act_error != "",
        rx.text(T(S.act_error), color_scheme="red", role="alert", size="2", id="action-error"),
    )
    submit = S.submit_action(
        rx.upload_files(upload_id="approve-document"),
        dom_value("approve-name"),
        dom_value("approve-reference"),
        dom_value("decline-comment"),
    )
    return overlay.dialog(
        rx.dialog.title(rx.cond(approving, T("quote.approve_title"), T("quote.decline_title"))),
        rx.flex(
            rx.cond(approving, _approve_fields(), _decline_fields()),
            error,
            overlay.buttons(
                overlay.cancel_button(S.close_action(False)),
                rx.button(
                    rx.cond(approving, T("quote.approve"), T("quote.decline")),
                    type="button",
                    id="action-submit",
                    on_click=submit,
                ),
            ),
            direction="column",
            spacing="3",
        ),
        open=S.acting != "",
        on_open_change=S.close_action,
    )


def quotes_page() -> rx.Component:
    S = QuotesState
    return portal_shell(
        _action_dialog(),
        title("nav.quotes", margin_bottom="0.75rem"),
        notice(S, "quote-notice", color_scheme=None, margin_bottom="0.75rem"),
        unavailable(S),
        rx.cond(S.enabled, list_body(S, "quotes", actions=_quote_actions, action_label="contacts.actions")),
    )


def _invoice_actions(r) -> rx.Component:
    """PDF, Pay now (with a box to pay several at once when the tenant allows it)."""
    S = InvoicesState
    return rx.flex(
        pdf_link("/files/invoice/" + r["id"], r["number"]),
        rx.cond(
            S.payable.contains(r["id"]),
            rx.fragment(
                rx.cond(
                    S.multi & (S.payable[r["id"]].to(str) == "pay"),
                    rx.el.input(
                        type="checkbox",
                        name="pick_" + r["id"],
                        form="pay-form",
                        id="pick-" + r["id"],
                        aria_label=T("payments.pick") + " " + r["number"],
                    ),
                ),
                pay_control(S.payable[r["id"]].to(str), S.pay(r["id"]), "pay-" + r["id"], r["number"]),
            ),
        ),
        spacing="2",
        align="center",
        wrap="wrap",
    )


def _pay_several() -> rx.Component:
    S = InvoicesState
    return rx.cond(
        S.multi,
        rx.form(
            rx.flex(
                rx.text(T("payments.several_hint"), size="2"),
                rx.button(T("payments.pay_selected"), type="submit", size="1", color_scheme="green", id="pay-selected"),
                spacing="2",
                align="center",
            ),
            id="pay-form",
            on_submit=S.pay_selected,
            reset_on_submit=False,
            margin_bottom="0.5rem",
        ),
    )


def invoices_page() -> rx.Component:
    S = InvoicesState
    return portal_shell(
        title("nav.invoices", margin_bottom="0.75rem"),
        unavailable(S),
        rx.cond(S.returned == "confirming", confirming_notice()),
        rx.cond(S.returned == "cancelled", cancelled_notice()),
        pay_error(S),
        rx.cond(
            S.enabled,
            rx.box(
                rx.cond(
                    S.payment_instructions != "",
                    rx.callout(
                        T("invoices.payment") + ": " + S.payment_instructions,
                        id="payment-instructions",
                        margin_bottom="0.75rem",
                    ),
                ),
                _pay_several(),
                list_body(
                    S,
                    "invoices",
                    cells={"number": lambda r: rx.link(r["number"], href="/portal/invoice?id=" + r["id"])},
                    actions=_invoice_actions,
                    action_label="contacts.actions",
                ),
            ),
        ),
    )


def reports_page() -> rx.Component:
    S = ReportsState
    return portal_shell(
        title("nav.reports", margin_bottom="0.75rem"),
        unavailable(S),
        rx.cond(
            S.enabled,
            list_body(
                S,
                "reports",
                actions=lambda r: pdf_link("/files/report/" + r["id"], r["number"]),
                action_label="overlay.pdf",
            ),
        ),
    )
