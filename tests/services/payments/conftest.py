"""A small world for the payment services: two tenants on Stripe (each its own keys)
against the providers' stand-in, a customer with two unpaid invoices, staff; committed,
so the services' own units of work see it. Runs on SQLite and PostgreSQL (``db``)."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import pytest
from sqlmodel import Session

import pool_portal.models as m
from pool_portal.db import session_scope
from pool_portal.services.core.scope import Viewer
from pool_portal.services.payments import config
from tests.payment_standin import MOLLIE_KEY, STRIPE_KEY, STRIPE_WEBHOOK_SECRET, Standin

SECRET = "x" * 40
B_WEBHOOK_SECRET = "whsec_tenant_b_other_secret"


@dataclass
class World:
    db: Session
    standin: Standin
    a: m.Tenant
    b: m.Tenant
    boss: m.StaffUser
    pat: Viewer
    inv1: m.Invoice
    inv2: m.Invoice
    draft: m.Invoice
    inv_b: m.Invoice
    pb: Viewer

    def units(self):
        return session_scope(self.db.get_bind())

    def fresh(self, model, row_id):
        with Session(self.db.get_bind()) as s:
            return s.get(model, row_id)

    def configure(self, tenant_id: int, staff_id: int, **form) -> dict:
        with self.units() as s:
            return config.save_payment_settings(s, tenant_id, staff_id, form)


@pytest.fixture
def standin():
    server = Standin().start()
    yield server
    server.stop()


@pytest.fixture
def world(db, isolated_settings, monkeypatch, standin):
    from pool_portal import settings as settingsmod

    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://portal.example.com")
    monkeypatch.setenv("PORTAL_SECRET_KEY", SECRET)
    monkeypatch.setenv("PORTAL_STRIPE_API_BASE", standin.base)
    monkeypatch.setenv("PORTAL_MOLLIE_API_ENDPOINT", standin.base)
    settingsmod.get_settings.cache_clear()
    a, b = m.Tenant(name="A Pools", slug="a"), m.Tenant(name="B Pools", slug="b")
    db.add_all([a, b])
    db.flush()
    client, client_b = m.Client(tenant_id=a.id, name="Acme"), m.Client(tenant_id=b.id, name="B Client")
    db.add_all([client, client_b])
    db.flush()
    site, site_b = (
        m.Site(tenant_id=a.id, client_id=client.id, name="Acme pool"),
        m.Site(tenant_id=b.id, client_id=client_b.id, name="B pool"),
    )
    boss = m.StaffUser(tenant_id=a.id, email="boss@a.test", name="Boss", role=m.StaffRole.ADMIN)
    boss_b = m.StaffUser(tenant_id=b.id, email="boss@b.test", name="B Boss", role=m.StaffRole.ADMIN)
    pat = m.PortalUser(tenant_id=a.id, email="pat@acme.test", name="Pat")
    pb = m.PortalUser(tenant_id=b.id, email="pb@b.test", name="PB")
    db.add_all([site, site_b, boss, boss_b, pat, pb])
    db.flush()
    db.add_all(
        [
            m.Membership(tenant_id=a.id, portal_user_id=pat.id, client_id=client.id),
            m.Membership(tenant_id=b.id, portal_user_id=pb.id, client_id=client_b.id),
        ]
    )
    issued = {"issued_on": date(2026, 6, 1), "due_on": date(2099, 7, 1), "status": m.InvoiceStatus.AWAITING_PAYMENT}
    inv1 = m.Invoice(
        tenant_id=a.id,
        site_id=site.id,
        number="INV-1",
        total_cents=12100,
        subtotal_cents=10000,
        tax_cents=2100,
        **issued,
    )
    inv2 = m.Invoice(tenant_id=a.id, site_id=site.id, number="INV-2", total_cents=5000, subtotal_cents=5000, **issued)
    draft = m.Invoice(tenant_id=a.id, site_id=site.id, number="INV-3", total_cents=700)
    inv_b = m.Invoice(tenant_id=b.id, site_id=site_b.id, number="B-1", total_cents=9900, **issued)
    db.add_all([inv1, inv2, draft, inv_b])
    db.commit()
    assert not config.save_payment_settings(
        db,
        a.id,
        boss.id,
        {
            "enabled": True,
            "provider": "STRIPE",
            "secret_key": STRIPE_KEY,
            "webhook_secret": STRIPE_WEBHOOK_SECRET,
            "methods": ["card", "ideal"],
            "allow_multiple": True,
        },
    )
    assert not config.save_payment_settings(
        db,
        b.id,
        boss_b.id,
        {
            "enabled": True,
            "provider": "STRIPE",
            "secret_key": STRIPE_KEY,
            "webhook_secret": B_WEBHOOK_SECRET,
            "methods": ["card"],
        },
    )
    db.commit()

    def viewer(user, client_id, tenant_id):
        return Viewer(
            kind="portal",
            tenant_id=tenant_id,
            user_id=user.id,
            session_id=0,
            name=user.name,
            email=user.email,
            client_ids=frozenset({client_id}),
        )

    yield World(
        db, standin, a, b, boss, viewer(pat, client.id, a.id), inv1, inv2, draft, inv_b, viewer(pb, client_b.id, b.id)
    )
    settingsmod.get_settings.cache_clear()


__all__ = ["MOLLIE_KEY"]
