"""A tenant's online-payment settings (Admin → Customer portal → Payments, ADMIN): off by
default; the provider, its secret key and webhook signing secret (sealed at rest,
``sealing``; shown again only as their last four characters), the methods offered and
whether several invoices may be paid at once. Also the last problem the portal had with
the provider, which staff see and which, for rejected keys, hides the Pay buttons.

Plain Python: takes a session, never commits (``check_connection`` takes a unit-of-work
factory: it talks to the provider between two units)."""

from __future__ import annotations

import logging
from collections.abc import Callable, Mapping
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlmodel import Session, select

from pool_portal.db import session_scope
from pool_portal.models import PaymentProvider, PaymentSettings, utcnow
from pool_portal.services.core.audit import by_staff
from pool_portal.services.core.clock import tenant_zone
from pool_portal.services.core.outcome import Errors
from pool_portal.services.core.params import parse_bool
from pool_portal.services.identity.acting import acting_staff
from pool_portal.services.payments import sealing
from pool_portal.services.payments.gateway import KEYS_UNREADABLE, METHODS, GatewayError, Keys
from pool_portal.services.payments.gateways import GATEWAYS, gateway
from pool_portal.settings import get_settings

log = logging.getLogger(__name__)

UnitOfWork = Callable[[], AbstractContextManager[Session]]
MAX_KEY = 255
# What a secret key of each provider starts with (a publishable key is refused: it is not secret).
KEY_PREFIXES = {PaymentProvider.STRIPE: ("sk_", "rk_"), PaymentProvider.MOLLIE: ("live_", "test_")}
WEBHOOK_PREFIXES = {PaymentProvider.STRIPE: ("whsec_",), PaymentProvider.MOLLIE: ()}
FIELDS = ("enabled", "provider", "secret_key", "webhook_secret", "methods", "allow_multiple")


@dataclass(frozen=True)
class PaymentConfig:
    """The settings as the admin form shows them: never a key, only its last four."""

    enabled: bool
    provider: PaymentProvider
    methods: tuple[str, ...]
    allow_multiple: bool
    secret_key_last4: str
    webhook_secret_last4: str
    webhook_url: str  # where the provider must send its events
    supported: dict[str, tuple[str, ...]]  # provider value -> our method codes it offers
    needs_webhook_secret: bool
    problem: str  # a translation key, "" when none
    problem_at: datetime | None
    zone: ZoneInfo  # the tenant's, for the time of the problem


@dataclass(frozen=True)
class Offer:
    """What the portal offers a tenant's customers."""

    enabled: bool  # switched on with keys: Pay buttons are shown
    available: bool  # and usable (the provider did not reject the keys)
    allow_multiple: bool


def settings_row(db: Session, tenant_id: int) -> PaymentSettings | None:
    return db.exec(select(PaymentSettings).where(PaymentSettings.tenant_id == tenant_id)).first()


def webhook_url(provider: PaymentProvider) -> str:
    return f"{get_settings().public_url}/payments/{PaymentProvider(provider).value.lower()}/webhook"


def chosen_methods(row: PaymentSettings | None) -> tuple[str, ...]:
    raw = (row.methods if row else "card") or "card"
    return tuple(m for m in METHODS if m in raw.split(","))


def payment_config(db: Session, tenant_id: int) -> PaymentConfig:
    row = settings_row(db, tenant_id) or PaymentSettings(tenant_id=tenant_id)
    provider = PaymentProvider(row.provider)
    return PaymentConfig(
        enabled=bool(row.enabled),
        provider=provider,
        methods=chosen_methods(row),
        allow_multiple=bool(row.allow_multiple),
        secret_key_last4=row.secret_key_last4 or "",
        webhook_secret_last4=row.webhook_secret_last4 or "",
        webhook_url=webhook_url(provider),
        supported={p.value: tuple(m for m in METHODS if m in g.methods) for p, g in GATEWAYS.items()},
        needs_webhook_secret=bool(WEBHOOK_PREFIXES[provider]),
        problem=row.problem or "",
        problem_at=row.problem_at,
        zone=tenant_zone(db, tenant_id),
    )


def offer(db: Session, tenant_id: int) -> Offer:
    row = settings_row(db, tenant_id)
    on = bool(row and row.enabled and row.secret_key_sealed)
    return Offer(on, on and not row.keys_rejected, bool(on and row.allow_multiple))


def tenant_keys(row: PaymentSettings) -> Keys:
    """The tenant's keys, unsealed for one call to the provider (GatewayError when they
    no longer open)."""
    try:
        secret = sealing.unseal(row.secret_key_sealed)
        hook = sealing.unseal(row.webhook_secret_sealed) if row.webhook_secret_sealed else ""
    except sealing.KeyUnreadable:
        raise GatewayError(KEYS_UNREADABLE) from None
    return Keys(secret, hook)


