"""The integration service: upserts by external id (one row however often), references
by external id within the tenant only, totals from lines, paged lists."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func
from sqlmodel import select

import pool_portal.models as m
from pool_portal.services.core import pricing
from pool_portal.services.data_in import kinds, pushes, reads, upserts
from pool_portal.services.data_in.errors import NotFound, Rejected


@pytest.fixture
def tenants(db):
    a, b = m.Tenant(name="A", slug="a"), m.Tenant(name="B", slug="b")
    db.add_all([a, b])
    db.flush()
    return a.id, b.id


def count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def codes(exc: Rejected) -> dict[str, str]:
    return {e.field: e.code for e in exc.errors}


def test_the_same_upsert_twice_gives_one_row_and_a_change_updates_it(db, tenants):
    a, _ = tenants
    first = upserts.upsert(db, a, "clients", "C-1", {"name": "Costa Azul", "email": "Office@Costa.example"})
    again = upserts.upsert(db, a, "clients", "C-1", {"name": "Costa Azul", "email": "Office@Costa.example"})
    assert first.created and not again.created and first.row.id == again.row.id
    assert count(db, m.Client) == 1
    upserts.upsert(db, a, "clients", "C-1", {"name": "Costa Azul S.L."})
    got = reads.get(db, a, "clients", "C-1")
    # The body is the whole record: the email left out is cleared.
    assert got.model_dump(mode="json") == {
        "external_id": "C-1",
        "name": "Costa Azul S.L.",
        "email": None,
        "phone": None,
        "billing_address": None,
        "is_active": True,
    }


def test_references_are_external_ids_of_the_same_tenant(db, tenants):
    a, b = tenants
    upserts.upsert(db, b, "clients", "B-CLIENT", {"name": "Theirs"})
    with pytest.raises(Rejected) as err:
        upserts.upsert(db, a, "sites", "S-1", {"client_external_id": "B-CLIENT", "name": "Pool"})
    assert codes(err.value) == {"client_external_id": "unknown_reference"}
    assert count(db, m.Site) == 0
    # The same external id in two tenants: two records, each tenant sees its own.
    upserts.upsert(db, a, "clients", "B-CLIENT", {"name": "Ours"})
    site = upserts.upsert(db, a, "sites", "S-1", {"client_external_id": "B-CLIENT", "name": "Pool", "latitude": 38.3})
    assert db.get(m.Client, site.row.client_id).tenant_id == a
    assert reads.get(db, a, "clients", "B-CLIENT").name == "Ours"
    assert reads.get(db, b, "clients", "B-CLIENT").name == "Theirs"
    with pytest.raises(NotFound):
        reads.get(db, b, "sites", "S-1")
    assert reads.get(db, a, "sites", "S-1").client_external_id == "B-CLIENT"


def _site(db, tenant, ext="S-1", client="C-1"):
    upserts.upsert(db, tenant, "clients", client, {"name": "Client"})
    return upserts.upsert(db, tenant, "sites", ext, {"client_external_id": client, "name": f"Pool {ext}"}).row


def test_assets_reports_and_jobs_referred_to_must_be_on_the_same_site(db, tenants):
    a, _ = tenants
    _site(db, a, "S-1")
    _site(db, a, "S-2", client="C-2")
    upserts.upsert(db, a, "assets", "A-1", {"site_external_id": "S-2", "asset_code": "P1", "asset_type": "pump"})
    with pytest.raises(Rejected) as err:
        upserts.upsert(
            db,
            a,
            "remarks",
            "R-1",
            {
                "site_external_id": "S-1",
                "asset_external_id": "A-1",
                "severity": "CRITICAL",
                "title": "Leak",
                "raised_on": "2026-03-01",
            },
        )
    assert codes(err.value) == {"asset_external_id": "other_site"}
    remark = upserts.upsert(
        db,
        a,
        "remarks",
        "R-1",
        {
            "site_external_id": "S-2",
            "asset_external_id": "A-1",
            "severity": "CRITICAL",
            "title": "Leak",
            "raised_on": "2026-03-01",
        },
    )
    assert remark.row.asset_id is not None and remark.row.is_published is False


def test_quote_totals_come_from_the_lines_and_new_lines_replace_the_old(db, tenants):
    a, _ = tenants
    _site(db, a)
    body = {
        "number": "Q-100",
        "site_external_id": "S-1",
        "kind": "DEFECT",
        "status": "AWAITING_ACCEPTANCE",
        "title": "New pump",
        "tax_rate_bp": 2100,
        "lines": [
            {"description": "Pump", "quantity": "1", "unit_price_cents": 45000},
            {"description": "Labour", "quantity": "2.5", "unit_price_cents": 3333},
        ],
    }
    upserts.upsert(db, a, "quotes", "Q-100", body)
    got = reads.get(db, a, "quotes", "Q-100")
    # 2.5 x 33.33 = 83.325 -> 83.33 (half up); subtotal 533.33; 21 % tax 112.00
    assert [ln.total_cents for ln in got.lines] == [45000, 8333]
    assert (got.subtotal_cents, got.tax_cents, got.total_cents) == (53333, 11200, 64533)
    assert got.tax_rate_bp == 2100  # read back as sent, as staff editing shows it
    upserts.upsert(db, a, "quotes", "Q-100", {**body, "lines": body["lines"][:1]})
    got = reads.get(db, a, "quotes", "Q-100")
    assert len(got.lines) == 1 and got.total_cents == 45000 + 9450
    assert count(db, m.QuoteLine) == 1 and count(db, m.Quote) == 1


def test_a_number_of_another_record_is_refused(db, tenants):
    a, b = tenants
    _site(db, a)
    _site(db, b)
    job = {"number": "J-1", "site_external_id": "S-1", "kind": "SERVICE_CALL", "description": "No heat"}
    upserts.upsert(db, a, "jobs", "JOB-1", job)
    upserts.upsert(db, b, "jobs", "JOB-1", job)  # another tenant may use the same number
    with pytest.raises(Rejected) as err:
        upserts.upsert(db, a, "jobs", "JOB-2", job)
    assert codes(err.value) == {"number": "number_taken"}
    upserts.upsert(db, a, "jobs", "JOB-1", {**job, "description": "Still no heat"})  # its own number is fine


def test_a_quote_answered_in_the_portal_keeps_its_answer(db, tenants):
    a, _ = tenants
    _site(db, a)
    body = {
        "number": "Q-1",
        "site_external_id": "S-1",
        "kind": "SERVICE",
        "status": "AWAITING_ACCEPTANCE",
        "title": "Service",
    }
    quote = upserts.upsert(db, a, "quotes", "Q-1", body).row
    quote.status, quote.decided_at, quote.approver_name = (
        m.QuoteStatus.APPROVED,
        datetime(2026, 3, 2, tzinfo=UTC),
        "Ana",
    )
    db.add(quote)
    db.flush()
    with pytest.raises(Rejected) as err:
        upserts.upsert(db, a, "quotes", "Q-1", body)
    assert codes(err.value) == {"status": "answered"} and err.value.status == 409
    assert "Q-1" in err.value.detail and "approved" in err.value.detail
    got = reads.get(db, a, "quotes", "Q-1")
    assert got.status == "APPROVED" and got.approver_name == "Ana"


def test_an_answered_quote_cannot_change_what_the_client_answered(db, tenants):
    """An ERP cannot change the amount (or lines, title, kind, dates, site) of a quote
    the client approved or declined; the same record again is fine and rewrites nothing."""
    a, _ = tenants
    _site(db, a)
    upserts.upsert(db, a, "sites", "S-2", {"client_external_id": "C-1", "name": "Other pool"})
    body = {
        "number": "Q-1",
        "site_external_id": "S-1",
        "kind": "SERVICE",
        "status": "AWAITING_ACCEPTANCE",
        "title": "Service",
        "issued_on": "2026-03-01",
        "expires_on": "2026-04-01",
        "tax_rate_bp": 2100,
        "lines": [{"description": "Pump", "quantity": "2", "unit_price_cents": 10000}],
    }
    quote = upserts.upsert(db, a, "quotes", "Q-1", body).row
    line_ids = db.exec(select(m.QuoteLine.id).where(m.QuoteLine.quote_id == quote.id)).all()
    for answer in (m.QuoteStatus.APPROVED, m.QuoteStatus.DECLINED):
        quote.status, quote.decided_at = answer, datetime(2026, 3, 2, tzinfo=UTC)
        db.add(quote)
        db.flush()
        answered = {**body, "status": answer.value}
        before = reads.get(db, a, "quotes", "Q-1")
        assert before.total_cents == 24200
        for change, field in (
            ({"lines": [{"description": "Pump", "quantity": "2", "unit_price_cents": 90000}]}, "lines"),
            ({"lines": [*body["lines"], {"description": "Extra", "unit_price_cents": 1}]}, "lines"),
            ({"lines": []}, "lines"),
            ({"tax_rate_bp": 0}, "tax_rate_bp"),
            ({"title": "Something else"}, "title"),
            ({"kind": "DEFECT"}, "kind"),
            ({"expires_on": "2026-05-01"}, "expires_on"),
            ({"issued_on": None}, "issued_on"),
            ({"number": "Q-9"}, "number"),
            ({"site_external_id": "S-2"}, "site_external_id"),
        ):
            with pytest.raises(Rejected) as err:
                upserts.upsert(db, a, "quotes", "Q-1", {**answered, **change})
            assert codes(err.value) == {field: "answered"} and err.value.status == 409, change
            assert "Q-1" in err.value.detail
        assert reads.get(db, a, "quotes", "Q-1") == before
        # The same record again: accepted, nothing rewritten (the lines keep their ids).
        again = upserts.upsert(db, a, "quotes", "Q-1", answered)
        assert not again.created and again.row.id == quote.id
        assert db.exec(select(m.QuoteLine.id).where(m.QuoteLine.quote_id == quote.id)).all() == line_ids
        assert reads.get(db, a, "quotes", "Q-1") == before


@pytest.mark.parametrize(
    "kind, good, bad, expected",
    [
        (
            "jobs",
            {"number": "J1", "kind": "ROUTINE", "description": "Weekly", "due_date": "2026-03-09", "tolerance_days": 2},
            {"due_date": None},
            {"due_date": "routine_needs_due_date", "tolerance_days": "tolerance_needs_due_date"},
        ),
        (
            "jobs",
            {"number": "J1", "kind": "SERVICE_CALL", "description": "Call"},
            {"tolerance_days": 3},
            {"tolerance_days": "tolerance_needs_due_date"},
        ),
        (
            "remarks",
            {"severity": "RECOMMENDATION", "title": "Fine", "raised_on": "2026-03-02"},
            {"resolved_on": "2026-03-05"},
            {"resolved_on": "resolved_while_open"},
        ),
        (
            "remarks",
            {
                "severity": "RECOMMENDATION",
                "title": "Fine",
                "raised_on": "2026-03-02",
                "status": "RESOLVED",
                "resolved_on": "2026-03-02",
            },
            {"resolved_on": "2026-03-01"},
            {"resolved_on": "resolved_before_raised"},
        ),
        (
            "quotes",
            {
                "number": "Q1",
                "kind": "SERVICE",
                "title": "Cover",
                "issued_on": "2026-03-02",
                "expires_on": "2026-03-02",
            },
            {"expires_on": "2026-03-01"},
            {"expires_on": "expires_before_issued"},
        ),
        (
            "invoices",
            {"number": "I1", "issued_on": "2026-03-02", "due_on": "2026-03-02"},
            {"due_on": "2026-03-01"},
            {"due_on": "due_before_issued"},
        ),
    ],
)
def test_the_api_refuses_what_staff_editing_refuses_across_fields(db, tenants, kind, good, bad, expected):
    """The same rules as the staff forms (services.record_rules), at the field, with the
    same message; nothing written."""
    from pool_portal.services.core import i18n, record_rules

    a, _ = tenants
    _site(db, a)
    with pytest.raises(Rejected) as err:
        upserts.upsert(db, a, kind, "X-1", {"site_external_id": "S-1", **good, **bad})
    assert codes(err.value) == expected
    assert all(e.message == i18n.t(record_rules.KEYS[e.code]) for e in err.value.errors)
    assert count(db, kinds.KINDS[kind].model) == 0
    assert upserts.upsert(db, a, kind, "X-1", {"site_external_id": "S-1", **good}).created


def test_reports_approved_get_their_date_and_remarks_may_point_at_them(db, tenants):
    a, _ = tenants
    _site(db, a)
    upserts.upsert(
        db,
        a,
        "reports",
        "REP-1",
        {
            "number": "R1",
            "site_external_id": "S-1",
            "title": "Visit",
            "status": "APPROVED",
            "report_date": "2026-03-01",
        },
    )
    assert reads.get(db, a, "reports", "REP-1").approved_at is not None
    upserts.upsert(
        db,
        a,
        "remarks",
        "RM-1",
        {
            "site_external_id": "S-1",
            "report_external_id": "REP-1",
            "severity": "INFORMATION",
            "title": "Fine",
            "raised_on": date(2026, 3, 1),
        },
    )
    assert reads.get(db, a, "remarks", "RM-1").report_external_id == "REP-1"


def test_field_errors_name_the_path_and_nothing_is_written(db, tenants):
    a, _ = tenants
    _site(db, a)
    with pytest.raises(Rejected) as err:
        upserts.upsert(
            db,
            a,
            "invoices",
            "I-1",
            {
                "number": "I1",
                "site_external_id": "S-1",
                "status": "SENT",
                "lines": [{"description": "x", "quantity": 0, "unit_price_cents": 1}],
                "colour": "red",
            },
        )
    assert set(codes(err.value)) == {"status", "lines.0.quantity", "colour"}
    for bad in ({"name": "Nul\x00here"}, {"name": "  "}, {"name": "x" * 201}, {"name": "A", "email": "nope"}):
        with pytest.raises(Rejected):
            upserts.upsert(db, a, "clients", "C-9", bad)
    for bad_id in ("", "has space", "x" * 101, "a/b"):
        with pytest.raises(Rejected) as err:
            upserts.upsert(db, a, "clients", bad_id, {"name": "A"})
        assert codes(err.value) == {"external_id": "external_id"}
    assert count(db, m.Invoice) == 0 and count(db, m.Client) == 1


def test_a_too_large_total_is_refused(db, tenants):
    a, _ = tenants
    _site(db, a)
    lines = [{"description": "Gold", "quantity": "1000000", "unit_price_cents": 100_000_000}]
    with pytest.raises(Rejected) as err:
        upserts.upsert(db, a, "invoices", "I-1", {"number": "I1", "site_external_id": "S-1", "lines": lines})
    assert codes(err.value) == {"lines": "too_large"}


def test_pages_follow_the_cursor_in_a_stable_order_within_the_tenant(db, tenants):
    a, b = tenants
    for n in range(5):
        upserts.upsert(db, a, "clients", f"C-{n}", {"name": f"Client {n}"})
    upserts.upsert(db, b, "clients", "B-1", {"name": "Not yours"})
    seen, cursor = [], None
    while True:
        result = reads.page(db, a, "clients", cursor, limit=2)
        seen += [c.external_id for c in result.items]
        cursor = result.next_cursor
        if cursor is None:
            break
    assert seen == [f"C-{n}" for n in range(5)]
    with pytest.raises(Rejected) as err:
        reads.page(db, a, "clients", "not-a-cursor")
    assert codes(err.value) == {"cursor": "invalid_cursor"}


def test_an_invoice_pdf_is_stored_privately_and_replaced(db, tenants, isolated_settings):
    a, b = tenants
    _site(db, a)
    upserts.upsert(
        db,
        a,
        "invoices",
        "I-1",
        {
            "number": "I1",
            "site_external_id": "S-1",
            "status": "AWAITING_PAYMENT",
            "lines": [{"description": "Service", "unit_price_cents": 9900}],
        },
    )
    with pytest.raises(Rejected):
        pushes.attach_invoice_pdf(db, a, "I-1", b"<html>not a pdf</html>")
    with pytest.raises(NotFound):
        pushes.attach_invoice_pdf(db, b, "I-1", b"%PDF-1.4 theirs")
    invoice, old = pushes.attach_invoice_pdf(db, a, "I-1", b"%PDF-1.4 first", "erp invoice.pdf")
    assert old is None and reads.get(db, a, "invoices", "I-1").has_pdf is True
    doc = db.get(m.Document, invoice.pdf_document_id)
    assert doc.is_published is False and doc.filename == "erp-invoice.pdf"
    assert (isolated_settings / "files" / doc.storage_key).read_bytes() == b"%PDF-1.4 first"
    _, old = pushes.attach_invoice_pdf(db, a, "I-1", b"%PDF-1.4 second")
    assert old is not None and old != db.get(m.Document, invoice.pdf_document_id).storage_key
    assert count(db, m.Document) == 1


def test_line_totals_round_half_up():
    assert pricing.line_total(Decimal("0.5"), 1) == 1
    assert pricing.line_total(Decimal("1.005"), 100) == 101
    assert upserts.totals([(Decimal(1), 1000)], 2100)[:3] == (1000, 210, 1210)


def test_a_dry_run_checks_everything_and_writes_nothing(db, tenants):
    a, _ = tenants
    _site(db, a)
    new = upserts.upsert(
        db, a, "assets", "A-1", {"site_external_id": "S-1", "asset_code": "P1", "asset_type": "pump"}, dry_run=True
    )
    assert new.created and new.row is None and count(db, m.Asset) == 0
    with pytest.raises(Rejected):
        upserts.upsert(
            db, a, "assets", "A-1", {"site_external_id": "S-9", "asset_code": "P1", "asset_type": "pump"}, dry_run=True
        )
    upserts.upsert(db, a, "assets", "A-1", {"site_external_id": "S-1", "asset_code": "P1", "asset_type": "pump"})
    again = upserts.upsert(
        db, a, "assets", "A-1", {"site_external_id": "S-1", "asset_code": "P2", "asset_type": "pump"}, dry_run=True
    )
    assert not again.created and db.get(m.Asset, again.row.id).asset_code == "P1"


def test_a_push_that_shows_a_document_tells_the_client_once(db, tenants, isolated_settings, monkeypatch):
    """A quote pushed as awaiting acceptance (or an invoice issued, a report approved)
    notifies the client's contacts in the portal and by mail, as staff editing does;
    pushing the same record again, or a draft, tells nobody."""
    from email import message_from_bytes, policy
    from functools import partial

    from pool_portal.db import make_engine, session_scope
    from pool_portal.services.infra import mail

    a, _ = tenants
    site = _site(db, a)
    pat = m.PortalUser(tenant_id=a, email="pat@client.test", name="Pat", language="en")
    db.add(pat)
    db.flush()
    db.add(m.Membership(tenant_id=a, portal_user_id=pat.id, client_id=site.client_id))
    db.commit()
    engine = make_engine(db.get_bind().url.render_as_string(hide_password=False))
    factory = partial(session_scope, engine)
    quote = {
        "number": "Q-1",
        "site_external_id": "S-1",
        "kind": "SERVICE",
        "title": "Plan",
        "lines": [{"description": "Labour", "quantity": 1, "unit_price_cents": 1000}],
    }

    def notes():
        db.expire_all()
        return db.exec(select(m.Notification.kind).where(m.Notification.portal_user_id == pat.id)).all()

    pushes.save(factory, a, "quotes", "Q-1", kinds.parse("quotes", {**quote, "status": "DRAFT"}))
    assert notes() == []
    for _ in range(2):
        pushes.save(factory, a, "quotes", "Q-1", kinds.parse("quotes", {**quote, "status": "AWAITING_ACCEPTANCE"}))
    pushes.save(
        factory,
        a,
        "invoices",
        "I-1",
        kinds.parse(
            "invoices",
            {
                "number": "I-1",
                "site_external_id": "S-1",
                "status": "AWAITING_PAYMENT",
                "issued_on": "2026-03-01",
                "lines": [{"description": "Labour", "quantity": 1, "unit_price_cents": 1000}],
            },
        ),
    )
    assert sorted(notes()) == sorted([m.NotificationKind.QUOTE_SENT, m.NotificationKind.INVOICE_ISSUED])
    mail.wait_idle(30)
    sent = [
        message_from_bytes(p.read_bytes(), policy=policy.default)
        for p in sorted((isolated_settings / "outbox").glob("*.eml"))
    ]
    assert sorted(msg["To"] for msg in sent) == ["pat@client.test", "pat@client.test"]
    assert any("Q-1" in msg["Subject"] for msg in sent) and any("I-1" in msg["Subject"] for msg in sent)
    engine.dispose()
