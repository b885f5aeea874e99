"""The AquaDemo demo data: what it contains, that it is deterministic, and safe."""

from __future__ import annotations

import os
import re
import time
from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

import pool_portal.models as m
from pool_portal import demo, migrations
from pool_portal.db import make_engine
from pool_portal.services.core.scope import portal_client_ids
from pool_portal.services.identity.passwords import verify_password
from pool_portal.services.portal.routine import ROUTINE_STATUSES, routine_status

TODAY = date(2026, 11, 23)


@pytest.fixture
def engine(sqlite_url, isolated_settings):
    migrations.upgrade(sqlite_url)
    eng = make_engine(sqlite_url)
    yield eng
    eng.dispose()


@pytest.fixture
def loaded(engine):
    demo.load_demo(engine, today=TODAY)
    return engine


def _tenant(db, slug):
    return db.exec(select(m.Tenant).where(m.Tenant.slug == slug)).scalar_one()


def _count(db, model, *where):
    return db.exec(select(func.count()).select_from(model).where(*where)).scalar_one()


def test_aquademo_has_what_the_readme_promises(loaded):
    with Session(loaded) as db:
        aqua = _tenant(db, "aquademo")
        assert 28 <= _count(db, m.Client, m.Client.tenant_id == aqua.id) <= 32
        assert 50 <= _count(db, m.Site, m.Site.tenant_id == aqua.id) <= 70
        group = db.exec(select(m.ClientGroup).where(m.ClientGroup.name == "Mediterranean Hotels Group")).scalar_one()
        costa = db.exec(select(m.Client).where(m.Client.name == "Costa Azul Residences")).scalar_one()
        assert _count(db, m.Site, m.Site.client_id == costa.id) == 3
        group_user = db.exec(
            select(m.PortalUser).where(m.PortalUser.email == "group@aquademo.example.com")
        ).scalar_one()
        sees = portal_client_ids(db, aqua.id, group_user.id)
        assert len(sees) == 10 and costa.id not in sees
        assert _count(db, m.ClientGroup, m.ClientGroup.parent_id == group.id) == 1  # nested
        in_group = select(m.ClientGroup.id).where(
            (m.ClientGroup.id == group.id) | (m.ClientGroup.parent_id == group.id)
        )
        members = set(
            db.exec(select(m.ClientGroupMember.client_id).where(m.ClientGroupMember.group_id.in_(in_group))).scalars()
        )
        assert members == sees
        client_user = db.exec(
            select(m.PortalUser).where(m.PortalUser.email == "client@aquademo.example.com")
        ).scalar_one()
        assert portal_client_ids(db, aqua.id, client_user.id) == {costa.id}
        # Every severity, published and not, open and resolved; every status and stage.
        for sev in m.Severity:
            for published in (True, False):
                assert (
                    _count(
                        db,
                        m.Remark,
                        m.Remark.tenant_id == aqua.id,
                        m.Remark.severity == sev,
                        m.Remark.is_published == published,
                    )
                    > 0
                ), (sev, published)
        assert _count(db, m.Remark, m.Remark.status == m.RemarkStatus.RESOLVED) > 0
        for status in m.QuoteStatus:
            assert _count(db, m.Quote, m.Quote.tenant_id == aqua.id, m.Quote.status == status) > 0, status
        for kind in m.QuoteKind:
            assert _count(db, m.Quote, m.Quote.tenant_id == aqua.id, m.Quote.kind == kind) > 0, kind
        types = set(db.exec(select(m.Asset.asset_type).where(m.Asset.tenant_id == aqua.id)).scalars())
        assert types == set(demo.ASSET_TYPES)
        for status in m.InvoiceStatus:
            assert _count(db, m.Invoice, m.Invoice.tenant_id == aqua.id, m.Invoice.status == status) > 0, status
        assert _count(db, m.Invoice, m.Invoice.status == m.InvoiceStatus.AWAITING_PAYMENT, m.Invoice.due_on < TODAY) > 0
        for kind in m.JobKind:
            assert _count(db, m.Job, m.Job.tenant_id == aqua.id, m.Job.kind == kind) > 0, kind
        for stage in m.JobStage:
            assert _count(db, m.Job, m.Job.tenant_id == aqua.id, m.Job.stage == stage) > 0, stage
        for status in m.ReportStatus:
            assert _count(db, m.Report, m.Report.tenant_id == aqua.id, m.Report.status == status) > 0
        assert _count(db, m.Site, m.Site.tenant_id == aqua.id, m.Site.latitude.is_(None)) == 1
        # 18 months of remarks.
        oldest = db.exec(select(func.min(m.Remark.raised_on)).where(m.Remark.tenant_id == aqua.id)).scalar_one()
        assert (TODAY - oldest).days > 450


