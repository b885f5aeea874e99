"""Paying invoices online, through the services against the providers' stand-in: Pay
now to a paid invoice, replays, forged signatures, partial payments, refunds,
disputes, mismatches, two tabs, unknown and foreign events, the provider down or the
keys wrong, Mollie, and what the ERP reads. On SQLite and PostgreSQL."""

from __future__ import annotations

import threading
from email import message_from_bytes, policy

from sqlalchemy import func
from sqlmodel import Session, select

import pool_portal.models as m
from pool_portal.services.core.scope import Viewer
from pool_portal.services.infra import mail
from pool_portal.services.payments import checkout, config, reads, webhooks
from pool_portal.settings import get_settings
from tests.payment_standin import MOLLIE_KEY, STRIPE_KEY, STRIPE_WEBHOOK_SECRET, sign
from tests.services.payments.conftest import B_WEBHOOK_SECRET


def _hook(world, payload: bytes, secret: str = STRIPE_WEBHOOK_SECRET, provider: str = "stripe", headers=None):
    return webhooks.receive(
        provider,
        payload,
        headers
        if headers is not None
        else sign(payload, secret) | {"stripe-signature": sign(payload, secret)["Stripe-Signature"]},
        units=world.units,
    )


def _pay(world, viewer=None, ids=None) -> str:
    result = checkout.start_checkout(viewer or world.pat, ids or [world.inv1.id], units=world.units)
    assert result.error == "" and result.url.startswith(world.standin.base + "/pay/"), result
    return result.url.rsplit("/", 1)[1]


def _count(world, model, *where) -> int:
    with Session(world.db.get_bind()) as s:
        return s.exec(select(func.count()).select_from(model).where(*where)).one()


def _payments(world, invoice_id):
    with Session(world.db.get_bind()) as s:
        return s.exec(select(m.Payment).where(m.Payment.invoice_id == invoice_id).order_by(m.Payment.id)).all()


def _notes(world, kind):
    with Session(world.db.get_bind()) as s:
        return s.exec(select(m.Notification).where(m.Notification.kind == kind)).all()


def test_keys_are_sealed_at_rest_and_shown_only_by_their_last_four(world):
    with Session(world.db.get_bind()) as s:
        row = config.settings_row(s, world.a.id)
        shown = config.payment_config(s, world.a.id)
        audit = " ".join(e.detail or "" for e in s.exec(select(m.AuditEvent)).all())
    assert STRIPE_KEY not in (row.secret_key_sealed or "") and STRIPE_WEBHOOK_SECRET not in (
        row.webhook_secret_sealed or ""
    )
    assert (shown.secret_key_last4, shown.webhook_secret_last4) == (STRIPE_KEY[-4:], STRIPE_WEBHOOK_SECRET[-4:])
    assert STRIPE_KEY not in repr(shown) and STRIPE_KEY not in audit and STRIPE_WEBHOOK_SECRET not in audit
    assert shown.webhook_url == "https://portal.example.com/payments/stripe/webhook"
    # A blank key keeps the stored one; a publishable key is refused; switching on needs a key.
    assert world.configure(world.a.id, world.boss.id, enabled=True, provider="STRIPE", methods=["card"]) == {}
    assert world.fresh(m.PaymentSettings, row.id).secret_key_sealed == row.secret_key_sealed
    bad = world.configure(
        world.a.id, world.boss.id, enabled=True, provider="STRIPE", secret_key="pk_live_x", methods=["bizum"]
    )
    assert bad == {"secret_key": "payments.error.secret_key", "methods": "payments.error.methods"}
    assert world.configure(world.a.id, world.boss.id, enabled=True, provider="MOLLIE", methods=["ideal"]) == {
        "secret_key": "payments.error.secret_key_needed"
    }


