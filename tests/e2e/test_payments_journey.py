"""Paying an invoice online, in a real browser against the built app, with the payment
provider's stand-in (tests/payment_standin.py): the admin switches payments on, the
customer presses Pay now, pays on the provider's page, comes back to "payment received,
being confirmed", and the invoice is paid only once the provider's signed event has
arrived; the payer gets a receipt, staff see the payment; no key on any page or log line."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import expect
from sqlmodel import Session, select

import pool_portal.models as m
from tests.e2e.test_shell_journey import sign_in
from tests.payment_standin import STRIPE_KEY, STRIPE_WEBHOOK_SECRET, post_stripe


def _new_invoice(app_server, number: str, cents: int) -> int:
    """An issued, unpaid invoice on one of Costa Azul's properties (the demo client)."""
    with Session(app_server.engine()) as s:
        client = s.exec(select(m.Client).where(m.Client.name == "Costa Azul Residences")).one()
        site = s.exec(select(m.Site).where(m.Site.client_id == client.id).order_by(m.Site.id)).first()
        invoice = m.Invoice(
            tenant_id=client.tenant_id,
            site_id=site.id,
            number=number,
            status=m.InvoiceStatus.AWAITING_PAYMENT,
            issued_on=date(2026, 6, 1),
            due_on=date(2099, 1, 1),
            subtotal_cents=cents,
            total_cents=cents,
        )
        s.add(invoice)
        s.commit()
        return invoice.id


def _switch_payments_on(staff, app_server, *, several: bool) -> None:
    """Admin → Customer portal → Payments: Stripe with the stand-in's keys."""
    sign_in(staff, app_server, "/admin/login", "admin@aquademo.example.com")
    expect(staff).to_have_url(re.compile(r"/admin$"))
    staff.goto(f"{app_server}/admin/settings")
    form = staff.locator("#payments-form")
    expect(form).to_be_visible()
    form.locator("#pay-enabled").check()
    form.locator("#pay-provider").select_option("STRIPE")
    form.locator("#pay-secret_key").fill(STRIPE_KEY)
    form.locator("#pay-webhook_secret").fill(STRIPE_WEBHOOK_SECRET)
    form.locator("#pay-method-card").check()
    form.locator("#pay-multiple").set_checked(several)
    form.locator("#pay-save").click()
    expect(staff.locator("#pay-notice")).to_contain_text("the provider accepts the key")


def test_pay_now_to_a_paid_invoice(app_server, browser, mailbox):
    standin = app_server.standin
    invoice_id = _new_invoice(app_server, "PAY-E2E-1", 12100)
    staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    customer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        # The admin switches online payments on (Admin → Customer portal → Payments).
        _switch_payments_on(staff, app_server, several=False)
        expect(staff.locator("#pay-secret_key-saved")).to_contain_text(STRIPE_KEY[-4:])
        expect(staff.locator("#pay-webhook-url")).to_contain_text("/payments/stripe/webhook")
        for secret in (STRIPE_KEY, STRIPE_WEBHOOK_SECRET):
            assert secret not in staff.content()

        # The customer pays from the invoices list.
        sign_in(customer, app_server, "/portal/login", "client@aquademo.example.com")
        expect(customer).to_have_url(re.compile(r"/portal$"))
        customer.goto(f"{app_server}/portal/invoices?q=PAY-E2E-1")
        pay = customer.locator(f"#pay-{invoice_id}")
        expect(pay).to_have_text("Pay now")
        pay.click()
        expect(customer).to_have_url(re.compile(re.escape(standin.base) + r"/pay/cs_"))
        ref = customer.url.rsplit("/", 1)[1]
        assert standin.sessions[ref]["amount_total"] == 12100
        customer.locator("#standin-pay").click()

        # Back in the portal: received, being confirmed; not paid on the redirect's word.
        expect(customer).to_have_url(re.compile(rf"/portal/invoice\?id={invoice_id}&checkout=\d+"))
        expect(customer.locator("#pay-confirming")).to_contain_text("being confirmed")
        expect(customer.locator("#invoice-status")).not_to_have_text("Paid")
        with Session(app_server.engine()) as s:
            assert s.get(m.Invoice, invoice_id).status == m.InvoiceStatus.AWAITING_PAYMENT

        # The provider's signed event arrives: paid.
        answer = post_stripe(app_server, standin.completed(ref))
        assert (answer.status_code, answer.text) == (200, "applied")
        customer.reload()
        expect(customer.locator("#invoice-status")).to_have_text("Paid")
        expect(customer.locator("#invoice-payments")).to_contain_text("121.00")
        expect(customer.locator("#pay-now")).to_have_count(0)
        receipt = mailbox.wait_for(
            lambda msg: msg["To"] == "client@aquademo.example.com" and "PAY-E2E-1" in msg["Subject"]
        )
        assert "Payment received" in receipt["Subject"]

        # Staff see it on the invoice, and were told.
        staff.goto(f"{app_server}/admin/invoice?id={invoice_id}")
        expect(staff.locator("#invoice-payments")).to_contain_text("121.00")
        expect(staff.locator("#invoice-payments")).to_contain_text(standin.sessions[ref]["_intent"])
        with Session(app_server.engine()) as s:
            told = s.exec(
                select(m.Notification).where(m.Notification.kind == m.NotificationKind.PAYMENT_RECEIVED)
            ).all()
            assert [n.link for n in told] == [f"/admin/invoice?id={invoice_id}"]
    finally:
        staff.context.close()
        customer.context.close()
    log = app_server.log.read_text()
    for secret in (STRIPE_KEY, STRIPE_WEBHOOK_SECRET):
        assert secret not in log


def test_several_invoices_paid_together_and_an_abandoned_checkout(app_server, browser):
    standin = app_server.standin
    first = _new_invoice(app_server, "PAY-E2E-2", 5000)
    second = _new_invoice(app_server, "PAY-E2E-3", 2500)
    staff = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    customer = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    try:
        _switch_payments_on(staff, app_server, several=True)
        sign_in(customer, app_server, "/portal/login", "client@aquademo.example.com")
        expect(customer).to_have_url(re.compile(r"/portal$"))
        # Leaving the checkout: back to "still unpaid", nothing recorded.
        customer.goto(f"{app_server}/portal/invoice?id={first}")
        customer.locator("#pay-now").click()
        expect(customer).to_have_url(re.compile(re.escape(standin.base) + r"/pay/cs_"))
        customer.locator("#standin-cancel").click()
        expect(customer.locator("#pay-cancelled")).to_contain_text("still unpaid")
        expect(customer.locator("#pay-now")).to_be_visible()
        with Session(app_server.engine()) as s:
            assert s.exec(select(m.Payment).where(m.Payment.invoice_id == first)).all() == []
        # Both ticked in the list, one checkout for the two.
        customer.goto(f"{app_server}/portal/invoices?q=PAY-E2E")
        customer.locator(f"#pick-{first}").check()
        customer.locator(f"#pick-{second}").check()
        customer.locator("#pay-selected").click()
        expect(customer).to_have_url(re.compile(re.escape(standin.base) + r"/pay/cs_"))
        ref = customer.url.rsplit("/", 1)[1]
        assert standin.sessions[ref]["amount_total"] == 7500
        customer.locator("#standin-pay").click()
        expect(customer.locator("#pay-confirming")).to_be_visible()
        assert post_stripe(app_server, standin.completed(ref)).text == "applied"
        with Session(app_server.engine()) as s:
            assert {s.get(m.Invoice, i).status for i in (first, second)} == {m.InvoiceStatus.PAID}
    finally:
        staff.context.close()
        customer.context.close()
