"""Staff editing, without Reflex: sites, assets, jobs and visits, remarks (bulk publish),
shared documents, reports, quotes and invoices with their lines, status changes and
the notifications they send. Each test runs on SQLite and on PostgreSQL (``db``)."""

from __future__ import annotations

from datetime import UTC, date, datetime
from decimal import Decimal
from email import message_from_bytes, policy
from pathlib import Path

import pytest
from sqlalchemy import func
from sqlmodel import select

import pool_portal.models as m
from pool_portal.presentation import staff_data as view
from pool_portal.presentation import staff_lists as list_view
from pool_portal.services.core import uow
from pool_portal.services.core.scope import Viewer, portal_client_ids
from pool_portal.services.infra import mail
from pool_portal.services.portal import quotes as portal_quotes
from pool_portal.services.staff import (
    billing,
    documents,
    invoices,
    jobs,
    list_queries,
    quotes,
    reports,
    site_records,
    sites,
)
from pool_portal.services.staff import lists as staff_lists

NOW = datetime(2026, 6, 10, 10, 0, tzinfo=UTC)
TODAY = date(2026, 6, 10)
PDF = b"%PDF-1.4\n1 0 obj << >> endobj\ntrailer << >>\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(db, isolated_settings, monkeypatch):
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://portal.example.com")
    from pool_portal import settings as settingsmod

    settingsmod.get_settings.cache_clear()
    a, b = m.Tenant(name="A Pools", slug="a"), m.Tenant(name="B Pools", slug="b")
    db.add_all([a, b])
    db.flush()
    db.add_all([m.PortalSettings(tenant_id=a.id), m.PortalSettings(tenant_id=b.id)])
    c1, c2 = m.Client(tenant_id=a.id, name="Acme Hotels"), m.Client(tenant_id=a.id, name="Beach Club")
    cb = m.Client(tenant_id=b.id, name="B Client")
    db.add_all([c1, c2, cb])
    db.flush()
    national = m.ClientGroup(tenant_id=a.id, name="National")
    db.add(national)
    db.flush()
    regional = m.ClientGroup(tenant_id=a.id, name="Regional", parent_id=national.id)
    db.add(regional)
    db.flush()
    db.add(m.ClientGroupMember(tenant_id=a.id, group_id=regional.id, client_id=c1.id))
    s1 = m.Site(tenant_id=a.id, client_id=c1.id, name="Acme main pool")
    s2 = m.Site(tenant_id=a.id, client_id=c2.id, name="Beach pool")
    sb = m.Site(tenant_id=b.id, client_id=cb.id, name="B pool")
    db.add_all([s1, s2, sb])
    boss = m.StaffUser(tenant_id=a.id, email="boss@a.test", name="Boss", role=m.StaffRole.ADMIN)
    office = m.StaffUser(tenant_id=a.id, email="office@a.test", name="Olga", role=m.StaffRole.OFFICE)
    tech = m.StaffUser(tenant_id=a.id, email="tech@a.test", name="Tomás", role=m.StaffRole.TECHNICIAN)
    tech2 = m.StaffUser(tenant_id=a.id, email="tech2@a.test", name="Irene", role=m.StaffRole.TECHNICIAN)
    gone = m.StaffUser(tenant_id=a.id, email="gone@a.test", name="Gone", role=m.StaffRole.TECHNICIAN, is_active=False)
    b_admin = m.StaffUser(tenant_id=b.id, email="boss@b.test", name="B Boss", role=m.StaffRole.ADMIN)
    db.add_all([boss, office, tech, tech2, gone, b_admin])
    # Contacts of Acme: Pat directly (Spanish, wants quote mails), Quinn through the national
    # group (no quote mails), an inactive contact, one whose membership was switched off;
    # Ivy is Beach Club's; PB is tenant B's.
    pat = m.PortalUser(tenant_id=a.id, email="pat@acme.test", name="Pat", language="es", notify_on_invoice=False)
    quinn = m.PortalUser(tenant_id=a.id, email="quinn@acme.test", name="Quinn", notify_on_quote=False)
    old = m.PortalUser(tenant_id=a.id, email="old@acme.test", name="Old", is_active=False)
    cut = m.PortalUser(tenant_id=a.id, email="cut@acme.test", name="Cut")
    ivy = m.PortalUser(tenant_id=a.id, email="ivy@beach.test", name="Ivy")
    pb = m.PortalUser(tenant_id=b.id, email="pb@b.test", name="PB")
    db.add_all([pat, quinn, old, cut, ivy, pb])
    db.flush()
    db.add_all(
        [
            m.Membership(tenant_id=a.id, portal_user_id=pat.id, client_id=c1.id),
            m.Membership(tenant_id=a.id, portal_user_id=quinn.id, group_id=national.id),
            m.Membership(tenant_id=a.id, portal_user_id=old.id, client_id=c1.id),
            m.Membership(tenant_id=a.id, portal_user_id=cut.id, client_id=c1.id, is_active=False),
            m.Membership(tenant_id=a.id, portal_user_id=ivy.id, client_id=c2.id),
            m.Membership(tenant_id=b.id, portal_user_id=pb.id, client_id=cb.id),
        ]
    )
    db.commit()
    yield dict(
        a=a,
        b=b,
        c1=c1,
        c2=c2,
        cb=cb,
        s1=s1,
        s2=s2,
        sb=sb,
        boss=boss,
        office=office,
        tech=tech,
        tech2=tech2,
        gone=gone,
        b_admin=b_admin,
        pat=pat,
        quinn=quinn,
        old=old,
        cut=cut,
        ivy=ivy,
        pb=pb,
    )
    mail.wait_idle(30)
    settingsmod.get_settings.cache_clear()


