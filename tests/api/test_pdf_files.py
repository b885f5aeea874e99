"""The monthly activity report: its numbers, read back from the PDF, and the route
that serves it only to a signed-in portal user of the view."""

from __future__ import annotations

import io
import re
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from pypdf import PdfReader
from sqlmodel import Session, func, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

import pool_portal.models as m
from pool_portal import demo, migrations
from pool_portal.api import files, session_routes
from pool_portal.db import get_engine
from pool_portal.presentation.display import money
from pool_portal.services.core.scope import Viewer, portal_client_ids
from pool_portal.services.infra import pdf
from pool_portal.services.portal import assets, dashboard, invoices, jobs, quotes, reports
from pool_portal.services.portal.property_detail import property_detail
from pool_portal.services.portal.routine import ROUTINE_STATUSES

TODAY = date.today()


@pytest.fixture(scope="module")
def demo_env(tmp_path_factory):
    data = tmp_path_factory.mktemp("pdf")
    mp = pytest.MonkeyPatch()
    mp.setenv("PORTAL_DATA_DIR", str(data))
    mp.delenv("REFLEX_DB_URL", raising=False)
    from pool_portal import db, settings

    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    migrations.upgrade()
    demo.load_demo(get_engine(), today=TODAY)
    yield get_engine()
    settings.get_settings.cache_clear()
    db.get_engine.cache_clear()
    mp.undo()


def _viewer(engine, email):
    with Session(engine) as s:
        u = s.exec(select(m.PortalUser).where(m.PortalUser.email == email)).one()
        return Viewer(
            kind="portal",
            tenant_id=u.tenant_id,
            user_id=u.id,
            session_id=0,
            name=u.name,
            email=u.email,
            client_ids=frozenset(portal_client_ids(s, u.tenant_id, u.id)),
        )


def _text(data: bytes) -> str:
    return "\n".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)


def _busiest_month(engine, viewer):
    with Session(engine) as s:
        best = max(
            ((y, mo) for y in (TODAY.year - 1, TODAY.year) for mo in range(1, 13)),
            key=lambda ym: sum(
                len(d["invoices"]) + len(d["quotes"]) for d in pdf.monthly_lines(s, viewer, *ym).values()
            ),
        )
    return best


def test_pdf_totals_and_lines_are_the_months_visible_documents(demo_env):
    viewer = _viewer(demo_env, "group@aquademo.example.com")
    year, month = _busiest_month(demo_env, viewer)
    with Session(demo_env) as s:
        lines = pdf.monthly_lines(s, viewer, year, month)
        data = pdf.monthly_activity_report(s, viewer, year, month, "en")
    statuses = {l.status for d in lines.values() for kind in d.values() for l in kind}
    assert statuses and statuses <= {"AWAITING_ACCEPTANCE", "APPROVED", "DECLINED", "AWAITING_PAYMENT", "PAID"}
    text = _text(data)
    assert "AquaDemo" in text and "Monthly activity report" in text
    pages = len(PdfReader(io.BytesIO(data)).pages)
    assert f"Page {pages} of {pages}" in text
    invoiced = sum(l.cents for d in lines.values() for l in d["invoices"])
    quoted = sum(l.cents for d in lines.values() for l in d["quotes"])
    assert f"Total invoiced: {money(invoiced, 'EUR', 'en')}" in text
    assert f"Total quoted: {money(quoted, 'EUR', 'en')}" in text
    for site, docs in lines.items():
        assert site in text
        for line in docs["invoices"] + docs["quotes"]:
            assert line.number in text
    # Nothing of a client outside the view.
    with Session(demo_env) as s:
        costa_sites = s.exec(select(m.Site.name).join(m.Client).where(m.Client.name == "Costa Azul Residences")).all()
    assert not any(name in text for name in costa_sites)


def test_spanish_report(demo_env):
    viewer = _viewer(demo_env, "client@aquademo.example.com")
    with Session(demo_env) as s:
        text = _text(pdf.monthly_activity_report(s, viewer, TODAY.year, TODAY.month, "es"))
    assert "Informe mensual de actividad" in text and re.search(r"Página 1 de \d+", text)


