"""Payments as text: the admin's Payments settings, an invoice's payments (portal and
staff), and the portal's invoice page, in the viewer's language and the tenant's zone.
Never a key: the read models carry only their last four characters."""

from __future__ import annotations

from zoneinfo import ZoneInfo

from pool_portal.presentation.display import day, moment, money
from pool_portal.services.payments.config import PaymentConfig
from pool_portal.services.payments.gateway import METHODS
from pool_portal.services.payments.reads import PaymentLine, PortalInvoice, StaffPayments


def config_values(cfg: PaymentConfig, lang: str) -> dict:
    """The PortalSettingsState vars of the Payments section."""
    return {
        "pay_enabled": cfg.enabled,
        "pay_provider": cfg.provider.value,
        "pay_methods": list(cfg.methods),
        "pay_supported": {k: list(v) for k, v in cfg.supported.items()},
        "pay_multiple": cfg.allow_multiple,
        "pay_key_last4": cfg.secret_key_last4,
        "pay_hook_last4": cfg.webhook_secret_last4,
        "pay_webhook_url": cfg.webhook_url,
        "pay_problem": cfg.problem,
        "pay_problem_at": moment(cfg.problem_at, cfg.zone, lang),
    }


def payment_rows(lines: list[PaymentLine], zone: ZoneInfo, lang: str) -> list[dict[str, str]]:
    return [
        {
            "id": str(p.id),
            "when": moment(p.paid_at, zone, lang),
            "amount": money(p.amount_cents, p.currency if len(p.currency) == 3 else "EUR", lang),
            "refunded": money(p.refunded_cents, p.currency if len(p.currency) == 3 else "EUR", lang)
            if p.refunded_cents
            else "",
            "method": p.method if p.method in METHODS else "",  # shown translated
            "method_other": "" if p.method in METHODS else (p.method or ""),  # shown as the provider says
            "status": p.status.value,
            "reference": p.reference,
            "flag": p.flag or "",
        }
        for p in lines
    ]


def staff_values(found: StaffPayments | None, currency: str, lang: str) -> dict:
    if found is None:
        return {"payments": [], "payments_summary": {}}
    return {
        "payments": payment_rows(found.payments, found.zone, lang),
        "payments_summary": {
            "paid": money(found.paid_cents, currency, lang),
            "outstanding": money(found.outstanding_cents, currency, lang),
            "flagged": str(found.flagged),
            "open_checkout": "1" if found.open_checkout else "",
        },
    }


def portal_invoice_values(inv: PortalInvoice | None, lang: str) -> dict:
    if inv is None:
        return {"invoice": {}, "payments": [], "missing": True}
    return {
        "invoice": {
            "id": str(inv.id),
            "number": inv.number,
            "site": inv.site,
            "status": inv.status,
            "issued": day(inv.issued_on, lang),
            "due": day(inv.due_on, lang),
            "paid_on": day(inv.paid_on, lang),
            "total": money(inv.total_cents, inv.currency, lang),
            "paid": money(inv.paid_cents, inv.currency, lang),
            "outstanding": money(inv.outstanding_cents, inv.currency, lang) if inv.outstanding_cents else "",
            "pay": inv.pay,
            "confirming": "1" if inv.confirming else "",
        },
        "payments": payment_rows(inv.payments, inv.zone, lang),
        "missing": False,
    }