def _commit(db) -> None:
    """Commit as the unit of work does (``db.session_scope``): then run its after-commit effects."""
    db.commit()
    uow.committed(db)


def _count(db, model) -> int:
    return db.exec(select(func.count()).select_from(model)).one()


def _events(db, action):
    return db.exec(select(m.AuditEvent).where(m.AuditEvent.action == action)).all()


def _outbox(data_dir: Path) -> list:
    mail.wait_idle(30)
    folder = data_dir / "outbox"
    return [message_from_bytes(p.read_bytes(), policy=policy.default) for p in sorted(folder.glob("*.eml"))]


def _lines(*rows):
    return [{"description": d, "quantity": q, "unit_price": p} for d, q, p in rows]


def _quote(db, w, *rows, site="s1", staff="boss", **fields):
    data = {"kind": "SERVICE", "title": "Annual plan", "tax_rate": "21", **fields}
    quote_id, errors = quotes.save_quote(
        db, w["a"].id, w[staff].id, None, w[site].id, data, _lines(*rows) if rows else _lines(("Labour", "2", "12.50"))
    )
    assert errors == {}
    db.commit()
    return db.get(m.Quote, quote_id)


def _portal_viewer(db, user) -> Viewer:
    return Viewer(
        kind="portal",
        tenant_id=user.tenant_id,
        user_id=user.id,
        session_id=0,
        name=user.name,
        email=user.email,
        client_ids=frozenset(portal_client_ids(db, user.tenant_id, user.id)),
    )


# -- totals --------------------------------------------------------------------------------------------
def test_totals_come_from_the_lines_in_integer_cents_rounded_half_up(db, world):
    assert billing.line_total(Decimal("1.5"), 1001) == 1502  # 1501.5 -> 1502
    assert billing.totals([2500, 1502], 2100) == (4002, 840, 4842)  # 840.42 -> 840
    assert billing.totals([50], 1000) == (50, 5, 55)
    assert billing.totals([5], 1000) == (5, 1, 6)  # 0.5 -> 1

    # Typed totals are ignored: they follow from the lines.
    quote = _quote(db, world, ("Labour", "2", "12.50"), ("Chlorine", "1,5", "10.01"), total_cents="1")
    assert (quote.subtotal_cents, quote.tax_rate_bp, quote.tax_cents, quote.total_cents) == (4002, 2100, 840, 4842)
    lines = billing.lines_of(db, quote)
    assert [(ln.description, ln.total_cents, ln.position) for ln in lines] == [
        ("Labour", 2500, 0),
        ("Chlorine", 1502, 1),
    ]
    assert quote.status == m.QuoteStatus.DRAFT and quote.number.startswith("Q-")


def test_editing_a_draft_replaces_its_lines_and_recomputes(db, world):
    quote = _quote(db, world, ("Labour", "2", "12.50"), ("Parts", "1", "99.00"))
    first, second = billing.lines_of(db, quote)
    other = _quote(db, world, ("Other line", "1", "5.00"))
    foreign_line = billing.lines_of(db, other)[0]
    rows = [
        {"id": str(second.id), "description": "Parts (pump seal)", "quantity": "1", "unit_price": "120"},
        {"id": str(foreign_line.id), "description": "New line", "quantity": "3", "unit_price": "1.10"},
        {"description": "", "quantity": "", "unit_price": ""},
    ]  # an empty row is skipped
    _, errors = quotes.save_quote(
        db,
        world["a"].id,
        world["office"].id,
        quote.id,
        None,
        {"kind": "SERVICE", "title": "Annual plan", "tax_rate": "10"},
        rows,
    )
    assert errors == {}
    db.commit()
    db.refresh(quote)
    lines = billing.lines_of(db, quote)
    assert [(ln.description, ln.total_cents) for ln in lines] == [("Parts (pump seal)", 12000), ("New line", 330)]
    assert lines[0].id == second.id and first.id not in {ln.id for ln in lines}
    assert (quote.subtotal_cents, quote.tax_cents, quote.total_cents) == (12330, 1233, 13563)
    # Another quote's line id was not taken over: that quote is untouched.
    db.refresh(foreign_line)
    assert foreign_line.quote_id == other.id and foreign_line.description == "Other line"


def test_a_bad_line_or_field_writes_nothing(db, world):
    before = (_count(db, m.Quote), _count(db, m.QuoteLine), len(_events(db, "quote.created")))
    rows = _lines(
        ("Labour", "2", "12.50"), ("", "1", "5"), ("Parts", "0", "5"), ("Parts", "1", "12.345"), ("Parts", "x", "-3")
    )
    quote_id, errors = quotes.save_quote(
        db,
        world["a"].id,
        world["boss"].id,
        None,
        world["s1"].id,
        {"kind": "NOPE", "title": "", "tax_rate": "150", "issued_on": "2026-06-10", "expires_on": "2026-06-01"},
        rows,
    )
    db.commit()
    assert quote_id is None
    assert errors == {
        "kind": "data.error.choice",
        "title": "data.error.required",
        "tax_rate": "data.error.percent",
        "expires_on": "data.error.expires_before",
        "line.1.description": "data.error.required",
        "line.2.quantity": "data.error.quantity",
        "line.3.unit_price": "data.error.money",
        "line.4.quantity": "data.error.quantity",
        "line.4.unit_price": "data.error.money",
    }
    assert (_count(db, m.Quote), _count(db, m.QuoteLine), len(_events(db, "quote.created"))) == before