@pytest.fixture
def http(demo_env):
    app = Starlette(routes=session_routes.routes + files.routes)
    with TestClient(app, base_url="http://testserver", follow_redirects=False) as c:
        yield c


def _sign_in(http, email, kind="portal"):
    r = http.post("/auth/login", data={"kind": kind, "email": email, "password": demo.DEMO_PASSWORD})
    assert r.status_code == 303 and "pp_session" in r.headers["set-cookie"]


def test_route_serves_the_pdf_to_the_signed_in_user_only(http, demo_env):
    assert http.get("/files/monthly-report?month=2026-01").status_code == 401
    _sign_in(http, "admin@aquademo.example.com", "staff")
    assert http.get("/files/monthly-report?month=2026-01").status_code == 404  # portal users only: refused as unknown
    _sign_in(http, "client@aquademo.example.com")
    month = f"{TODAY.year}-{TODAY.month:02d}"
    r = http.get(f"/files/monthly-report?month={month}")
    assert r.status_code == 200 and r.headers["content-type"] == "application/pdf"
    assert r.headers["content-disposition"] == f'attachment; filename="activity-report-{month}.pdf"'
    assert "private" in r.headers["cache-control"]
    assert "AquaDemo" in _text(r.content)
    for bad in ("2026-13", "26-01", "2026-01; rm -rf", "", "../../etc/passwd"):
        assert http.get("/files/monthly-report", params={"month": bad}).status_code == 400


def test_hidden_activity_report_has_no_pdf(http, demo_env):
    with Session(demo_env) as s:
        costa = s.exec(select(m.Client).where(m.Client.name == "Costa Azul Residences")).one()
        s.add(m.ClientPortalSettings(tenant_id=costa.tenant_id, client_id=costa.id, show_activity_report=False))
        s.commit()
    try:
        _sign_in(http, "client@aquademo.example.com")
        assert http.get("/files/monthly-report?month=2026-01").status_code == 404
    finally:
        with Session(demo_env) as s:
            s.delete(s.exec(select(m.ClientPortalSettings)).one())
            s.commit()


def test_shared_documents_only_reach_who_may_see_them(http, demo_env):
    with Session(demo_env) as s:
        docs = s.exec(select(m.Document, m.Site.name).join(m.Site)).all()
    costa_pub = next(d for d, site in docs if site.startswith("Costa Azul") and d.is_published)
    costa_internal = next(d for d, site in docs if not d.is_published)
    hotel_pub = next(d for d, site in docs if site.startswith("Hotel") and d.is_published)
    assert http.get(f"/files/document/{costa_pub.id}").status_code == 401
    _sign_in(http, "client@aquademo.example.com")
    r = http.get(f"/files/document/{costa_pub.id}")
    assert r.status_code == 200 and r.content.startswith(b"%PDF")
    assert r.headers["content-disposition"] == f'attachment; filename="{costa_pub.filename}"'
    assert "Pool safety certificate" in _text(r.content)
    for other in (costa_internal.id, hotel_pub.id, 999999, "abc", "../1"):
        assert http.get(f"/files/document/{other}").status_code == 404
    _sign_in(http, "admin@bluewave.example.com", "staff")
    assert http.get(f"/files/document/{costa_pub.id}").status_code == 404  # another tenant
    _sign_in(http, "admin@aquademo.example.com", "staff")
    assert http.get(f"/files/document/{costa_internal.id}").status_code == 200  # staff see internal files


