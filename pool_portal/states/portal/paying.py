"""Pay now, for the portal pages that offer it (the invoices list, an invoice's page,
the dashboard's activity report): the checkout is made by ``services.payments.checkout``
off the event loop; the browser then goes to the provider's page. Coming back proves
nothing: an invoice is paid only when the provider's signed event says so."""

from __future__ import annotations

import asyncio

import reflex as rx

from pool_portal.services.core.params import parse_id
from pool_portal.services.payments import checkout
from pool_portal.states.guard import viewer

MAX_PICKED = checkout.MAX_INVOICES


def picked(form_data: object) -> list[int]:
    """The invoices ticked in the list's "pay several" form (``pick_<id>`` fields)."""
    data = form_data if isinstance(form_data, dict) else {}
    ids = [parse_id(str(k).removeprefix("pick_")) for k, v in data.items() if str(k).startswith("pick_") and v]
    return [i for i in ids if i is not None][: MAX_PICKED + 1]


async def start_payment(state: rx.State, invoice_ids: list[int]):
    """Make (or reuse) the checkout for ``invoice_ids``; on success send the browser to
    the provider, else leave the error key in ``state.pay_error``."""
    state.pay_error = ""
    if not invoice_ids:
        state.pay_error = checkout.E_NOT_FOUND
        return None
    result = await asyncio.to_thread(checkout.start_checkout, viewer(), invoice_ids)
    if result.url:
        return rx.redirect(result.url)
    state.pay_error = result.error
    return None