def test_routine_jobs_have_every_tolerance_outcome(loaded):
    with Session(loaded) as db:
        jobs = db.exec(
            select(m.Job.due_date, m.Job.completed_on, m.Job.tolerance_days)
            .join(m.Tenant)
            .where(m.Tenant.slug == "aquademo", m.Job.kind == m.JobKind.ROUTINE)
        ).all()
    assert all(due and tolerance is not None for due, _, tolerance in jobs)
    outcomes = {routine_status(due, done, tolerance, TODAY) for due, done, tolerance in jobs}
    assert outcomes == set(ROUTINE_STATUSES)


def test_incidents_have_threads_visits_and_a_notification(loaded):
    with Session(loaded) as db:
        aqua = _tenant(db, "aquademo")
        admin = db.exec(select(m.StaffUser).where(m.StaffUser.email == "admin@aquademo.example.com")).scalar_one()
        incidents = db.exec(select(m.Incident).where(m.Incident.tenant_id == aqua.id)).scalars().all()
        assert len(incidents) >= 4
        for inc in incidents:
            assert _count(db, m.Visit, m.Visit.incident_id == inc.id) == 1
            assert (
                _count(
                    db,
                    m.Notification,
                    m.Notification.incident_id == inc.id,
                    m.Notification.staff_user_id == admin.id,
                    m.Notification.kind == m.NotificationKind.MANUAL_INCIDENT,
                )
                == 1
            )
            link = db.exec(select(m.Notification.link).where(m.Notification.incident_id == inc.id)).scalar_one()
            assert link == f"/admin/incident?id={inc.id}"  # the staff page's route (pool_portal.py)
        solved = [i for i in incidents if i.state == m.IncidentState.SOLVED]
        assert solved and all(i.resolution_note and i.solved_at for i in solved)
        assert any(i.state == m.IncidentState.OPEN for i in incidents)
        messages = db.exec(select(m.IncidentMessage).where(m.IncidentMessage.tenant_id == aqua.id)).scalars().all()
        assert {(x.author_kind, x.is_internal) for x in messages} == {
            (m.MessageAuthor.CLIENT, False),
            (m.MessageAuthor.STAFF, False),
            (m.MessageAuthor.STAFF, True),
        }


def test_money_adds_up(loaded):
    with Session(loaded) as db:
        for model, line, fk in (
            (m.Quote, m.QuoteLine, m.QuoteLine.quote_id),
            (m.Invoice, m.InvoiceLine, m.InvoiceLine.invoice_id),
        ):
            bad = db.exec(
                select(func.count())
                .select_from(model)
                .where(
                    model.subtotal_cents != select(func.sum(line.total_cents)).where(fk == model.id).scalar_subquery()
                )
            ).scalar_one()
            assert bad == 0
            assert _count(db, model, model.total_cents != model.subtotal_cents + model.tax_cents) == 0


def test_demo_accounts_sign_in_with_the_demo_password(loaded):
    with Session(loaded) as db:
        for model, email in (
            (m.StaffUser, "admin@aquademo.example.com"),
            (m.PortalUser, "client@aquademo.example.com"),
            (m.PortalUser, "group@aquademo.example.com"),
            (m.StaffUser, "admin@bluewave.example.com"),
            (m.PortalUser, "client@bluewave.example.com"),
        ):
            user = db.exec(select(model).where(model.email == email)).scalar_one()
            assert verify_password(user.password_hash, demo.DEMO_PASSWORD), email
        roles = set(db.exec(select(m.StaffUser.role).join(m.Tenant).where(m.Tenant.slug == "aquademo")).scalars())
        assert roles == set(m.StaffRole)


# Salted hashes and random file keys differ on every load by design (both are checked
# elsewhere: the accounts verify, the files read back); every other column must match.
RANDOM_BY_DESIGN = ("password_hash", "storage_key")


def _dump(engine) -> dict:
    out = {}
    with engine.connect() as conn:
        for model in demo.TABLES:
            table = model.__tablename__
            rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
            out[table] = [tuple(v for k, v in zip(r._fields, r) if k not in RANDOM_BY_DESIGN) for r in rows]
    return out


def test_shared_files_are_stored_privately_and_readable(loaded, isolated_settings):
    from pool_portal.services.infra import storage

    with Session(loaded) as db:
        docs = db.exec(select(m.Document)).scalars().all()
    assert any(d.is_published for d in docs) and any(not d.is_published for d in docs)
    for d in docs:
        data = storage.read(d.storage_key)
        assert data.startswith(b"%PDF") and len(data) == d.size_bytes
        assert (isolated_settings / "files" / d.storage_key).exists()