def test_routine_report_counts_match_the_dashboard(http, demo_env):

    viewer = _viewer(demo_env, "client@aquademo.example.com")
    year = TODAY.year
    with Session(demo_env) as s:
        routine = dashboard.build(s, viewer).routine
        data = pdf.routine_activity_report(s, viewer, date(year, 1, 1), date(year, 12, 31), "en")
    text = _text(data)
    assert "Routine Activity Report" in text
    totals = {k: sum(month[k] for month in routine.values()) for k in ROUTINE_STATUSES}
    header = "Done on time Within tolerance Late Missed Pending Total"
    assert header in text.replace("\n", " ")
    expected = " ".join(str(totals[k]) for k in ROUTINE_STATUSES) + f" {sum(totals.values())}"
    assert expected in text.replace("\n", " ")
    _sign_in(http, "client@aquademo.example.com")
    r = http.get("/files/routine-report", params={"from": f"{year}-01-01", "to": f"{year}-12-31"})
    assert r.status_code == 200 and r.headers["content-disposition"].startswith(
        'attachment; filename="routine-activities-'
    )
    for bad in (
        {"from": "2026-02-01", "to": "2026-01-01"},
        {"from": "x", "to": "2026-01-01"},
        {"from": "2020-01-01", "to": "2026-01-01"},
        {},
    ):
        assert http.get("/files/routine-report", params=bad).status_code == 400


def test_quote_and_invoice_pdfs_add_up_and_stay_private(http, demo_env):

    viewer = _viewer(demo_env, "client@aquademo.example.com")
    with Session(demo_env) as s:
        quote = quotes.list_quotes(s, viewer).rows[0]
        invoice = invoices.list_invoices(s, viewer).rows[0]
        q = s.get(m.Quote, quote.id)
        lines = pdf.lines_of(s, q)
        text = _text(pdf.quote_or_invoice(s, q, "en"))
        other = s.exec(
            select(m.Quote)
            .join(m.Site)
            .join(m.Client)
            .where(m.Client.name != "Costa Azul Residences", m.Quote.status == m.QuoteStatus.APPROVED)
        ).first()
        draft = s.exec(
            select(m.Invoice)
            .join(m.Site)
            .join(m.Client)
            .where(m.Client.name == "Costa Azul Residences", m.Invoice.status == m.InvoiceStatus.DRAFT)
        ).first()
    assert sum(l.total_cents for l in lines) == q.subtotal_cents and q.subtotal_cents + q.tax_cents == q.total_cents
    assert f"Quote {q.number}" in text and f"Total\n{money(q.total_cents, 'EUR', 'en')}" in text
    for line in lines:
        assert money(line.total_cents, "EUR", "en") in text
    _sign_in(http, "client@aquademo.example.com")
    r = http.get(f"/files/quote/{quote.id}")
    assert (
        r.status_code == 200 and r.headers["content-disposition"] == f'attachment; filename="quote-{quote.number}.pdf"'
    )
    r = http.get(f"/files/invoice/{invoice.id}")
    assert r.status_code == 200 and "How to pay" in _text(r.content)
    assert http.get(f"/files/quote/{other.id}").status_code == 404
    if draft is not None:
        assert http.get(f"/files/invoice/{draft.id}").status_code == 404
    assert http.get("/files/invoice/abc").status_code == 404


@pytest.mark.parametrize("bad", ["%C2%B2", "1%C2%B2", "1" * 30, str(2**31), "0", "-1"])  # "²", "1²", too big...
def test_malformed_or_huge_ids_are_not_found_not_errors(http, demo_env, bad):
    for kind in ("portal", "staff"):
        _sign_in(http, "client@aquademo.example.com" if kind == "portal" else "admin@aquademo.example.com", kind)
        for route in ("quote", "invoice", "report", "document", "incident-photo"):
            r = http.get(f"/files/{route}/{bad}")
            assert r.status_code == 404, (kind, route, r.status_code)