def test_a_number_is_unique_in_the_tenant_only(db, world):
    quote = _quote(db, world, number="Q-2026-1")
    _, errors = quotes.save_quote(
        db,
        world["a"].id,
        world["boss"].id,
        None,
        world["s1"].id,
        {"kind": "DEFECT", "title": "Other", "number": "Q-2026-1"},
        [],
    )
    assert errors == {"number": "data.error.number_taken"}
    # Tenant B may use the same number.
    b_id, errors = quotes.save_quote(
        db,
        world["b"].id,
        world["b_admin"].id,
        None,
        world["sb"].id,
        {"kind": "DEFECT", "title": "B's", "number": "Q-2026-1"},
        [],
    )
    assert errors == {} and b_id != quote.id


# -- status changes ----------------------------------------------------------------------------------
def test_quote_send_and_expire_allowed_and_refused(db, world):
    t, boss = world["a"].id, world["boss"].id
    empty = _quote(db, world)
    quotes.save_quote(db, t, boss, empty.id, None, {"kind": "SERVICE", "title": "Empty"}, [])
    assert quotes.send_quote(db, t, boss, empty.id, now=NOW) == {"form": "data.error.no_lines"}
    assert quotes.expire_quote(db, t, boss, empty.id) == {"form": "data.error.transition"}

    quote = _quote(db, world)
    errors = quotes.send_quote(db, t, boss, quote.id, now=NOW)
    db.commit()
    assert errors == {}
    db.refresh(quote)
    assert quote.status == m.QuoteStatus.AWAITING_ACCEPTANCE
    assert (quote.issued_on, quote.expires_on) == (TODAY, date(2026, 7, 10))
    assert quotes.send_quote(db, t, boss, quote.id, now=NOW) == {"form": "data.error.transition"}
    # A sent quote is what the client saw: header and lines no longer change.
    assert quotes.save_quote(
        db, t, boss, quote.id, None, {"kind": "SERVICE", "title": "Changed"}, _lines(("Labour", "1", "1"))
    )[1] == {"form": "data.error.not_draft"}
    assert quotes.expire_quote(db, t, boss, quote.id) == {}
    db.commit()
    db.refresh(quote)
    assert quote.status == m.QuoteStatus.EXPIRED and quote.title == "Annual plan"
    assert quotes.expire_quote(db, t, boss, quote.id) == {"form": "data.error.transition"}

    late = _quote(db, world, expires_on="2026-06-01", issued_on="2026-05-01")
    assert quotes.send_quote(db, t, boss, late.id, now=NOW) == {"expires_on": "data.error.already_expired"}
    assert [e.target_id for e in _events(db, "quote.sent")] == [str(quote.id)]


def test_invoice_issue_pay_and_void(db, world):
    t, boss = world["a"].id, world["boss"].id
    inv_id, errors = invoices.save_invoice(
        db, t, boss, None, world["s1"].id, {"tax_rate": "21", "customer_po": "PO-7"}, _lines(("Visit", "1", "80"))
    )
    assert errors == {}
    db.commit()
    invoice = db.get(m.Invoice, inv_id)
    assert (invoice.status, invoice.total_cents) == (m.InvoiceStatus.DRAFT, 9680)
    assert invoices.mark_paid(db, t, boss, inv_id, "2026-06-10") == {"form": "data.error.transition"}
    errors = invoices.issue_invoice(db, t, boss, inv_id, now=NOW)
    db.commit()
    db.refresh(invoice)
    assert errors == {} and invoice.status == m.InvoiceStatus.AWAITING_PAYMENT
    assert (invoice.issued_on, invoice.due_on) == (TODAY, date(2026, 7, 10))
    assert invoices.issue_invoice(db, t, boss, inv_id, now=NOW) == {"form": "data.error.transition"}
    assert invoices.mark_paid(db, t, boss, inv_id, "2026-05-01") == {"paid_on": "data.error.paid_before"}
    assert invoices.mark_paid(db, t, boss, inv_id, "10/06/2026") == {"paid_on": "data.error.date"}
    assert invoices.mark_paid(db, t, boss, inv_id, "2026-06-12") == {}
    db.commit()
    db.refresh(invoice)
    assert (invoice.status, invoice.paid_on) == (m.InvoiceStatus.PAID, date(2026, 6, 12))
    assert invoices.void_invoice(db, t, boss, inv_id) == {"form": "data.error.transition"}  # paid stays paid

    draft_id, _ = invoices.save_invoice(db, t, boss, None, world["s1"].id, {}, [])
    assert invoices.issue_invoice(db, t, boss, draft_id, now=NOW) == {"form": "data.error.no_lines"}
    assert invoices.void_invoice(db, t, boss, draft_id) == {}
    db.commit()
    assert db.get(m.Invoice, draft_id).status == m.InvoiceStatus.VOID


def test_report_approval_once(db, world):
    t, office = world["a"].id, world["office"].id
    report_id, errors = reports.save_report(
        db, t, office, None, world["s1"].id, {"title": "Annual inspection"}, now=NOW
    )
    assert errors == {}
    db.commit()
    report = db.get(m.Report, report_id)
    assert (report.status, report.report_date, report.number[:2]) == (m.ReportStatus.DRAFT, TODAY, "R-")
    errors = reports.approve_report(db, t, office, report_id, now=NOW)
    db.commit()
    db.refresh(report)
    assert errors == {} and report.status == m.ReportStatus.APPROVED and report.approved_at is not None
    assert reports.approve_report(db, t, office, report_id, now=NOW) == {"form": "data.error.transition"}
    assert reports.save_report(db, t, office, report_id, None, {"title": "Changed"})[1] == {
        "form": "data.error.not_draft"
    }