def record_problem(db: Session, tenant_id: int, problem: GatewayError | None) -> None:
    """Remember (or, with None, forget) what went wrong with the provider, for the admin."""
    row = settings_row(db, tenant_id)
    if row is None:
        return
    reason = problem.reason if problem else None
    if row.problem != reason or (problem and problem.keys_rejected) != row.keys_rejected:
        row.problem, row.problem_at = reason, utcnow() if reason else None
        row.keys_rejected = bool(problem and problem.keys_rejected)
        db.add(row)


def _key(form: Mapping[str, object], name: str, prefixes: tuple[str, ...], errors: Errors) -> str | None:
    value = str(form.get(name) or "").strip()
    if not value:
        return None
    if len(value) > MAX_KEY or any(c.isspace() for c in value) or (prefixes and not value.startswith(prefixes)):
        errors[name] = f"payments.error.{name}"
        return None
    return value


def save_payment_settings(db: Session, tenant_id: int, staff_user_id: int, form: Mapping[str, object]) -> Errors:
    """Save the Payments form. A key left blank keeps the stored one (changing provider
    needs new keys). Switching on needs a secret key (and Stripe's webhook secret) and at
    least one method the provider supports. Returns {} or {field: key}; nothing written
    then. The keys never reach the audit log: only which fields changed."""
    acting_staff(db, tenant_id, staff_user_id)
    errors: Errors = {str(k): "admin.settings.error.unknown_field" for k in form if k not in FIELDS}
    try:
        provider = PaymentProvider(str(form.get("provider") or "").upper())
    except ValueError:
        return {**errors, "provider": "payments.error.provider"}
    row = settings_row(db, tenant_id) or PaymentSettings(tenant_id=tenant_id)
    same_provider = row.id is not None and PaymentProvider(row.provider) == provider
    secret = _key(form, "secret_key", KEY_PREFIXES[provider], errors)
    hook = _key(form, "webhook_secret", WEBHOOK_PREFIXES[provider], errors)
    enabled, multiple = parse_bool(form.get("enabled", False)), parse_bool(form.get("allow_multiple", False))
    if enabled is None or multiple is None:
        errors["enabled" if enabled is None else "allow_multiple"] = "admin.settings.error.on_off"
    raw = form.get("methods") or []
    chosen = [str(m) for m in (raw.split(",") if isinstance(raw, str) else raw if isinstance(raw, list) else [])]
    supported = GATEWAYS[provider].methods
    if not chosen or any(m not in supported for m in chosen):
        errors["methods"] = "payments.error.methods"
    has_secret = secret is not None or (same_provider and row.secret_key_sealed)
    has_hook = hook is not None or (same_provider and row.webhook_secret_sealed) or not WEBHOOK_PREFIXES[provider]
    if enabled and not has_secret:
        errors["secret_key"] = "payments.error.secret_key_needed"
    if enabled and not has_hook:
        errors["webhook_secret"] = "payments.error.webhook_secret_needed"
    if errors:
        return errors
    changed = []
    if not same_provider:
        row.secret_key_sealed = row.secret_key_last4 = row.webhook_secret_sealed = row.webhook_secret_last4 = None
    for name, value in (("secret_key", secret), ("webhook_secret", hook)):
        if value is not None:
            setattr(row, f"{name}_sealed", sealing.seal(value))
            setattr(row, f"{name}_last4", sealing.last4(value))
            changed.append(name)
    values = {"enabled": bool(enabled), "provider": provider, "methods": ",".join(m for m in METHODS if m in chosen)}
    values["allow_multiple"] = bool(multiple)
    for name, value in values.items():
        if getattr(row, name) != value:
            setattr(row, name, value)
            changed.append(name)
    if changed:
        if {"secret_key", "webhook_secret", "provider"} & set(changed):
            row.problem, row.problem_at, row.keys_rejected = None, None, False
        row.updated_at = utcnow()
        db.add(row)
        by_staff(
            db,
            "payments.settings.updated",
            tenant_id,
            staff_user_id,
            "payment_settings",
            tenant_id,
            fields=sorted(changed),
        )
    return {}


def check_connection(tenant_id: int, staff_user_id: int, *, units: UnitOfWork = session_scope) -> str:
    """Ask the provider whether it accepts the stored key; remember the answer. Returns
    "" when it does, else the problem's translation key."""
    with units() as db:
        acting_staff(db, tenant_id, staff_user_id)
        row = settings_row(db, tenant_id)
        if row is None or not row.secret_key_sealed:
            return "payments.problem.no_keys"
        provider = PaymentProvider(row.provider)
        try:
            keys = tenant_keys(row)
        except GatewayError as exc:
            record_problem(db, tenant_id, exc)
            return exc.reason
    problem: GatewayError | None = None
    try:
        gateway(provider).check_keys(keys)
    except GatewayError as exc:
        log.warning("payments: tenant %s: %s rejected the check: %s", tenant_id, provider.value, exc)
        problem = exc
    with units() as db:
        record_problem(db, tenant_id, problem)
        by_staff(db, "payments.checked", tenant_id, staff_user_id, "payment_settings", tenant_id, ok=problem is None)
    return problem.reason if problem else ""