def test_two_loads_are_identical(loaded, tmp_path):
    other = make_engine(f"sqlite:///{tmp_path / 'other.db'}")
    migrations.upgrade(other)
    demo.load_demo(other, today=TODAY)
    assert _dump(loaded) == _dump(other)
    other.dispose()


def test_dates_follow_today(loaded):
    """Dates are relative to the pinned ``today``: nothing raised after it, the newest recent."""
    with Session(loaded) as db:
        newest = db.exec(select(func.max(m.Remark.raised_on))).scalar_one()
        created = db.exec(select(func.max(m.Incident.created_at))).scalar_one()
    assert newest <= TODAY and created.date() <= TODAY and (TODAY - newest).days < 60


def test_unknown_scale_is_refused(engine):
    with pytest.raises(ValueError):
        demo.load_demo(engine, scale="huge", today=TODAY)
    assert demo.database_is_empty(engine)


def test_loading_twice_refuses_and_changes_nothing_reset_reloads(loaded):
    before = _dump(loaded)
    with pytest.raises(demo.DemoDataExists):
        demo.load_demo(loaded, today=TODAY)
    assert _dump(loaded) == before
    assert not demo.database_is_empty(loaded)
    _add_after_demo(loaded)  # reset empties every table, not only the demo's rows
    demo.load_demo(loaded, reset=True, today=TODAY)
    assert _dump(loaded) == before


def _add_after_demo(engine) -> None:
    """Rows written after the demo, with ids from the database: the sequences must be past the demo's ids."""
    with Session(engine) as db:
        db.add(m.Tenant(name="After demo", slug="after-demo"))
        db.add(m.AuditEvent(actor_kind="system", action="test"))
        db.commit()


def test_nothing_crosses_tenants(loaded):
    checks = [
        "SELECT count(*) FROM site s JOIN client c ON c.id = s.client_id WHERE s.tenant_id <> c.tenant_id",
        "SELECT count(*) FROM asset a JOIN site s ON s.id = a.site_id WHERE a.tenant_id <> s.tenant_id",
        "SELECT count(*) FROM remark r JOIN site s ON s.id = r.site_id WHERE r.tenant_id <> s.tenant_id",
        "SELECT count(*) FROM job j JOIN site s ON s.id = j.site_id WHERE j.tenant_id <> s.tenant_id",
        "SELECT count(*) FROM quote q JOIN site s ON s.id = q.site_id WHERE q.tenant_id <> s.tenant_id",
        "SELECT count(*) FROM invoice i JOIN site s ON s.id = i.site_id WHERE i.tenant_id <> s.tenant_id",
        "SELECT count(*) FROM membership x JOIN portal_user u ON u.id = x.portal_user_id WHERE x.tenant_id <> u.tenant_id",
        "SELECT count(*) FROM client_group_member g JOIN client c ON c.id = g.client_id WHERE g.tenant_id <> c.tenant_id",
        "SELECT count(*) FROM incident i JOIN site s ON s.id = i.site_id WHERE i.tenant_id <> s.tenant_id OR i.client_id <> s.client_id",
        "SELECT count(*) FROM remark r JOIN asset a ON a.id = r.asset_id WHERE r.site_id <> a.site_id",
        "SELECT count(*) FROM remark r JOIN report p ON p.id = r.report_id WHERE r.site_id <> p.site_id",
        "SELECT count(*) FROM job j JOIN asset a ON a.id = j.asset_id WHERE j.site_id <> a.site_id",
        "SELECT count(*) FROM job j JOIN staff_user u ON u.id = j.technician_id WHERE j.tenant_id <> u.tenant_id",
        "SELECT count(*) FROM report p JOIN site s ON s.id = p.site_id WHERE p.tenant_id <> s.tenant_id",
        "SELECT count(*) FROM document d JOIN site s ON s.id = d.site_id WHERE d.tenant_id <> s.tenant_id",
        "SELECT count(*) FROM quote_line l JOIN quote q ON q.id = l.quote_id WHERE l.tenant_id <> q.tenant_id",
        "SELECT count(*) FROM invoice_line l JOIN invoice i ON i.id = l.invoice_id WHERE l.tenant_id <> i.tenant_id",
        "SELECT count(*) FROM membership x JOIN client c ON c.id = x.client_id WHERE x.tenant_id <> c.tenant_id",
        "SELECT count(*) FROM membership x JOIN client_group g ON g.id = x.group_id WHERE x.tenant_id <> g.tenant_id",
        "SELECT count(*) FROM client_group_member x JOIN client_group g ON g.id = x.group_id WHERE x.tenant_id <> g.tenant_id",
        "SELECT count(*) FROM client_group g JOIN client_group p ON p.id = g.parent_id WHERE g.tenant_id <> p.tenant_id",
        "SELECT count(*) FROM visit v JOIN incident i ON i.id = v.incident_id WHERE v.tenant_id <> i.tenant_id OR v.site_id <> i.site_id",
        "SELECT count(*) FROM incident_message x JOIN incident i ON i.id = x.incident_id WHERE x.tenant_id <> i.tenant_id",
        "SELECT count(*) FROM incident_task x JOIN incident i ON i.id = x.incident_id WHERE x.tenant_id <> i.tenant_id",
        "SELECT count(*) FROM incident i JOIN portal_user u ON u.id = i.reported_by_portal_user_id WHERE i.tenant_id <> u.tenant_id",
        "SELECT count(*) FROM notification n JOIN staff_user u ON u.id = n.staff_user_id WHERE n.tenant_id <> u.tenant_id",
    ]
    with loaded.connect() as conn:
        for sql in checks:
            assert conn.execute(text(sql)).scalar() == 0, sql