# -- another tenant, roles -----------------------------------------------------------------------------
def test_another_tenants_ids_are_not_found_and_change_nothing(db, world):
    a, b = world["a"].id, world["b"].id
    foreign_quote = quotes.save_quote(
        db, b, world["b_admin"].id, None, world["sb"].id, {"kind": "DEFECT", "title": "B's"}, _lines(("x", "1", "1"))
    )[0]
    b_asset = site_records.save_asset(
        db, b, world["b_admin"].id, None, world["sb"].id, {"asset_code": "B-1", "asset_type": "Pump"}
    )[0]
    db.commit()
    boss = world["boss"].id
    assert quotes.save_quote(db, a, boss, foreign_quote, None, {"kind": "DEFECT", "title": "Mine"}, [])[1] == {
        "form": "data.error.not_found"
    }
    assert quotes.send_quote(db, a, boss, foreign_quote, now=NOW) == {"form": "data.error.not_found"}
    assert quotes.quote_page(db, a, boss, foreign_quote) is None
    assert quotes.save_quote(db, a, boss, None, world["sb"].id, {"kind": "DEFECT", "title": "Into B"}, [])[1] == {
        "form": "data.error.not_found"
    }
    assert invoices.save_invoice(db, a, boss, None, world["sb"].id, {}, [])[1] == {"form": "data.error.not_found"}
    assert sites.save_site(db, a, boss, world["sb"].id, {"name": "Mine", "client_id": world["c1"].id})[1] == {
        "form": "data.error.not_found"
    }
    assert sites.save_site(db, a, boss, None, {"name": "New", "client_id": world["cb"].id})[1] == {
        "client_id": "data.error.client"
    }
    assert site_records.save_asset(db, a, boss, b_asset, None, {"asset_code": "X", "asset_type": "Pump"})[1] == {
        "form": "data.error.not_found"
    }
    # B's asset on A's site; B's staff as technician.
    _, errors = jobs.save_job(
        db,
        a,
        boss,
        None,
        world["s1"].id,
        {
            "kind": "SERVICE_CALL",
            "stage": "READY",
            "description": "Check",
            "asset_id": str(b_asset),
            "technician_id": str(world["b_admin"].id),
        },
    )
    assert errors == {"asset_id": "data.error.asset", "technician_id": "data.error.technician"}
    assert site_records.set_remark_published(db, a, boss, 10**6, True) == "data.error.not_found"
    assert documents.upload_document(db, a, boss, world["sb"].id, "x", True, ("a.pdf", PDF))[1] == {
        "form": "data.error.not_found"
    }
    db.commit()
    quote = db.get(m.Quote, foreign_quote)
    assert quote.title == "B's" and quote.status == m.QuoteStatus.DRAFT
    assert db.get(m.Site, world["sb"].id).name == "B pool"
    assert db.exec(select(m.Quote).where(m.Quote.site_id == world["sb"].id)).all() == [quote]
    # And B's rows never show in A's lists.
    for kind in ("sites", "quotes", "invoices", "jobs", "remarks", "reports", "visits"):
        page = staff_lists.fetch(db, a, boss, kind, {})
        assert all(getattr(r, "site", None) != "B pool" and getattr(r, "name", None) != "B pool" for r in page.rows), (
            kind
        )


def test_roles_technicians_cannot_edit_data(db, world):
    t = world["a"].id
    with pytest.raises(PermissionError):
        sites.save_site(db, t, world["tech"].id, None, {"name": "X", "client_id": world["c1"].id})
    with pytest.raises(PermissionError):
        quotes.send_quote(db, t, world["tech"].id, 1)
    with pytest.raises(PermissionError):
        staff_lists.fetch(db, t, world["tech"].id, "quotes", {})
    with pytest.raises(PermissionError):  # another tenant's admin acting in A
        sites.save_site(db, t, world["b_admin"].id, None, {"name": "X", "client_id": world["c1"].id})
    assert sites.save_site(db, t, world["office"].id, None, {"name": "Office's", "client_id": world["c1"].id})[1] == {}


# -- sites, assets, jobs, visits -----------------------------------------------------------------------
def test_site_validation_and_audit(db, world):
    t, boss, c1 = world["a"].id, world["boss"].id, str(world["c1"].id)
    before = _count(db, m.Site)
    _, errors = sites.save_site(
        db, t, boss, None, {"name": " ", "client_id": c1, "latitude": "91", "longitude": "-0.48"}
    )
    assert errors == {"name": "data.error.required", "latitude": "data.error.latitude"}
    _, errors = sites.save_site(db, t, boss, None, {"name": "Pool", "client_id": c1, "longitude": "-181"})
    assert errors == {"longitude": "data.error.longitude"}
    _, errors = sites.save_site(db, t, boss, None, {"name": "Pool", "client_id": c1, "longitude": "-0.48"})
    assert errors == {"latitude": "data.error.coords_pair"}
    _, errors = sites.save_site(
        db, t, boss, None, {"name": "Pool", "client_id": "", "latitude": "abc", "longitude": "1"}
    )
    assert errors == {"client_id": "data.error.client", "latitude": "data.error.latitude"}
    assert _count(db, m.Site) == before
    site_id, errors = sites.save_site(
        db,
        t,
        boss,
        None,
        {
            "name": "  Costa   pool ",
            "client_id": c1,
            "latitude": "38,35",
            "longitude": "-0.48",
            "address": "Calle Sol 1",
        },
    )
    db.commit()
    site = db.get(m.Site, site_id)
    assert errors == {} and (site.name, site.latitude, site.longitude, site.is_active) == (
        "Costa pool",
        38.35,
        -0.48,
        True,
    )
    _, errors = sites.save_site(
        db, t, boss, site_id, {**view.values(sites.site_form(site)), "latitude": "", "longitude": "", "is_active": ""}
    )
    db.commit()
    db.refresh(site)
    assert errors == {} and site.latitude is None and site.is_active is False
    assert [e.target_id for e in _events(db, "site.created")] == [str(site_id)]
    assert "latitude" in _events(db, "site.updated")[0].detail