def test_pay_now_to_a_paid_invoice_with_a_receipt_and_staff_told(world):
    ref = _pay(world)
    session = world.standin.sessions[ref]
    assert session["amount_total"] == 12100 and session["currency"] == "eur"
    assert session["success_url"].startswith(f"https://portal.example.com/portal/invoice?id={world.inv1.id}&checkout=")
    assert session["payment_method_types"] == ["card", "ideal"]
    posted = [c for c in world.standin.calls if c[1] == "/v1/checkout/sessions"]
    assert posted[0][2].get("Idempotency-Key")
    # A second tab gets the same session: one checkout per invoice at a time.
    assert _pay(world) == ref and len([c for c in world.standin.calls if c[1] == "/v1/checkout/sessions"]) == 1
    # Coming back proves nothing: the invoice is unpaid until the signed event.
    with Session(world.db.get_bind()) as s:
        back = reads.portal_invoice(s, world.pat, world.inv1.id, checkout_id=int(session["metadata"]["attempt"]))
    assert back.status == "AWAITING_PAYMENT" and back.confirming and back.outstanding_cents == 12100
    answer = _hook(world, world.standin.completed(ref))
    assert (answer.status, answer.text) == (200, "applied")
    invoice = world.fresh(m.Invoice, world.inv1.id)
    assert invoice.status == m.InvoiceStatus.PAID and invoice.paid_on is not None
    [payment] = _payments(world, world.inv1.id)
    assert (payment.amount_cents, payment.currency, payment.status, payment.provider_ref) == (
        12100,
        "EUR",
        m.PaymentStatus.CONFIRMED,
        session["_intent"],
    )
    assert payment.settled_invoice and payment.flag is None and payment.method in ("card", "ideal")
    assert [n.link for n in _notes(world, m.NotificationKind.PAYMENT_RECEIVED)] == [
        f"/admin/invoice?id={world.inv1.id}"
    ]
    assert mail.wait_idle(10)
    outbox = get_settings().outbox_dir.glob("*.eml")
    receipts = [message_from_bytes(p.read_bytes(), policy=policy.default) for p in outbox]
    assert [(r["To"], r["Subject"]) for r in receipts] == [("pat@acme.test", "Payment received: INV-1")]
    assert "121.00" in receipts[0].get_body(preferencelist=("plain",)).get_content()
    with Session(world.db.get_bind()) as s:
        assert reads.payable(s, world.pat, [world.inv1.id, world.inv2.id]) == {world.inv2.id: "pay"}
        shown = reads.portal_invoice(s, world.pat, world.inv1.id)
    assert shown.status == "PAID" and [p.amount_cents for p in shown.payments] == [12100] and not shown.pay


def test_a_replayed_event_changes_nothing_and_a_forged_one_is_refused(world):
    ref = _pay(world)
    payload = world.standin.completed(ref, event_id="evt_once")
    assert _hook(world, payload).text == "applied"
    assert _hook(world, payload).text == "replayed"
    assert _count(world, m.Payment) == 1 and _count(world, m.PaymentEvent) == 1
    forged = world.standin.completed(_pay(world, ids=[world.inv2.id]), event_id="evt_forged")
    assert _hook(world, forged, secret="whsec_not_ours").status == 400
    headers = {"stripe-signature": sign(forged)["Stripe-Signature"].replace("v1=", "v1=0")}
    assert _hook(world, forged, headers=headers).status == 400
    assert _hook(world, forged, headers={}).status == 400
    assert _count(world, m.Payment) == 1 and _count(world, m.PaymentEvent) == 1
    assert world.fresh(m.Invoice, world.inv2.id).status == m.InvoiceStatus.AWAITING_PAYMENT


