"""Pay now, as the portal shows it wherever an unpaid invoice is (the invoices list, an
invoice's page, the dashboard's activity report), and the messages around it."""

from __future__ import annotations

import reflex as rx

from pool_portal.components.i18n import T


def pay_control(state, on_click, ident, number) -> rx.Component:
    """``state``: "pay" (the button), "processing" (a payment is being confirmed) or
    "unavailable" (the provider refused the keys: no button, a word why)."""
    return rx.match(
        state,
        (
            "pay",
            rx.button(
                rx.icon("credit-card", size=14),
                T("payments.pay_now"),
                size="1",
                color_scheme="green",
                type="button",
                on_click=on_click,
                id=ident,
                aria_label=T("payments.pay_now") + " " + number,
            ),
        ),
        ("processing", rx.text(T("payments.processing"), size="1", color_scheme="gray")),
        (
            "unavailable",
            rx.text(T("payments.unavailable_short"), size="1", color_scheme="orange", class_name="pay-off"),
        ),
        rx.fragment(),
    )


def pay_error(S) -> rx.Component:
    """Why Pay now did not go to the provider (the invoice is unchanged)."""
    return rx.cond(
        S.pay_error != "",
        rx.callout(T(S.pay_error), color_scheme="red", role="alert", id="pay-error", margin_bottom="0.75rem"),
    )


def confirming_notice() -> rx.Component:
    return rx.callout(
        T("payments.confirming"), color_scheme="blue", role="status", id="pay-confirming", margin_bottom="0.75rem"
    )


def cancelled_notice() -> rx.Component:
    return rx.callout(T("payments.cancelled"), role="status", id="pay-cancelled", margin_bottom="0.75rem")