def test_assets_jobs_and_their_rules(db, world):
    t, boss, s1 = world["a"].id, world["boss"].id, world["s1"].id
    _, errors = site_records.save_asset(
        db, t, boss, None, s1, {"asset_code": "", "asset_type": "Pump", "last_test_date": "2026-13-01"}
    )
    assert errors == {"asset_code": "data.error.required", "last_test_date": "data.error.date"}
    asset_id, errors = site_records.save_asset(
        db,
        t,
        boss,
        None,
        s1,
        {
            "asset_code": "AQ-1",
            "asset_type": "Pump",
            "model": "SuperFlo",
            "serial_number": "SN1",
            "customer_ref": "R1",
            "description": "Main pump",
            "last_test_number": "T1",
            "last_test_date": "2026-05-01",
            "next_service_due": "2027-05-01",
        },
    )
    assert errors == {}
    other_site_asset, _ = site_records.save_asset(
        db, t, boss, None, world["s2"].id, {"asset_code": "B", "asset_type": "Pump"}
    )
    asset = db.get(m.Asset, asset_id)
    assert (asset.next_service_due, asset.last_test_number, asset.site_id) == (date(2027, 5, 1), "T1", s1)

    base = {"kind": "ROUTINE", "stage": "READY", "description": "Monthly maintenance"}
    _, errors = jobs.save_job(db, t, boss, None, s1, {**base, "tolerance_days": "400"})
    assert errors == {"due_date": "data.error.routine_due", "tolerance_days": "data.error.tolerance"}
    _, errors = jobs.save_job(db, t, boss, None, s1, {**base, "kind": "SERVICE_CALL", "tolerance_days": "3"})
    assert errors == {"tolerance_days": "data.error.tolerance_needs_due"}
    _, errors = jobs.save_job(
        db,
        t,
        boss,
        None,
        s1,
        {**base, "due_date": "2026-07-15", "technician_id": str(world["gone"].id), "asset_id": str(other_site_asset)},
    )
    assert errors == {"technician_id": "data.error.technician", "asset_id": "data.error.asset"}
    job_id, errors = jobs.save_job(
        db,
        t,
        boss,
        None,
        s1,
        {
            **base,
            "due_date": "2026-07-15",
            "tolerance_days": "5",
            "scheduled_date": "2026-07-14",
            "technician_id": str(world["tech"].id),
            "asset_id": str(asset_id),
            "customer_po": "PO-1",
            "notes": "Gate code 1234",
        },
    )
    assert errors == {}
    db.commit()
    job = db.get(m.Job, job_id)
    assert (job.kind, job.tolerance_days, job.technician_id, job.customer_po) == (
        m.JobKind.ROUTINE,
        5,
        world["tech"].id,
        "PO-1",
    )
    assert job.number.startswith("J-")


def test_technicians_update_only_their_own_visits_status_and_notes(db, world):
    t, boss, tech, tech2 = world["a"].id, world["boss"].id, world["tech"], world["tech2"]
    job_id, _ = jobs.save_job(
        db, t, boss, None, world["s1"].id, {"kind": "SERVICE_CALL", "stage": "READY", "description": "Noisy pump"}
    )
    _, errors = jobs.save_visit(db, t, boss, None, job_id, {"status": "SCHEDULED", "technician_id": str(tech.id)})
    assert errors == {"date": "data.error.visit_date"}
    visit_id, errors = jobs.save_visit(
        db,
        t,
        boss,
        None,
        job_id,
        {
            "status": "SCHEDULED",
            "date": "2026-06-20",
            "time": "14:30",
            "technician_id": str(tech.id),
            "notes": "Call first",
        },
    )
    assert errors == {}
    db.commit()
    visit = db.get(m.Visit, visit_id)
    assert visit.scheduled_for.replace(tzinfo=UTC) == datetime(2026, 6, 20, 14, 30, tzinfo=UTC)
    assert visit.site_id == world["s1"].id

    # The assigned technician records the outcome; reassigning or moving is not theirs to do.
    assert jobs.save_visit(
        db,
        t,
        tech.id,
        visit_id,
        None,
        {"status": "DONE", "notes": "Replaced the seal", "technician_id": str(tech2.id), "date": "2030-01-01"},
    ) == (visit_id, {})
    db.commit()
    db.refresh(visit)
    assert (visit.status, visit.notes, visit.technician_id) == (m.VisitStatus.DONE, "Replaced the seal", tech.id)
    assert visit.scheduled_for.replace(tzinfo=UTC) == datetime(2026, 6, 20, 14, 30, tzinfo=UTC)
    # Another technician's visit does not exist for them; they cannot create visits.
    assert jobs.save_visit(db, t, tech2.id, visit_id, None, {"status": "CANCELLED"}) == (
        None,
        {"form": "data.error.not_found"},
    )
    assert jobs.save_visit(db, t, tech2.id, None, job_id, {"status": "PENDING"})[1] == {"form": "data.error.own_visits"}
    assert staff_lists.fetch(db, t, tech2.id, "visits", {}).total == 0
    mine = staff_lists.fetch(db, t, tech.id, "visits", {"technician": str(tech2.id)})  # the filter cannot widen it
    assert [r.id for r in mine.rows] == [visit_id]
    assert staff_lists.fetch(db, t, boss, "visits", {"technician": str(tech2.id)}).total == 0