def test_a_partial_payment_leaves_it_unpaid(world):
    ref = _pay(world)
    with world.units() as s:  # the ERP raised the invoice meanwhile
        s.get(m.Invoice, world.inv1.id).total_cents = 15000
    assert _hook(world, world.standin.completed(ref)).text == "partial"
    assert world.fresh(m.Invoice, world.inv1.id).status == m.InvoiceStatus.AWAITING_PAYMENT
    with Session(world.db.get_bind()) as s:
        shown = reads.portal_invoice(s, world.pat, world.inv1.id)
    assert (shown.paid_cents, shown.outstanding_cents, shown.pay) == (12100, 2900, "pay")
    # The rest, in a new checkout for exactly what is left.
    ref2 = _pay(world)
    assert ref2 != ref and world.standin.sessions[ref2]["amount_total"] == 2900
    assert _hook(world, world.standin.completed(ref2)).text == "applied"
    assert world.fresh(m.Invoice, world.inv1.id).status == m.InvoiceStatus.PAID


def test_a_refund_reopens_and_a_dispute_too(world):
    ref = _pay(world)
    _hook(world, world.standin.completed(ref))
    assert _hook(world, world.standin.refunded(ref, 2000)).text == "refunded"
    invoice = world.fresh(m.Invoice, world.inv1.id)
    assert invoice.status == m.InvoiceStatus.AWAITING_PAYMENT and invoice.paid_on is None
    [p] = _payments(world, world.inv1.id)
    assert (p.refunded_cents, p.status) == (2000, m.PaymentStatus.CONFIRMED)
    assert _hook(world, world.standin.refunded(ref, 12100)).text == "refunded"
    assert _payments(world, world.inv1.id)[0].status == m.PaymentStatus.REFUNDED
    ref2 = _pay(world, ids=[world.inv2.id])
    _hook(world, world.standin.completed(ref2))
    assert world.fresh(m.Invoice, world.inv2.id).status == m.InvoiceStatus.PAID
    assert _hook(world, world.standin.disputed(ref2)).text == "disputed"
    assert world.fresh(m.Invoice, world.inv2.id).status == m.InvoiceStatus.AWAITING_PAYMENT
    assert _payments(world, world.inv2.id)[0].status == m.PaymentStatus.DISPUTED
    assert len(_notes(world, m.NotificationKind.PAYMENT_FLAGGED)) == 3


def test_an_amount_or_currency_mismatch_is_refused_and_flagged(world):
    ref = _pay(world)
    assert _hook(world, world.standin.completed(ref, amount_total=100)).text == "refused"
    ref2 = _pay(world)
    assert _hook(world, world.standin.completed(ref2, currency="usd")).text == "refused"
    assert world.fresh(m.Invoice, world.inv1.id).status == m.InvoiceStatus.AWAITING_PAYMENT
    assert [(p.status, p.flag) for p in _payments(world, world.inv1.id)] == [
        (m.PaymentStatus.REFUSED, "payments.flag.mismatch")
    ] * 2
    assert len(_notes(world, m.NotificationKind.PAYMENT_FLAGGED)) == 2
    with Session(world.db.get_bind()) as s:
        assert reads.portal_invoice(s, world.pat, world.inv1.id).payments == []  # staff sort it out
        assert reads.staff_payments(s, world.a.id, world.boss.id, world.inv1.id).flagged == 2


def test_two_tabs_a_second_completed_payment_is_recorded_and_flagged_for_refund(world):
    one = _pay(world)  # tab 1: INV-1
    both = _pay(world, ids=[world.inv1.id, world.inv2.id])  # tab 2: INV-1 and INV-2, supersedes tab 1's
    assert world.standin.sessions[one]["status"] == "expired" and world.standin.sessions[both]["amount_total"] == 17100
    assert _hook(world, world.standin.completed(both)).text == "applied"
    # Tab 1's session was paid all the same (it raced the expiry): recorded, flagged, not dropped.
    assert _hook(world, world.standin.completed(one)).text == "duplicate"
    flags = [(p.status, p.flag, p.amount_cents) for p in _payments(world, world.inv1.id)]
    assert flags == [
        (m.PaymentStatus.CONFIRMED, None, 12100),
        (m.PaymentStatus.DUPLICATE, "payments.flag.refund_due", 12100),
    ]
    # Once refunded at the provider, the flag goes.
    _hook(world, world.standin.refunded(one, 12100))
    assert _payments(world, world.inv1.id)[1].flag is None
    assert world.fresh(m.Invoice, world.inv1.id).status == m.InvoiceStatus.PAID