def test_staff_preview_their_tenants_drafts_only(http, demo_env):
    """ADMIN and OFFICE staff get any quote, invoice or report of their tenant, drafts
    included (the preview before sending); a technician or another tenant's staff, 404."""
    with Session(demo_env) as s:
        aqua = s.exec(select(m.Tenant).where(m.Tenant.slug == "aquademo")).one()
        draft = s.exec(
            select(m.Quote).where(m.Quote.tenant_id == aqua.id, m.Quote.status == m.QuoteStatus.DRAFT)
        ).first()
        draft_report = s.exec(
            select(m.Report).where(m.Report.tenant_id == aqua.id, m.Report.status == m.ReportStatus.DRAFT)
        ).first()
    _sign_in(http, "office@aquademo.example.com", "staff")
    r = http.get(f"/files/quote/{draft.id}")
    assert r.status_code == 200 and f"Quote {draft.number}" in _text(r.content)
    assert http.get(f"/files/report/{draft_report.id}").status_code == 200
    _sign_in(http, "tech@aquademo.example.com", "staff")
    assert http.get(f"/files/quote/{draft.id}").status_code == 404
    _sign_in(http, "admin@bluewave.example.com", "staff")
    assert http.get(f"/files/quote/{draft.id}").status_code == 404
    assert http.get(f"/files/report/{draft_report.id}").status_code == 404


# -- a small fixed dataset (either backend) ------------------------------------------------
MARCH = datetime(2026, 3, 20, 12, tzinfo=UTC)


@pytest.fixture
def small(db):
    """One tenant, one client with one property, in March 2026: quotes open, expired,
    decided and draft; invoices awaiting payment, paid and draft; each with lines."""
    t = m.Tenant(name="Blue Lagoon Pools", slug="bl")
    db.add(t)
    db.flush()
    db.add(m.PortalSettings(tenant_id=t.id))
    c = m.Client(tenant_id=t.id, name="Hotel Miramar SL", billing_address="Av. del Mar 1, Jávea")
    db.add(c)
    db.flush()
    site = m.Site(tenant_id=t.id, client_id=c.id, name="Miramar main pool", address="Paseo 3", city="Jávea")
    db.add(site)
    db.flush()
    Q, I = m.QuoteStatus, m.InvoiceStatus
    quotes = {}
    for number, status, expires, total in [
        ("Q-OPEN", Q.AWAITING_ACCEPTANCE, date(2026, 4, 1), 12100),
        ("Q-EXPIRED", Q.AWAITING_ACCEPTANCE, date(2026, 3, 10), 70000),
        ("Q-DONE", Q.APPROVED, None, 24200),
        ("Q-DRAFT", Q.DRAFT, None, 90000),
    ]:
        q = m.Quote(
            tenant_id=t.id,
            number=number,
            site_id=site.id,
            kind=m.QuoteKind.SERVICE,
            status=status,
            title=f"Work {number}",
            issued_on=date(2026, 3, 5),
            expires_on=expires,
            subtotal_cents=total * 100 // 121,
            tax_cents=total - total * 100 // 121,
            total_cents=total,
        )
        db.add(q)
        quotes[number] = q
    invoices = {}
    for number, status, total in [
        ("I-DUE", I.AWAITING_PAYMENT, 36300),
        ("I-PAID", I.PAID, 48400),
        ("I-DRAFT", I.DRAFT, 99900),
    ]:
        inv = m.Invoice(
            tenant_id=t.id,
            number=number,
            site_id=site.id,
            status=status,
            issued_on=date(2026, 3, 6),
            due_on=date(2026, 4, 5),
            subtotal_cents=total * 100 // 121,
            tax_cents=total - total * 100 // 121,
            total_cents=total,
        )
        db.add(inv)
        invoices[number] = inv
    db.flush()
    inv = invoices["I-DUE"]
    db.add_all(
        [
            m.InvoiceLine(
                tenant_id=t.id,
                invoice_id=inv.id,
                position=1,
                description="Filter sand replacement",
                quantity=Decimal("2"),
                unit_price_cents=10000,
                total_cents=20000,
            ),
            m.InvoiceLine(
                tenant_id=t.id,
                invoice_id=inv.id,
                position=2,
                description="Pump seal kit",
                quantity=Decimal("1"),
                unit_price_cents=10000,
                total_cents=10000,
            ),
        ]
    )
    q = quotes["Q-OPEN"]
    db.add(
        m.QuoteLine(
            tenant_id=t.id,
            quote_id=q.id,
            position=1,
            description="Heat pump service visit",
            quantity=Decimal("1"),
            unit_price_cents=10000,
            total_cents=10000,
        )
    )
    report = m.Report(
        tenant_id=t.id,
        number="R-77",
        site_id=site.id,
        title="Spring service",
        status=m.ReportStatus.APPROVED,
        report_date=date(2026, 3, 7),
    )
    db.add(report)
    user = m.PortalUser(tenant_id=t.id, email="ana@miramar.test", name="Ana")
    db.add(user)
    db.commit()
    viewer = Viewer(
        kind="portal",
        tenant_id=t.id,
        user_id=user.id,
        session_id=0,
        name="Ana",
        email=user.email,
        client_ids=frozenset({c.id}),
    )
    return dict(t=t, viewer=viewer, quotes=quotes, invoices=invoices, report=report)