# -- remarks -------------------------------------------------------------------------------------------
def test_remark_dates_and_publishing(db, world):
    t, boss, s1 = world["a"].id, world["boss"].id, world["s1"].id
    base = {"severity": "CRITICAL", "status": "RESOLVED", "title": "Drain cover cracked", "raised_on": "2026-06-01"}
    _, errors = site_records.save_remark(db, t, boss, None, s1, {**base, "resolved_on": "2026-05-01"}, now=NOW)
    assert errors == {"resolved_on": "data.error.resolved_before"}
    _, errors = site_records.save_remark(
        db, t, boss, None, s1, {**base, "status": "OPEN", "resolved_on": "2026-06-05"}, now=NOW
    )
    assert errors == {"resolved_on": "data.error.resolved_open"}
    remark_id, errors = site_records.save_remark(db, t, boss, None, s1, base, now=NOW)
    assert errors == {}
    remark = db.get(m.Remark, remark_id)
    assert (remark.resolved_on, remark.is_published) == (TODAY, False)
    assert site_records.set_remark_published(db, t, boss, remark_id, True) is None
    db.commit()
    assert db.get(m.Remark, remark_id).is_published and len(_events(db, "remark.published")) == 1


def test_bulk_publish_acts_on_exactly_the_filtered_list_of_the_tenant(db, world):
    t, boss = world["a"].id, world["boss"].id

    def remark(site, severity, title, published=False, tenant=t, staff=boss):
        rid, errors = site_records.save_remark(
            db,
            tenant,
            staff,
            None,
            site.id,
            {
                "severity": severity,
                "status": "OPEN",
                "title": title,
                "raised_on": "2026-06-01",
                "is_published": "on" if published else "",
            },
            now=NOW,
        )
        assert errors == {}
        return rid

    crit_pump = remark(world["s1"], "CRITICAL", "Pump overheating")
    crit_other = remark(world["s2"], "CRITICAL", "Exposed wiring")
    crit_done = remark(world["s1"], "CRITICAL", "Pump seal", published=True)
    info = remark(world["s1"], "INFORMATION", "Pump serviced")
    b_crit = remark(world["sb"], "CRITICAL", "B pump", tenant=world["b"].id, staff=world["b_admin"].id)
    db.commit()

    params = {"severity": "CRITICAL", "q": "pump"}
    shown = staff_lists.fetch(db, t, boss, "remarks", params)
    assert {r.id for r in shown.rows} == {crit_pump, crit_done}
    assert site_records.bulk_publish(db, t, boss, params, True) == 1  # the one not yet published
    db.commit()
    published = {r.id for r in db.exec(select(m.Remark).where(m.Remark.is_published == True)).all()}
    assert published == {crit_pump, crit_done}
    assert crit_other not in published and info not in published and b_crit not in published
    event = _events(db, "remark.bulk_published")[0]
    assert '"count": 1' in event.detail and "CRITICAL" in event.detail

    # Unpublish every published remark of a site: B's and the other site's stay as they were.
    assert site_records.bulk_publish(db, t, boss, {"site": str(world["s1"].id), "published": "yes"}, False) == 2
    db.commit()
    assert db.exec(select(func.count()).select_from(m.Remark).where(m.Remark.is_published == True)).one() == 0
    # A site of another tenant as the filter matches nothing of ours and changes nothing of theirs.
    db.get(m.Remark, b_crit).is_published = True
    db.commit()
    assert site_records.bulk_publish(db, t, boss, {"site": str(world["sb"].id), "published": "yes"}, False) == 0
    db.commit()
    assert db.get(m.Remark, b_crit).is_published is True


# -- documents -----------------------------------------------------------------------------------------
def test_documents_are_checked_by_content_and_stored_privately(db, world, isolated_settings):
    t, boss, s1 = world["a"].id, world["boss"].id, world["s1"].id
    files_dir = isolated_settings / "files"

    def stored() -> list[Path]:
        return sorted(p for p in files_dir.rglob("*") if p.is_file()) if files_dir.exists() else []

    for name, data, error in [
        ("report.pdf", b"<html><script>alert(1)</script></html>", "data.error.file_type"),  # disguised HTML
        ("photo.jpg", b"GIF89a" + b"\x00" * 20, "data.error.file_type"),
        ("empty.pdf", b"", "data.error.file_empty"),
        ("big.pdf", b"%PDF-" + b"0" * documents.MAX_DOCUMENT_BYTES, "data.error.file_size"),
    ]:
        assert documents.upload_document(db, t, boss, s1, "Certificate", True, (name, data)) == (None, {"file": error})
    assert _count(db, m.Document) == 0 and stored() == []

    doc_id, errors = documents.upload_document(db, t, boss, s1, "Safety certificate", True, ("../../cert.pdf", PDF))
    png_id, _ = documents.upload_document(db, t, boss, s1, "", False, ("plan.pdf", PNG))  # a PNG named .pdf
    db.commit()
    doc, png = db.get(m.Document, doc_id), db.get(m.Document, png_id)
    assert errors == {}
    assert (doc.filename, doc.content_type, doc.is_published, doc.uploaded_by_staff_id) == (
        "cert.pdf",
        "application/pdf",
        True,
        boss,
    )
    assert (png.filename, png.content_type, png.title, png.is_published) == ("plan.png", "image/png", "plan", False)
    assert [p.read_bytes() for p in stored()] != [] and all(files_dir in p.parents for p in stored())
    assert not (Path.cwd() / "uploaded_files").exists() or not any((Path.cwd() / "uploaded_files").rglob("cert*"))
    # The portal sees the published one only (records use the same rule as the route).
    assert documents.set_document_published(db, t, boss, png_id, True) is None
    assert documents.delete_document(db, t, boss, doc_id) is None
    assert len(stored()) == 2  # the file goes only once the removal committed
    _commit(db)
    assert db.get(m.Document, doc_id) is None and len(stored()) == 1 and db.get(m.Document, png_id).is_published


