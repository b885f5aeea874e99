"""Dashboard figures against hand-computed values on a small fixed dataset."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest

import pool_portal.models as m
from pool_portal.services.core import clock
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal import dashboard, routine
from pool_portal.services.portal.listings import listing
from pool_portal.services.portal.property_detail import property_detail

# 23:30 UTC on 14 March is already 15 March in Madrid (UTC+1 in winter).
NOW = datetime(2026, 3, 14, 23, 30, tzinfo=UTC)
TODAY = date(2026, 3, 15)


def _at(d: date) -> datetime:
    return datetime(d.year, d.month, d.day, 10, tzinfo=UTC)


@pytest.fixture
def world(db):
    t = m.Tenant(name="T", slug="t", timezone="Europe/Madrid")
    other = m.Tenant(name="O", slug="o")
    db.add_all([t, other])
    db.flush()
    db.add(m.PortalSettings(tenant_id=t.id))
    c1, c2 = m.Client(tenant_id=t.id, name="C1"), m.Client(tenant_id=t.id, name="C2")
    oc = m.Client(tenant_id=other.id, name="OC")
    db.add_all([c1, c2, oc])
    db.flush()
    a = m.Site(tenant_id=t.id, client_id=c1.id, name="A pool", latitude=39.4, longitude=-0.3)
    b = m.Site(tenant_id=t.id, client_id=c1.id, name="B pool")  # no coordinates
    c = m.Site(tenant_id=t.id, client_id=c2.id, name="C pool", latitude=38.3, longitude=-0.5)
    o = m.Site(tenant_id=other.id, client_id=oc.id, name="Other tenant pool")
    db.add_all([a, b, c, o])
    db.flush()
    pump = m.Asset(tenant_id=t.id, site_id=a.id, asset_code="P1", asset_type="Pump")
    heater = m.Asset(tenant_id=t.id, site_id=a.id, asset_code="H1", asset_type="Heat pump")
    db.add_all([pump, heater])
    approved = m.Report(
        tenant_id=t.id, number="R1", site_id=b.id, title="r", status=m.ReportStatus.APPROVED, report_date=TODAY
    )
    draft = m.Report(
        tenant_id=t.id, number="R2", site_id=b.id, title="r", status=m.ReportStatus.DRAFT, report_date=TODAY
    )
    db.add_all([approved, draft])
    db.flush()

    def remark(site, sev, *, published=True, resolved=False, raised=date(2026, 3, 1), asset=None, report=None):
        db.add(
            m.Remark(
                tenant_id=site.tenant_id,
                site_id=site.id,
                severity=sev,
                title="x",
                raised_on=raised,
                status=m.RemarkStatus.RESOLVED if resolved else m.RemarkStatus.OPEN,
                is_published=published,
                asset_id=asset.id if asset else None,
                report_id=report.id if report else None,
            )
        )

    S = m.Severity
    remark(a, S.CRITICAL, asset=pump)
    remark(a, S.NON_CRITICAL, asset=heater)
    remark(a, S.INFORMATION)  # open, visible, but not counted in "open defects"
    remark(a, S.RECOMMENDATION, asset=heater)
    remark(a, S.CRITICAL, published=False)  # unpublished: invisible
    remark(a, S.NON_CONFORMANCE, resolved=True, raised=date(2026, 2, 10))
    remark(b, S.NON_CONFORMANCE, published=False, report=approved)  # visible through the approved report
    remark(b, S.CRITICAL, published=False, report=draft)  # draft report: invisible
    remark(c, S.NON_CRITICAL, raised=date(2025, 3, 31))  # 12 months ago: outside the chart window
    remark(o, S.CRITICAL)  # another tenant

    def quote(site, kind, status, total, expires=None):
        db.add(
            m.Quote(
                tenant_id=site.tenant_id,
                number=f"Q{total}",
                site_id=site.id,
                kind=kind,
                status=status,
                title="q",
                total_cents=total,
                subtotal_cents=total,
                expires_on=expires,
            )
        )

    Q, K = m.QuoteStatus, m.QuoteKind
    quote(a, K.DEFECT, Q.AWAITING_ACCEPTANCE, 1000, expires=TODAY)  # still valid today
    quote(a, K.SERVICE, Q.AWAITING_ACCEPTANCE, 2000)
    quote(a, K.DEFECT, Q.AWAITING_ACCEPTANCE, 3000, expires=TODAY - timedelta(days=1))  # lapsed
    quote(a, K.DEFECT, Q.DRAFT, 4000)
    quote(c, K.DEFECT, Q.AWAITING_ACCEPTANCE, 5000)
    quote(c, K.DEFECT, Q.APPROVED, 6000)

    def invoice(site, status, total, issued, due):
        db.add(
            m.Invoice(
                tenant_id=site.tenant_id,
                number=f"I{total}",
                site_id=site.id,
                status=status,
                total_cents=total,
                subtotal_cents=total,
                issued_on=issued,
                due_on=due,
            )
        )

    I = m.InvoiceStatus
    invoice(a, I.AWAITING_PAYMENT, 100, date(2026, 2, 1), date(2026, 3, 14))  # due yesterday (Madrid): overdue
    invoice(a, I.AWAITING_PAYMENT, 200, date(2026, 2, 15), TODAY)  # due today: not overdue
    invoice(a, I.PAID, 400, date(2026, 1, 10), date(2026, 2, 10))
    invoice(a, I.DRAFT, 800, None, None)
    invoice(a, I.VOID, 1600, date(2026, 3, 1), date(2026, 4, 1))
    invoice(c, I.AWAITING_PAYMENT, 3200, date(2025, 12, 1), date(2026, 1, 1))  # overdue
    invoice(o, I.AWAITING_PAYMENT, 9999, date(2026, 1, 1), date(2026, 1, 2))  # another tenant

    def job(site, kind, stage, created, due=None, completed=None, tol=None):
        db.add(
            m.Job(
                tenant_id=site.tenant_id,
                number=f"J{len(db.new)}-{site.id}-{created}-{due}",
                site_id=site.id,
                kind=kind,
                stage=stage,
                description="j",
                created_at=_at(created),
                due_date=due,
                completed_on=completed,
                tolerance_days=tol,
            )
        )

    R, J = m.JobKind.ROUTINE, m.JobStage
    job(a, R, J.COMPLETE, date(2026, 1, 1), due=date(2026, 1, 15), completed=date(2026, 1, 15), tol=5)  # on time
    job(a, R, J.COMPLETE, date(2026, 1, 1), due=date(2026, 1, 20), completed=date(2026, 1, 25), tol=5)  # within
    job(a, R, J.COMPLETE, date(2026, 1, 1), due=date(2026, 2, 15), completed=date(2026, 2, 21), tol=5)  # late
    job(a, R, J.READY, date(2026, 2, 1), due=date(2026, 3, 5), tol=5)  # missed (5 + 5 < 15)
    job(a, R, J.READY, date(2026, 2, 1), due=date(2026, 3, 12), tol=5)  # pending (12 + 5 >= 15)
    job(c, R, J.READY, date(2026, 2, 1), due=date(2026, 4, 15), tol=5)  # pending, April
    job(a, R, J.COMPLETE, date(2025, 1, 1), due=date(2025, 6, 15), completed=date(2025, 6, 15), tol=5)  # other year
    job(a, m.JobKind.SERVICE_CALL, J.READY, date(2026, 3, 2))
    job(c, m.JobKind.SERVICE_CALL, J.COMPLETE, date(2026, 3, 3))
    job(c, m.JobKind.SERVICE_CALL, J.COMPLETE, date(2026, 1, 9))
    job(c, m.JobKind.SERVICE_CALL, J.COMPLETE, date(2025, 3, 1))  # 12+ months ago
    job(o, m.JobKind.SERVICE_CALL, J.READY, date(2026, 3, 2))  # other tenant
    db.commit()
    viewer = Viewer(
        kind="portal", tenant_id=t.id, user_id=1, session_id=1, name="", email="", client_ids=frozenset({c1.id, c2.id})
    )
    return dict(t=t, c1=c1, c2=c2, a=a, b=b, c=c, viewer=viewer)


def test_today_is_the_tenants_date(db, world):
    assert clock.tenant_today(db, world["t"].id, NOW) == TODAY


def test_built_in_two_halves_at_once_the_figures_are_the_same(db, world):
    """The app builds the dashboard with its second half on another connection
    (side_session): every figure is the one the plain build gives, hand-checked below."""
    from functools import partial

    from pool_portal.db import make_engine, session_scope

    engine = make_engine(db.get_bind().url.render_as_string(hide_password=False))
    try:
        for year in (None, 2025):
            alone = dashboard.build(db, world["viewer"], now=NOW, routine_year=year)
            halves = dashboard.build(
                db, world["viewer"], now=NOW, routine_year=year, side_session=partial(session_scope, engine)
            )
            assert halves == alone
        assert halves.routine and halves.defects.per_month and halves.service_calls  # both halves did their part
    finally:
        engine.dispose()


def test_properties_counts(db, world):
    board = dashboard.build(db, world["viewer"], now=NOW)
    rows = {r.name: r for r in board.properties}
    assert list(rows) == ["A pool", "B pool", "C pool"]
    a, b, c = rows["A pool"], rows["B pool"], rows["C pool"]
    assert (a.overdue_invoices, a.open_quotes, a.open_defects, a.highest_severity) == (1, 2, 2, "CRITICAL")
    assert (b.overdue_invoices, b.open_quotes, b.open_defects, b.highest_severity) == (0, 0, 1, "NON_CONFORMANCE")
    assert (c.overdue_invoices, c.open_quotes, c.open_defects, c.highest_severity) == (1, 1, 1, "NON_CRITICAL")
    assert b.latitude is None  # a site without coordinates is still listed


def test_overdue_boundary_moves_at_midnight_in_the_tenants_time_zone(db, world):
    before_midnight = datetime(2026, 3, 14, 22, 59, tzinfo=UTC)  # 23:59 in Madrid, 14 March
    rows = {r.name: r for r in dashboard.build(db, world["viewer"], now=before_midnight).properties}
    assert rows["A pool"].overdue_invoices == 0  # due 14 March: not yet overdue on the 14th


def test_activity_report(db, world):
    act = dashboard.build(db, world["viewer"], now=NOW).activity
    assert (act["defect_quotes"].count, act["defect_quotes"].total_cents) == (2, 6000)
    assert (act["service_quotes"].count, act["service_quotes"].total_cents) == (1, 2000)
    assert (act["invoices"].count, act["invoices"].total_cents) == (3, 3500)
    assert (act["overdue_invoices"].count, act["overdue_invoices"].total_cents) == (2, 3300)


def test_defect_analytics(db, world):
    d = dashboard.build(db, world["viewer"], now=NOW).defects
    assert d.tally == {"CRITICAL": 1, "NON_CONFORMANCE": 1, "NON_CRITICAL": 2, "RECOMMENDATION": 1, "INFORMATION": 1}
    assert d.months[0] == "2025-04" and d.months[-1] == "2026-03"
    assert d.per_month["2026-03"] == {
        "CRITICAL": 1,
        "NON_CRITICAL": 1,
        "INFORMATION": 1,
        "RECOMMENDATION": 1,
        "NON_CONFORMANCE": 1,
    }
    assert d.per_month["2026-02"] == {"RESOLVED": 1}
    assert sum(sum(v.values()) for v in d.per_month.values()) == 6  # C's March 2025 remark is outside
    assert d.asset_types == {"Heat pump": "NON_CRITICAL", "Pump": "CRITICAL"}


def test_routine_activities(db, world):
    board = dashboard.build(db, world["viewer"], now=NOW)
    r = board.routine
    assert board.routine_year == 2026
    assert r["2026-01"] == {"on_time": 1, "within_tolerance": 1, "late": 0, "missed": 0, "pending": 0}
    assert r["2026-02"]["late"] == 1
    assert r["2026-03"] == {"on_time": 0, "within_tolerance": 0, "late": 0, "missed": 1, "pending": 1}
    assert r["2026-04"]["pending"] == 1
    last_year = dashboard.build(db, world["viewer"], now=NOW, routine_year=2025).routine
    assert last_year["2025-06"]["on_time"] == 1


def test_service_calls_and_spend(db, world):
    board = dashboard.build(db, world["viewer"], now=NOW)
    assert board.service_calls["2026-03"]["READY"] == 1 and board.service_calls["2026-03"]["COMPLETE"] == 1
    assert board.service_calls["2026-01"]["COMPLETE"] == 1
    assert sum(sum(v.values()) for v in board.service_calls.values()) == 3
    sp = board.spend
    assert sp.per_month["2026-02"] == 300 and sp.per_month["2026-01"] == 400 and sp.per_month["2025-12"] == 3200
    assert sp.per_month["2026-03"] == 0  # the void invoice does not count
    assert sp.per_property == [("C pool", 3200), ("A pool", 700)]


def test_one_client_view_and_an_empty_portfolio(db, world):
    only_c2 = Viewer(**{**world["viewer"].__dict__, "client_ids": frozenset({world["c2"].id})})
    board = dashboard.build(db, only_c2, now=NOW)
    assert [r.name for r in board.properties] == ["C pool"]
    assert board.activity["service_quotes"].count == 0
    empty = Viewer(**{**world["viewer"].__dict__, "client_ids": frozenset()})
    board = dashboard.build(db, empty, now=NOW)
    assert board.properties == [] and board.activity["invoices"].count == 0
    assert sum(board.defects.tally.values()) == 0 and board.spend.per_property == []


def test_hidden_panels_are_not_computed(db, world):
    settings = db.exec(m.PortalSettings.__table__.select()).first()
    db.execute(m.PortalSettings.__table__.update().values(show_service_calls=False, show_spend_tracking=False))
    db.add(
        m.ClientPortalSettings(
            tenant_id=world["t"].id, client_id=world["c2"].id, show_defect_analytics=False, show_spend_tracking=True
        )
    )
    db.commit()
    assert settings is not None
    group = dashboard.build(db, world["viewer"], now=NOW)
    # A multi-client view shows a panel only when every client of it shows it
    # (services.admin.resolve_panels): c2 hides defect analytics, so the group does too.
    assert group.service_calls is None and group.spend is None and group.defects is None
    assert group.activity is not None and group.routine is not None
    only_c2 = Viewer(**{**world["viewer"].__dict__, "client_ids": frozenset({world["c2"].id})})
    one = dashboard.build(db, only_c2, now=NOW)
    assert one.defects is None and one.spend is not None and one.service_calls is None


def test_document_switches_remove_their_counts(db, world):
    db.execute(m.PortalSettings.__table__.update().values(show_quotes=False, show_invoices=False))
    db.commit()
    board = dashboard.build(db, world["viewer"], now=NOW)
    assert all(r.open_quotes == 0 and r.overdue_invoices == 0 for r in board.properties)
    assert board.activity["defect_quotes"].count == 0 and board.activity["invoices"].count == 0


@pytest.mark.parametrize(
    "due_offset,completed_offset,tol,today_offset,expected",
    [
        (0, 0, 5, 10, "on_time"),
        (0, -3, 5, 10, "on_time"),
        (0, 5, 5, 10, "within_tolerance"),
        (0, 6, 5, 10, "late"),
        (0, None, 5, 6, "missed"),
        (0, None, 5, 5, "pending"),
        (0, None, 0, 0, "pending"),
    ],
)
def test_routine_status_edges(due_offset, completed_offset, tol, today_offset, expected):
    due = date(2026, 5, 10) + timedelta(days=due_offset)
    completed = None if completed_offset is None else due + timedelta(days=completed_offset)
    assert routine.routine_status(due, completed, tol, due + timedelta(days=today_offset)) == expected


def test_listings_match_the_numbers_and_stay_in_the_view(db, world):
    v, a, c = world["viewer"], world["a"], world["c"]
    assert [r.amount_cents for r in listing(db, v, "overdue_invoices", a.id, now=NOW)] == [100]
    assert sorted(r.amount_cents for r in listing(db, v, "open_quotes", a.id, now=NOW)) == [1000, 2000]
    assert [(r.status, r.family) for r in listing(db, v, "open_defects", a.id, now=NOW)] == [
        ("CRITICAL", "status"),
        ("NON_CRITICAL", "status"),
    ]
    assert sorted(r.amount_cents for r in listing(db, v, "defect_quotes", now=NOW)) == [1000, 5000]
    assert len(listing(db, v, "invoices", now=NOW)) == 3
    only_c2 = Viewer(**{**v.__dict__, "client_ids": frozenset({world["c2"].id})})
    assert listing(db, only_c2, "open_quotes", a.id, now=NOW) is None  # not in this view
    assert listing(db, only_c2, "open_quotes", c.id, now=NOW) is not None
    assert listing(db, v, "nonsense", now=NOW) is None
    assert listing(db, v, "open_quotes", 999999, now=NOW) is None


def test_the_activity_reports_first_items_are_the_listings_first_with_their_pdfs(db, world):
    v = world["viewer"]
    for kind, doc in (("invoices", "invoice"), ("defect_quotes", "quote"), ("open_quotes", "quote")):
        full = listing(db, v, kind, now=NOW)
        first = listing(db, v, kind, now=NOW, limit=1)
        assert len(full) > 1 and first == full[:1]
        assert {r.doc for r in full} == {doc}
    assert all(r.doc == "" and r.amount_cents is None for r in listing(db, v, "open_defects", now=NOW))


def test_property_detail_only_inside_the_view(db, world):
    v = world["viewer"]
    db.add(
        m.Document(
            tenant_id=world["t"].id,
            site_id=world["a"].id,
            title="Certificate",
            filename="cert.pdf",
            content_type="application/pdf",
            size_bytes=2048,
            storage_key="k1",
            is_published=True,
        )
    )
    db.add(
        m.Document(
            tenant_id=world["t"].id,
            site_id=world["a"].id,
            title="Internal memo",
            filename="memo.pdf",
            content_type="application/pdf",
            size_bytes=10,
            storage_key="k2",
            is_published=False,
        )
    )
    db.commit()
    detail = property_detail(db, v, world["a"].id)
    assert detail.name == "A pool"
    assert {a.code for a in detail.assets} == {"P1", "H1"}
    assert [(d.title, d.size_bytes) for d in detail.documents] == [("Certificate", 2048)]
    assert len(detail.tasks) == 7 and {t.kind for t in detail.tasks} == {m.JobKind.ROUTINE, m.JobKind.SERVICE_CALL}
    only_c2 = Viewer(**{**v.__dict__, "client_ids": frozenset({world["c2"].id})})
    assert property_detail(db, only_c2, world["a"].id) is None
    assert property_detail(db, v, 999999) is None


def test_chart_listings_match_the_bars(db, world):
    v = world["viewer"]
    crit = listing(db, v, "defects", month="2026-03", bucket="CRITICAL", now=NOW)
    assert [r.status for r in crit] == ["CRITICAL"]
    assert [r.status for r in listing(db, v, "defects", month="2026-02", bucket="RESOLVED", now=NOW)] == ["RESOLVED"]
    assert len(listing(db, v, "defects", now=NOW)) == 7  # every visible remark (B's via the report too)
    assert listing(db, v, "defects", month="2026-13", now=NOW) is None
    assert listing(db, v, "defects", bucket="DROP TABLE", now=NOW) is None
    missed = listing(db, v, "routine", month="2026-03", bucket="missed", now=NOW)
    assert [r.on for r in missed] == [date(2026, 3, 5)] and (missed[0].family, missed[0].status) == (
        "routine",
        "missed",
    )
    calls = listing(db, v, "calls", month="2026-03", bucket="COMPLETE", now=NOW)
    assert len(calls) == 1 and (calls[0].site, calls[0].family, calls[0].status) == ("C pool", "stage", "COMPLETE")
    board = dashboard.build(db, v, now=NOW)
    for m_key, buckets in board.defects.per_month.items():
        for b, n in buckets.items():
            assert len(listing(db, v, "defects", month=m_key, bucket=b, now=NOW)) == n


def test_a_hidden_panels_listing_is_not_read(db, world):
    """?show=<kind> for a panel hidden for the view lists nothing (the overlay closes),
    by the tenant's default or by a client's override; the properties' counts stay."""
    v = world["viewer"]
    for kind in ("defect_quotes", "service_quotes", "invoices", "defects", "routine", "calls"):
        assert listing(db, v, kind, now=NOW) is not None
    db.execute(
        m.PortalSettings.__table__.update().values(
            show_activity_report=False, show_routine_activities=False, show_service_calls=False
        )
    )
    db.add(m.ClientPortalSettings(tenant_id=world["t"].id, client_id=world["c2"].id, show_defect_analytics=False))
    db.commit()
    for kind in ("defect_quotes", "service_quotes", "invoices", "defects", "routine", "calls"):
        assert listing(db, v, kind, now=NOW) is None, kind
        assert listing(db, v, kind, world["a"].id, now=NOW, month="2026-01") is None, kind
    assert [r.amount_cents for r in listing(db, v, "overdue_invoices", world["a"].id, now=NOW)] == [100]
    assert listing(db, v, "open_defects", world["a"].id, now=NOW)
    only_c1 = Viewer(**{**v.__dict__, "client_ids": frozenset({world["c1"].id})})
    assert listing(db, only_c1, "defects", now=NOW) is not None  # only c2 hides it


def test_odd_digits_in_a_month_are_not_a_month(db, world):
    v = world["viewer"]
    for month in ("²⁰²⁶-01", "2026-٠١", "2026-13"):
        assert listing(db, v, "defects", now=NOW, month=month) is None, month