def test_unknown_foreign_and_settled_events_are_acknowledged_without_change(world):
    unknown = world.standin.stripe_event(
        "checkout.session.completed",
        {"id": "cs_nobody", "payment_status": "paid", "amount_total": 1, "currency": "eur"},
    )
    assert _hook(world, unknown).text == "unknown"
    b_ref = _pay(world, viewer=world.pb, ids=[world.inv_b.id])
    assert _hook(world, world.standin.completed(b_ref), secret=STRIPE_WEBHOOK_SECRET).text == "foreign"
    assert world.fresh(m.Invoice, world.inv_b.id).status == m.InvoiceStatus.AWAITING_PAYMENT
    assert _hook(world, world.standin.completed(b_ref), secret=B_WEBHOOK_SECRET).text == "applied"
    # An invoice the ERP marked paid stays paid; a late expiry changes nothing.
    ref = _pay(world)
    with world.units() as s:
        s.get(m.Invoice, world.inv1.id).status = m.InvoiceStatus.PAID
    expired = world.standin.stripe_event("checkout.session.expired", world.standin.sessions[ref])
    assert _hook(world, expired).text == "closed"
    assert (
        world.fresh(m.Invoice, world.inv1.id).status == m.InvoiceStatus.PAID
        and _count(world, m.Payment, m.Payment.tenant_id == world.a.id) == 0
    )


def test_the_customer_abandons_checkout(world):
    ref = _pay(world)
    expired = world.standin.stripe_event("checkout.session.expired", world.standin.sessions[ref])
    assert _hook(world, expired).text == "closed"
    assert world.fresh(m.Invoice, world.inv1.id).status == m.InvoiceStatus.AWAITING_PAYMENT and not _payments(
        world, world.inv1.id
    )
    assert _pay(world) != ref  # a new checkout


def test_who_may_pay_what(world):
    def error(viewer, ids):
        return checkout.start_checkout(viewer, ids, units=world.units).error

    viewing_as = Viewer(**{**world.pat.__dict__, "read_only": True})
    assert error(viewing_as, [world.inv1.id]) == "payments.error.read_only"
    assert error(world.pat, [world.draft.id]) == "payments.error.not_found"
    assert error(world.pat, [world.inv_b.id]) == "payments.error.not_found"
    assert error(world.pb, [world.inv_b.id, world.inv_b.id]) == ""  # the same invoice once
    assert world.configure(world.a.id, world.boss.id, enabled=True, provider="STRIPE", methods=["card"]) == {}
    assert error(world.pat, [world.inv1.id, world.inv2.id]) == "payments.error.one_at_a_time"
    with Session(world.db.get_bind()) as s:
        assert reads.payable(s, viewing_as, [world.inv1.id]) == {}
    world.configure(world.a.id, world.boss.id, enabled=False, provider="STRIPE", methods=["card"])
    assert error(world.pat, [world.inv1.id]) == "payments.error.off"


def test_provider_down_or_keys_wrong(world):
    world.standin.down = True
    assert checkout.start_checkout(world.pat, [world.inv1.id], units=world.units).error == "payments.unavailable"
    with Session(world.db.get_bind()) as s:
        assert config.payment_config(s, world.a.id).problem == "payments.problem.unreachable"
        assert reads.payable(s, world.pat, [world.inv1.id]) == {world.inv1.id: "pay"}  # it may come back
        assert s.exec(select(m.CheckoutAttempt.status)).all() == [m.CheckoutStatus.FAILED]
    world.standin.down = False
    assert _pay(world)
    with Session(world.db.get_bind()) as s:
        assert config.payment_config(s, world.a.id).problem == ""
    world.standin.keys.discard(STRIPE_KEY)
    assert checkout.start_checkout(world.pat, [world.inv2.id], units=world.units).error == "payments.unavailable"
    with Session(world.db.get_bind()) as s:
        assert config.payment_config(s, world.a.id).problem == "payments.problem.keys_rejected"
        assert reads.payable(s, world.pat, [world.inv2.id]) == {world.inv2.id: "unavailable"}
    assert config.check_connection(world.a.id, world.boss.id, units=world.units) == "payments.problem.keys_rejected"
    world.standin.keys.add(STRIPE_KEY)
    assert config.check_connection(world.a.id, world.boss.id, units=world.units) == ""


