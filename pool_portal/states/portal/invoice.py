"""/portal/invoice?id=: one invoice of the view, its payments and Pay now. Coming back
from the provider (``&checkout=<attempt>``) shows "payment received, being confirmed"
until the provider's signed event has marked it paid; ``&cancelled=1``: the checkout was
left, the invoice is unpaid as before."""

from __future__ import annotations

from pool_portal.presentation.payments import portal_invoice_values
from pool_portal.services.core.i18n import normalise_language
from pool_portal.services.core.params import parse_id
from pool_portal.services.payments import reads
from pool_portal.states.guard import portal_event
from pool_portal.states.portal.page import PortalState
from pool_portal.states.portal.paying import start_payment
from pool_portal.states.shell import call


class InvoicePageState(PortalState):
    invoice: dict[str, str] = {}
    payments: list[dict[str, str]] = []
    missing: bool = False
    cancelled: bool = False
    pay_error: str = ""
    loaded: bool = False

    def _on_refused(self) -> None:
        super()._on_refused()
        self.invoice, self.payments, self.loaded = {}, [], False

    @portal_event
    async def load_invoice_page(self):
        v = await self._load_shell()
        params = self.router.url.query_parameters
        invoice_id = parse_id(str(params.get("id", "")))
        checkout_id = parse_id(str(params.get("checkout", "")))
        self.cancelled = bool(checkout_id and params.get("cancelled"))
        confirming = None if self.cancelled else checkout_id  # left the checkout: nothing to confirm
        found = await call(reads.portal_invoice, v, invoice_id, confirming) if invoice_id else None
        for name, value in portal_invoice_values(found, normalise_language(self.lang)).items():
            setattr(self, name, value)
        self.pay_error = ""
        self.loaded = True

    @portal_event(write=True)
    async def pay(self):
        invoice_id = parse_id(str(self.invoice.get("id", "")))
        return await start_payment(self, [invoice_id] if invoice_id else [])