def test_monthly_report_has_no_expired_quotes_nor_switched_off_documents(db, small):
    viewer = small["viewer"]
    text = _text(pdf.monthly_activity_report(db, viewer, 2026, 3, "en", now=MARCH))
    for number in ("Q-OPEN", "Q-DONE", "I-DUE", "I-PAID"):
        assert number in text
    for number in ("Q-EXPIRED", "Q-DRAFT", "I-DRAFT"):
        assert number not in text
    assert f"Total quoted: {money(12100 + 24200, 'EUR', 'en')}" in text
    assert f"Total invoiced: {money(36300 + 48400, 'EUR', 'en')}" in text

    db.execute(m.PortalSettings.__table__.update().values(show_quotes=False))
    db.commit()
    text = _text(pdf.monthly_activity_report(db, viewer, 2026, 3, "en", now=MARCH))
    assert "Q-OPEN" not in text and "Q-DONE" not in text and "Total quoted" not in text
    assert "I-DUE" in text and f"Total invoiced: {money(36300 + 48400, 'EUR', 'en')}" in text

    db.execute(m.PortalSettings.__table__.update().values(show_quotes=True, show_invoices=False))
    db.commit()
    text = _text(pdf.monthly_activity_report(db, viewer, 2026, 3, "en", now=MARCH))
    assert "I-DUE" not in text and "I-PAID" not in text and "Total invoiced" not in text
    assert "Q-OPEN" in text and "Q-EXPIRED" not in text


def test_file_route_refusals_speak_the_users_language(http, demo_env):
    from pool_portal.services.identity import auth

    es = {"accept-language": "es-ES,es;q=0.9,en;q=0.5"}
    r = http.get("/files/quote/1", headers=es)
    assert (r.status_code, r.text) == (401, "Inicia sesión primero")
    assert http.get("/files/quote/1").text == "Sign in first"
    assert http.get("/files/monthly-report?month=2026-13", headers=es).text == "El mes debe tener la forma 2026-11"
    assert http.get("/files/routine-report?from=x&to=y").text == "From and to must be dates like 2026-01-31"
    _sign_in(http, "client@aquademo.example.com")
    r = http.get("/files/invoice/999999999")
    assert (r.status_code, r.text) == (404, "Not found")
    with Session(demo_env) as s:  # this session switches to Spanish: the browser's header no longer decides
        auth.set_session_language(s, http.cookies.get(auth.SESSION_COOKIE), "es")
        s.commit()
    for url in ("/files/invoice/999999999", "/files/document/999999999", "/files/export/nonsense.csv"):
        r = http.get(url)
        assert (r.status_code, r.text) == (404, "No encontrado"), url
    r = http.get("/files/routine-report?from=2026-02-01&to=2026-01-01", headers={"accept-language": "en"})
    assert (r.status_code, r.text) == (400, "El intervalo debe ir hacia delante y abarcar como máximo dos años")


def _flat(text: str) -> str:
    return " ".join(text.split())