def test_mollie_fetches_the_payment_it_is_told_about(world):
    assert (
        world.configure(
            world.a.id,
            world.boss.id,
            enabled=True,
            provider="MOLLIE",
            secret_key=MOLLIE_KEY,
            methods=["ideal", "bizum"],
        )
        == {}
    )
    ref = _pay(world)
    payment = world.standin.payments[ref]
    assert payment["amount"] == {"currency": "EUR", "value": "121.00"} and payment["webhookUrl"].endswith(
        "/payments/mollie/webhook"
    )
    assert _hook(world, f"id={ref}".encode(), provider="mollie", headers={}).text == "ignored"  # still open
    world.standin.pay(ref)
    assert _hook(world, f"id={ref}".encode(), provider="mollie", headers={}).text == "applied"
    assert _hook(world, f"id={ref}".encode(), provider="mollie", headers={}).text == "replayed"
    assert world.fresh(m.Invoice, world.inv1.id).status == m.InvoiceStatus.PAID
    world.standin.mollie_refund(ref, 12100)
    assert _hook(world, f"id={ref}".encode(), provider="mollie", headers={}).text == "replayed,refunded"
    assert world.fresh(m.Invoice, world.inv1.id).status == m.InvoiceStatus.AWAITING_PAYMENT
    assert _hook(world, b"id=tr_unknown1", provider="mollie", headers={}).text == "unknown"
    assert _hook(world, b"id=../../etc", provider="mollie", headers={}).status == 400


def test_concurrent_webhooks_for_one_invoice(world):
    """The same event twice at once, and two checkouts of one invoice completing at once:
    one payment settles it, the replay changes nothing, the other is flagged."""
    one = _pay(world)
    both = _pay(world, ids=[world.inv1.id, world.inv2.id])
    payloads = [
        world.standin.completed(one, event_id="evt_a"),
        world.standin.completed(one, event_id="evt_a"),
        world.standin.completed(both, event_id="evt_b"),
    ]
    barrier, answers = threading.Barrier(3), []

    def deliver(payload):
        barrier.wait()
        answers.append(_hook(world, payload).text)

    threads = [threading.Thread(target=deliver, args=(p,)) for p in payloads]
    for th in threads:
        th.start()
    for th in threads:
        th.join(60)
    assert sorted(answers).count("replayed") == 1 and len(answers) == 3
    payments = _payments(world, world.inv1.id)
    assert sorted(p.status.value for p in payments) == ["CONFIRMED", "DUPLICATE"]
    assert sum(p.settled_invoice for p in payments) == 1
    assert world.fresh(m.Invoice, world.inv1.id).status == m.InvoiceStatus.PAID
    assert world.fresh(m.Invoice, world.inv2.id).status == m.InvoiceStatus.PAID


def test_the_erp_reads_payments_since_a_moment(world):
    ref = _pay(world)
    _hook(world, world.standin.completed(ref))
    with Session(world.db.get_bind()) as s:
        items, cursor = reads.api_payments(s, world.a.id, None, None, 50)
        assert [(i.invoice_number, i.amount_cents, i.status, i.provider) for i in items] == [
            ("INV-1", 12100, "CONFIRMED", "stripe")
        ]
        assert cursor is None
        later, _ = reads.api_payments(s, world.a.id, items[0].updated_at.replace(year=2100), None, 50)
        assert later == [] and reads.api_payments(s, world.b.id, None, None, 50)[0] == []
