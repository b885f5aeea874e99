"""The integration API through the real app (mounted by Reflex's api_transformer): an
ERP pushes a quote and an invoice with its own PDF for a client's property; the client
sees the quote awaiting approval and approves it, downloads the ERP's PDF; the ERP
reads the approval back and cannot overwrite it."""

from __future__ import annotations

import re
from datetime import date, timedelta

import requests
from playwright.sync_api import expect
from sqlmodel import Session, select

import pool_portal.models as m
from pool_portal.services.identity import api_keys
from tests.e2e.test_shell_journey import sign_in


def test_erp_pushes_client_sees_and_approves(app_server, page):
    with Session(app_server.engine()) as db:
        aqua = db.exec(select(m.Tenant).where(m.Tenant.slug == "aquademo")).one()
        site = db.exec(
            select(m.Site)
            .join(m.Client, m.Client.id == m.Site.client_id)
            .where(m.Client.name == "Costa Azul Residences")
            .order_by(m.Site.id)
        ).first()
        site_ext = site.external_id
        _, key = api_keys.create_key(db, aqua.id, "journey ERP")
        db.commit()
    assert site_ext
    api = requests.Session()
    api.headers["Authorization"] = f"Bearer {key}"
    today = date.today()
    quote = {
        "number": "ERP-Q-7001",
        "site_external_id": site_ext,
        "kind": "DEFECT",
        "status": "AWAITING_ACCEPTANCE",
        "title": "Replace the filter sand",
        "tax_rate_bp": 2100,
        "issued_on": today.isoformat(),
        "expires_on": (today + timedelta(days=30)).isoformat(),
        "lines": [
            {"description": "Filter sand 25 kg", "quantity": 4, "unit_price_cents": 1850},
            {"description": "Labour", "quantity": "1.5", "unit_price_cents": 4500},
        ],
    }
    r = api.put(f"{app_server}/api/v1/quotes/Q-7001", json=quote, timeout=30)
    assert r.status_code == 201, r.text
    assert r.json()["total_cents"] == round((7400 + 6750) * 1.21)
    assert api.put(f"{app_server}/api/v1/quotes/Q-7001", json=quote, timeout=30).status_code == 200
    pdf = b"%PDF-1.4\n% the ERP's own invoice\n"
    invoice = {
        "number": "ERP-I-7002",
        "site_external_id": site_ext,
        "status": "AWAITING_PAYMENT",
        "issued_on": today.isoformat(),
        "due_on": (today + timedelta(days=30)).isoformat(),
        "lines": [{"description": "Monthly service", "unit_price_cents": 12000}],
    }
    assert api.put(f"{app_server}/api/v1/invoices/I-7002", json=invoice, timeout=30).status_code == 201
    r = api.put(
        f"{app_server}/api/v1/invoices/I-7002/pdf", data=pdf, timeout=30, headers={"Content-Type": "application/pdf"}
    )
    assert r.status_code == 200 and r.json()["has_pdf"] is True

    # The client sees the pushed quote awaiting approval and approves it.
    sign_in(page, app_server, "/portal/login", "client@aquademo.example.com")
    expect(page).to_have_url(re.compile(r"/portal/?$"))
    page.goto(f"{app_server}/portal/quotes?status=awaiting&q=ERP-Q-7001")
    row = page.locator("#quotes-table tbody tr").first
    expect(row).to_contain_text("ERP-Q-7001")
    row.get_by_role("button", name=re.compile("^Approve")).click()
    page.locator("#approve-name").fill("Lucía Ferrer")
    page.locator("#action-submit").click()
    expect(page.locator("#quote-notice")).to_contain_text("Quote approved")

    # The invoice's PDF is the ERP's, through the authorising route.
    with Session(app_server.engine()) as db:
        invoice_id = db.exec(select(m.Invoice.id).where(m.Invoice.number == "ERP-I-7002")).one()
    got = page.request.get(f"{app_server}/files/invoice/{invoice_id}")
    assert got.status == 200 and got.body() == pdf
    assert requests.get(f"{app_server}/files/invoice/{invoice_id}", timeout=30).status_code == 401

    # The ERP reads the answer back; pushing the old status again is refused.
    back = api.get(f"{app_server}/api/v1/quotes/Q-7001", timeout=30).json()
    assert back["status"] == "APPROVED" and back["approver_name"] == "Lucía Ferrer"
    r = api.put(f"{app_server}/api/v1/quotes/Q-7001", json=quote, timeout=30)
    # An answered quote is final: 409 naming it and the field the push would change.
    assert r.status_code == 409 and "Q-7001" in r.json()["detail"]
    assert "status" in [e["field"] for e in r.json()["errors"]]
    assert api.get(f"{app_server}/api/v1/quotes/Q-7001", timeout=30).json()["status"] == "APPROVED"