def test_a_document_stored_for_a_transaction_that_rolls_back_is_deleted_again(db, world, isolated_settings):
    files_dir = isolated_settings / "files"
    t, boss, s1 = world["a"].id, world["boss"].id, world["s1"].id
    doc_id, errors = documents.upload_document(db, t, boss, s1, "Plan", False, ("plan.pdf", PDF))
    assert errors == {} and doc_id is not None
    assert any(p.is_file() for p in files_dir.rglob("*"))
    db.rollback()  # as the unit of work does when anything failed
    uow.rolled_back(db)
    assert not any(p.is_file() for p in files_dir.rglob("*")) and _count(db, m.Document) == 0


# -- notifications -------------------------------------------------------------------------------------
def test_sending_a_quote_notifies_the_clients_contacts_as_their_preferences_say(db, world, isolated_settings):
    quote = _quote(db, world, ("Labour", "2", "12.50"))
    errors = quotes.send_quote(db, world["a"].id, world["boss"].id, quote.id, now=NOW)
    assert _outbox(isolated_settings) == []  # nothing is mailed before the commit
    _commit(db)
    assert errors == {}
    notes = db.exec(select(m.Notification).where(m.Notification.kind == m.NotificationKind.QUOTE_SENT)).all()
    # Pat (directly) and Quinn (through the national group, above the regional one) are
    # Acme's contacts; not Ivy (another client), an inactive contact or a switched-off membership.
    assert {n.portal_user_id for n in notes} == {world["pat"].id, world["quinn"].id}
    by_user = {n.portal_user_id: n for n in notes}
    assert by_user[world["pat"].id].title == f"Nuevo presupuesto {quote.number} para Acme main pool"
    assert by_user[world["pat"].id].emailed_at is not None and by_user[world["quinn"].id].emailed_at is None
    assert by_user[world["quinn"].id].link == f"/portal/quotes?q={quote.number}"
    sent = _outbox(isolated_settings)
    assert [msg["To"] for msg in sent] == ["pat@acme.test"]  # Quinn asked for no quote mails
    assert sent[0]["Subject"] == f"Nuevo presupuesto {quote.number} de A Pools"
    assert f"https://portal.example.com/portal/quotes?q={quote.number}" in sent[0].get_body(("plain",)).get_content()

    # The client sees it awaiting approval, with the total from the lines.
    page = portal_quotes.list_quotes(db, _portal_viewer(db, world["pat"]), status="awaiting", now=NOW)
    assert [(r.number, r.status, r.total_cents) for r in page.rows] == [(quote.number, "AWAITING_ACCEPTANCE", 3025)]
    assert portal_quotes.list_quotes(db, _portal_viewer(db, world["ivy"]), now=NOW).total == 0


def test_issuing_an_invoice_and_approving_a_report_follow_their_own_preferences(db, world, isolated_settings):
    t, boss = world["a"].id, world["boss"].id
    inv_id, _ = invoices.save_invoice(db, t, boss, None, world["s1"].id, {}, _lines(("Visit", "1", "80")))
    errors = invoices.issue_invoice(db, t, boss, inv_id, now=NOW)
    _commit(db)
    number = db.get(m.Invoice, inv_id).number
    assert errors == {}
    assert [msg["To"] for msg in _outbox(isolated_settings)] == ["quinn@acme.test"]  # Pat wants no invoice mails
    assert (
        len(db.exec(select(m.Notification).where(m.Notification.kind == m.NotificationKind.INVOICE_ISSUED)).all()) == 2
    )

    world["quinn"].notify_on_report = False
    db.add(world["quinn"])
    db.commit()
    report_id, _ = reports.save_report(db, t, boss, None, world["s1"].id, {"title": "Inspection"}, now=NOW)
    errors = reports.approve_report(db, t, boss, report_id, now=NOW)
    _commit(db)
    sent = _outbox(isolated_settings)
    assert [msg["To"] for msg in sent] == ["quinn@acme.test", "pat@acme.test"]
    assert sent[1]["Subject"].startswith("Informe de servicio") and number not in sent[1]["Subject"]


def test_nobody_is_told_about_a_document_type_the_tenant_switched_off(db, world, isolated_settings):
    settings = db.exec(select(m.PortalSettings).where(m.PortalSettings.tenant_id == world["a"].id)).one()
    settings.show_quotes = False
    db.commit()
    quote = _quote(db, world)
    errors = quotes.send_quote(db, world["a"].id, world["boss"].id, quote.id, now=NOW)
    assert errors == {} and uow.pending(db) == 0
    _commit(db)
    assert db.exec(select(m.Notification)).all() == []


# -- lists ---------------------------------------------------------------------------------------------
def test_lists_search_filter_and_page_on_the_server(db, world):
    t, boss = world["a"].id, world["boss"].id
    for i in range(30):
        _quote(db, world, title=f"Plan {i:02d}", site="s1" if i % 3 else "s2")
    page1 = staff_lists.fetch(db, t, boss, "quotes", {})
    assert (page1.total, page1.pages, len(page1.rows)) == (30, 2, 25)
    page2 = staff_lists.fetch(db, t, boss, "quotes", {"page": "2"})
    assert len(page2.rows) == 5 and not {r.id for r in page1.rows} & {r.id for r in page2.rows}
    assert staff_lists.fetch(db, t, boss, "quotes", {"page": "99"}).page == 2  # clamped
    assert staff_lists.fetch(db, t, boss, "quotes", {"site": str(world["s2"].id)}).total == 10
    assert [r.title for r in staff_lists.fetch(db, t, boss, "quotes", {"q": "plan 07"}).rows] == ["Plan 07"]
    assert staff_lists.fetch(db, t, boss, "quotes", {"status": "DRAFT", "kind": "SERVICE"}).total == 30
    assert staff_lists.fetch(db, t, boss, "quotes", {"status": "BOGUS", "site": "x; drop"}).total == 30
    assert list_queries.parse("quotes", {"status": "BOGUS", "site": "1 or 1", "page": "-3"}) == list_queries.Query(
        "quotes"
    )
    found = staff_lists.fetch(db, t, boss, "sites", {"q": "acme"})
    assert [r.name for r in found.rows] == ["Acme main pool"] and found.rows[0].client == "Acme Hotels"