def test_incident_references_have_the_promised_shape(loaded):
    with Session(loaded) as db:
        refs = db.exec(select(m.Incident.reference)).scalars().all()
    assert refs and all(re.fullmatch(r"INC-\d{4}-[A-Z0-9]{6}", r) for r in refs)


def test_demo_loads_on_postgresql(pg_url, isolated_settings):
    migrations.upgrade(pg_url)
    engine = make_engine(pg_url)
    counts = demo.load_demo(engine, today=TODAY)
    assert counts["site"] > 50
    _add_after_demo(engine)
    assert demo.load_demo(engine, reset=True, today=TODAY) == counts
    with Session(engine) as db:
        assert db.exec(select(m.Tenant.slug).order_by(m.Tenant.id)).scalars().all() == ["aquademo", "bluewave"]
    _add_after_demo(engine)
    engine.dispose()


def test_every_demo_email_is_a_plain_valid_address(loaded):
    from pool_portal.services.identity.access import normalise_email

    with Session(loaded) as db:
        emails = (
            db.exec(select(m.PortalUser.email)).scalars().all() + db.exec(select(m.StaffUser.email)).scalars().all()
        )
    assert emails and all(e.isascii() and normalise_email(e) == e for e in emails)


def test_a_membership_cannot_be_given_twice(loaded):
    from sqlalchemy.exc import IntegrityError

    with Session(loaded) as db:
        existing = db.exec(select(m.Membership).where(m.Membership.client_id.is_not(None))).scalars().first()
        db.add(
            m.Membership(
                tenant_id=existing.tenant_id, portal_user_id=existing.portal_user_id, client_id=existing.client_id
            )
        )
        with pytest.raises(IntegrityError):
            db.commit()


LARGE_MINIMUM = {
    "client": 200,
    "site": 1000,
    "asset": 20_000,
    "remark": 100_000,
    "job": 50_000,
    "quote": 10_000,
    "quote_line": 10_000,
    "invoice": 20_000,
    "invoice_line": 20_000,
    "incident": 2_000,
}


@pytest.mark.slow
@pytest.mark.skipif(os.environ.get("PORTAL_TEST_LARGE") != "1", reason="set PORTAL_TEST_LARGE=1 for the large demo")
def test_large_scale_loads_in_under_two_minutes(engine):
    started = time.perf_counter()
    counts = demo.load_demo(engine, scale="large", today=TODAY)
    assert time.perf_counter() - started < 120
    for table, minimum in LARGE_MINIMUM.items():
        assert counts[table] >= minimum, table
    with Session(engine) as db:
        mega = _tenant(db, "megapools")
        assert _count(db, m.Site, m.Site.tenant_id == mega.id) == 1000
        assert _count(db, m.ClientGroupMember, m.ClientGroupMember.tenant_id == mega.id) == 200
        user = db.exec(select(m.PortalUser).where(m.PortalUser.email == "group@megapools.example.com")).scalar_one()
        assert len(portal_client_ids(db, mega.id, user.id)) == 200
        own = db.exec(select(m.PortalUser).where(m.PortalUser.email == "contact042@megapools.example.com")).scalar_one()
        assert [db.get(m.Client, c).name for c in portal_client_ids(db, mega.id, own.id)] == ["Mega Client 042"]
        assert (
            _count(
                db,
                m.StaffUser,
                m.StaffUser.email == "admin@megapools.example.com",
                m.StaffUser.role == m.StaffRole.ADMIN,
            )
            == 1
        )
