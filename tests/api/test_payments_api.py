"""The payment routes over HTTP (in-process, the ASGI apps Reflex mounts): the providers'
webhook (``/payments/<provider>/webhook``: no session, signed) and the ERP's
``GET /api/v1/payments?since=``; an invoice paid online stays paid when the ERP pushes
it again as awaiting payment; no key in any answer or log line."""

from __future__ import annotations

import logging
from datetime import date

import pytest
from sqlmodel import Session, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

import pool_portal.models as m
from pool_portal.api import integration as api_routes
from pool_portal.api import payments as payment_routes
from pool_portal.db import session_scope
from pool_portal.services.core.scope import Viewer
from pool_portal.services.payments import checkout, config
from tests.api.test_integration_api import _world
from tests.payment_standin import STRIPE_KEY, STRIPE_WEBHOOK_SECRET, Standin, sign


@pytest.fixture
def paying(db_url, tmp_path, monkeypatch):
    standin = Standin().start()
    monkeypatch.setenv("PORTAL_STRIPE_API_BASE", standin.base)
    try:
        with _world(db_url, tmp_path / "var", monkeypatch) as world:
            monkeypatch.setenv("PORTAL_STRIPE_API_BASE", standin.base)
            from pool_portal import settings as app_settings

            app_settings.get_settings.cache_clear()
            with session_scope() as db:
                boss = m.StaffUser(tenant_id=world.tenant_a, email="boss@a.test", name="Boss", role=m.StaffRole.ADMIN)
                client = m.Client(tenant_id=world.tenant_a, name="Acme", external_id="C-1")
                db.add_all([boss, client])
                db.flush()
                site = m.Site(tenant_id=world.tenant_a, client_id=client.id, name="Pool", external_id="S-1")
                pat = m.PortalUser(tenant_id=world.tenant_a, email="pat@acme.test", name="Pat")
                db.add_all([site, pat])
                db.flush()
                invoice = m.Invoice(
                    tenant_id=world.tenant_a,
                    site_id=site.id,
                    number="INV-9",
                    external_id="I-9",
                    status=m.InvoiceStatus.AWAITING_PAYMENT,
                    issued_on=date(2026, 6, 1),
                    due_on=date(2099, 1, 1),
                    total_cents=1000,
                    subtotal_cents=1000,
                )
                db.add(invoice)
                db.flush()
                db.add(
                    m.InvoiceLine(
                        tenant_id=world.tenant_a,
                        invoice_id=invoice.id,
                        description="Service",
                        unit_price_cents=1000,
                        total_cents=1000,
                    )
                )
                form = {
                    "enabled": True,
                    "provider": "STRIPE",
                    "secret_key": STRIPE_KEY,
                    "webhook_secret": STRIPE_WEBHOOK_SECRET,
                    "methods": ["card"],
                }
                assert config.save_payment_settings(db, world.tenant_a, boss.id, form) == {}
                world.viewer = Viewer(
                    kind="portal",
                    tenant_id=world.tenant_a,
                    user_id=pat.id,
                    session_id=0,
                    name="Pat",
                    email=pat.email,
                    client_ids=frozenset({client.id}),
                )
                world.invoice_id = invoice.id
            app = Starlette(routes=payment_routes.routes + api_routes.routes)
            with TestClient(app, base_url="http://testserver") as client:
                world.hooks, world.standin = client, standin
                yield world
    finally:
        standin.stop()


def test_webhook_route_then_the_erp_reads_the_payment_and_cannot_unpay_it(paying, caplog):
    caplog.set_level(logging.DEBUG)
    result = checkout.start_checkout(paying.viewer, [paying.invoice_id], units=session_scope)
    ref = result.url.rsplit("/", 1)[1]
    payload = paying.standin.completed(ref)
    # No session, no cookie, no Origin: only the signature counts.
    assert (
        paying.hooks.post(
            "/payments/stripe/webhook", content=payload, headers={"Stripe-Signature": "t=1,v1=00"}
        ).status_code
        == 400
    )
    answer = paying.hooks.post("/payments/stripe/webhook", content=payload, headers=sign(payload))
    assert (answer.status_code, answer.text) == (200, "applied")
    assert paying.hooks.post("/payments/stripe/webhook", content=payload, headers=sign(payload)).text == "replayed"
    assert paying.hooks.post("/payments/paypal/webhook", content=b"{}").status_code == 404
    assert paying.hooks.post("/payments/mollie/webhook", data={"id": "tr_nobody1"}).text == "unknown"
    too_big = b"x" * (300 * 1024)
    assert paying.hooks.post("/payments/stripe/webhook", content=too_big, headers=sign(too_big)).status_code == 413
    # The ERP reads what changed since a moment, and can page through it.
    page = paying.client.get("/api/v1/payments", params={"since": "2020-01-01T00:00:00Z"}, headers=paying.a)
    assert page.status_code == 200
    [item] = page.json()["items"]
    assert (item["invoice_external_id"], item["amount_cents"], item["currency"], item["status"], item["provider"]) == (
        "I-9",
        1000,
        "EUR",
        "CONFIRMED",
        "stripe",
    )
    assert paying.client.get("/api/v1/payments", headers=paying.b).json() == {"items": [], "next_cursor": None}
    assert paying.client.get("/api/v1/payments").status_code == 401
    assert paying.client.get("/api/v1/payments", params={"cursor": "%%%"}, headers=paying.a).status_code == 422
    assert (
        paying.client.get("/api/v1/payments", params={"since": "2100-01-01T00:00:00Z"}, headers=paying.a).json()[
            "items"
        ]
        == []
    )
    # A stale push of the invoice as awaiting payment: it stays paid.
    push = {
        "number": "INV-9",
        "site_external_id": "S-1",
        "status": "AWAITING_PAYMENT",
        "issued_on": "2026-06-01",
        "due_on": "2099-01-01",
        "lines": [{"description": "Service", "quantity": 1, "unit_price_cents": 1000}],
    }
    pushed = paying.client.put("/api/v1/invoices/I-9", json=push, headers=paying.a)
    assert pushed.status_code == 200 and pushed.json()["status"] == "PAID"
    # The keys appear in no answer and no log line.
    with Session(paying.engine) as db:
        assert db.exec(select(m.Invoice.status).where(m.Invoice.id == paying.invoice_id)).one() == m.InvoiceStatus.PAID
    logged = " ".join(r.getMessage() for r in caplog.records)
    for secret in (STRIPE_KEY, STRIPE_WEBHOOK_SECRET):
        assert secret not in logged and secret not in page.text and secret not in answer.text