def test_the_migration_gives_existing_documents_the_rate_their_figures_imply(any_db_url):
    from sqlalchemy import text

    from pool_portal import migrations
    from pool_portal.db import make_engine

    migrations.upgrade(any_db_url, "0001")
    engine = make_engine(any_db_url)
    try:
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO tenant (id, name, slug, timezone, currency, default_language, brand_colour,"
                    " is_active, created_at) VALUES (1, 'T', 't', 'UTC', 'EUR', 'en', '#000000', true,"
                    " CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO client (id, tenant_id, name, is_active, created_at)"
                    " VALUES (1, 1, 'C', true, CURRENT_TIMESTAMP)"
                )
            )
            conn.execute(
                text(
                    "INSERT INTO site (id, tenant_id, client_id, name, address, city, postcode, is_active,"
                    " created_at) VALUES (1, 1, 1, 'S', '', '', '', true, CURRENT_TIMESTAMP)"
                )
            )
            for qid, sub, tax in ((1, 10000, 2100), (2, 0, 0), (3, 333, 33)):
                conn.execute(
                    text(
                        "INSERT INTO quote (id, tenant_id, number, site_id, kind, status, title,"
                        " subtotal_cents, tax_cents, total_cents, created_at) VALUES"
                        f" ({qid}, 1, 'Q{qid}', 1, 'SERVICE', 'DRAFT', 'x', {sub}, {tax}, {sub + tax},"
                        " CURRENT_TIMESTAMP)"
                    )
                )
        migrations.upgrade(any_db_url)
        with engine.connect() as conn:
            rates = conn.execute(text("SELECT id, tax_rate_bp FROM quote ORDER BY id")).all()
        assert [tuple(r) for r in rates] == [(1, 2100), (2, 0), (3, 991)]
    finally:
        engine.dispose()


def test_list_rows_are_typed_and_shown_in_the_tenants_currency_and_the_viewers_language(db, world):
    t, boss = world["a"].id, world["boss"].id
    inv_id, _ = invoices.save_invoice(
        db, t, boss, None, world["s1"].id, {"tax_rate": "21", "due_on": "2026-06-01"}, _lines(("Visit", "1", "1234.5"))
    )
    invoices.issue_invoice(db, t, boss, inv_id, now=datetime(2026, 5, 1, tzinfo=UTC))
    job_id, _ = jobs.save_job(
        db,
        t,
        boss,
        None,
        world["s1"].id,
        {"kind": "ROUTINE", "stage": "READY", "description": "Monthly", "due_date": "2026-07-15"},
    )
    _commit(db)
    (row,) = staff_lists.fetch(db, t, boss, "invoices", {}, now=NOW).rows
    assert (row.id, row.status, row.overdue, row.total_cents, row.due) == (
        inv_id,
        m.InvoiceStatus.AWAITING_PAYMENT,
        True,
        149375,
        date(2026, 6, 1),
    )
    shown = list_view.row_values(row, "EUR", "es")
    assert (shown["id"], shown["status"], shown["due"], shown["total_cents"]) == (
        str(inv_id),
        "OVERDUE",
        "2026-06-01",
        "149375",
    )
    assert shown["amount"] == "1.493,75\xa0€" and "overdue" not in shown
    (job,) = staff_lists.fetch(db, t, boss, "jobs", {}).rows
    assert (job.id, job.kind, job.date, job.technician) == (job_id, m.JobKind.ROUTINE, date(2026, 7, 15), None)
    assert list_view.row_values(job, "EUR", "en")["date"] == "2026-07-15"
    assert list_view.list_href(list_queries.parse("quotes", {"q": "pool", "page": "3"}), page=2) == (
        "/admin/quotes?q=pool&page=2"
    )


def test_an_edit_page_shows_amounts_as_money_and_its_form_as_text(db, world):
    quote = _quote(db, world, ("Labour", "2.5", "12.50"))
    page = quotes.quote_page(db, world["a"].id, world["boss"].id, quote.id)
    doc = view.quote_doc(page, "en")
    assert (doc["tax_rate"], doc["subtotal_cents"], doc["total_text"], doc["status"]) == (
        "21",
        "3125",
        "€37.81",
        "DRAFT",
    )
    assert [view.line_values(line) for line in page.lines] == [
        {"id": str(page.lines[0].id), "description": "Labour", "quantity": "2.5", "unit_price": "12.50"}
    ]
    assert page.actions == ["send"]
    new = quotes.quote_page(db, world["a"].id, world["boss"].id, None, world["s1"].id)
    assert view.quote_doc(new, "en") == {
        "id": "",
        "site_id": str(world["s1"].id),
        "site": "Acme main pool",
        "status": "DRAFT",
        "number": "",
        "kind": "SERVICE",
        "title": "",
        "tax_rate": "21",
    }
    assert quotes.quote_page(db, world["a"].id, world["boss"].id, None, world["sb"].id) is None