def test_invoice_and_quote_pdfs_name_the_customer_and_add_up(db, small):
    eur = lambda cents: money(cents, "EUR", "en")  # noqa: E731
    invoice = small["invoices"]["I-DUE"]
    text = _flat(_text(pdf.quote_or_invoice(db, invoice, "en")))
    assert "Customer: Hotel Miramar SL, Av. del Mar 1, Jávea" in text
    assert "Property: Miramar main pool · Paseo 3, Jávea" in text
    assert "Invoice I-DUE" in text
    assert f"Filter sand replacement 2 {eur(10000)} {eur(20000)}" in text
    assert f"Pump seal kit 1 {eur(10000)} {eur(10000)}" in text
    assert f"Subtotal {eur(30000)} VAT {eur(6300)} Total {eur(36300)}" in text
    quote = small["quotes"]["Q-OPEN"]
    text = _flat(_text(pdf.quote_or_invoice(db, quote, "en")))
    assert "Customer: Hotel Miramar SL" in text and "Property: Miramar main pool" in text and "Quote Q-OPEN" in text
    assert f"Heat pump service visit 1 {eur(10000)} {eur(10000)}" in text
    assert f"Subtotal {eur(10000)} VAT {eur(2100)} Total {eur(12100)}" in text
    text = _flat(_text(pdf.service_report(db, small["report"], "es")))
    assert "Cliente: Hotel Miramar SL" in text and "Propiedad: Miramar main pool" in text and "R-77" in text


def test_another_tenants_portal_user_gets_404_and_changes_nothing(http, demo_env):
    """A portal user of BlueWave asking for AquaDemo's quote, invoice and report PDFs,
    its shared files, its record pages' ids and its quotes' approval: not found, and
    nothing is written."""

    aqua_client = _viewer(demo_env, "client@aquademo.example.com")
    blue = _viewer(demo_env, "client@bluewave.example.com")
    assert blue.tenant_id != aqua_client.tenant_id and blue.client_ids
    with Session(demo_env) as s:
        awaiting = quotes.list_quotes(s, aqua_client, status="awaiting").rows
        invoice = invoices.list_invoices(s, aqua_client).rows[0]
        report = s.exec(
            select(m.Report)
            .join(m.Site)
            .where(m.Site.client_id.in_(aqua_client.client_ids), m.Report.status == m.ReportStatus.APPROVED)
        ).first()
        asset = s.exec(select(m.Asset).join(m.Site).where(m.Site.client_id.in_(aqua_client.client_ids))).first()
        shared = s.exec(
            select(m.Document)
            .join(m.Site)
            .where(m.Site.client_id.in_(aqua_client.client_ids), m.Document.is_published == True)
        ).first()
        site_id = asset.site_id
    assert awaiting, "the demo has a quote awaiting approval"
    quote = awaiting[0]

    def counts():
        with Session(demo_env) as s:
            return [
                s.exec(select(func.count()).select_from(t)).one()
                for t in (m.AuditEvent, m.Notification, m.Document, m.Job)
            ] + [s.get(m.Quote, quote.id).status]

    with Session(demo_env) as s:  # each of them is there for its own tenant's client
        assert reports.get_report(s, aqua_client, report.id) and assets.asset_detail(s, aqua_client, asset.id)
    _sign_in(http, "client@bluewave.example.com")  # (signing in is audited: count after it)
    before = counts()
    for url in (
        f"/files/quote/{quote.id}",
        f"/files/invoice/{invoice.id}",
        f"/files/report/{report.id}",
        f"/files/document/{shared.id}" if shared else "/files/document/1",
    ):
        assert http.get(url).status_code == 404, url
    with Session(demo_env) as s:
        assert quotes.get_quote(s, blue, quote.id) is None
        assert invoices.get_invoice(s, blue, invoice.id) is None
        assert reports.get_report(s, blue, report.id) is None
        assert assets.asset_detail(s, blue, asset.id) is None
        assert property_detail(s, blue, site_id) is None
        assert quotes.decide_quote(s, blue, quote.id, approve=True, name="Intruder") == "quote.error.not_found"
        assert quotes.decide_quote(s, blue, quote.id, approve=False, comment="no") == "quote.error.not_found"
        number, errors = jobs.request_job(s, blue, site_id, "SERVICE_CALL", "Someone else's pool, please")
        assert number is None and "site" in errors
        s.commit()
    assert counts() == before
