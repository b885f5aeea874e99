"""The AquaDemo demo data: what it contains, that it is deterministic, and safe."""

from __future__ import annotations

from datetime import date

import pytest
from sqlalchemy import func, select, text
from sqlmodel import Session

import pool_portal.models as m
from pool_portal import demo, migrations
from pool_portal.db import make_engine
from pool_portal.services.passwords import verify_password
from pool_portal.services.scope import portal_client_ids

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
        group_user = db.exec(select(m.PortalUser).where(m.PortalUser.email == "group@aquademo.example.com")).scalar_one()
        sees = portal_client_ids(db, aqua.id, group_user.id)
        assert len(sees) == 10 and costa.id not in sees
        assert _count(db, m.ClientGroup, m.ClientGroup.parent_id == group.id) == 1  # nested
        client_user = db.exec(select(m.PortalUser).where(m.PortalUser.email == "client@aquademo.example.com")).scalar_one()
        assert portal_client_ids(db, aqua.id, client_user.id) == {costa.id}
        # Every severity, published and not, open and resolved; every status and stage.
        for sev in m.Severity:
            for published in (True, False):
                assert _count(db, m.Remark, m.Remark.tenant_id == aqua.id, m.Remark.severity == sev,
                              m.Remark.is_published == published) > 0, (sev, published)
        assert _count(db, m.Remark, m.Remark.status == m.RemarkStatus.RESOLVED) > 0
        for status in m.QuoteStatus:
            assert _count(db, m.Quote, m.Quote.tenant_id == aqua.id, m.Quote.status == status) > 0, status
        for status in m.InvoiceStatus:
            assert _count(db, m.Invoice, m.Invoice.tenant_id == aqua.id, m.Invoice.status == status) > 0, status
        assert _count(db, m.Invoice, m.Invoice.status == m.InvoiceStatus.AWAITING_PAYMENT, m.Invoice.due_on < TODAY) > 0
        for kind in m.JobKind:
            assert _count(db, m.Job, m.Job.tenant_id == aqua.id, m.Job.kind == kind) > 0, kind
        for stage in m.JobStage:
            assert _count(db, m.Job, m.Job.tenant_id == aqua.id, m.Job.stage == stage) > 0, stage
        for status in m.ReportStatus:
            assert _count(db, m.Report, m.Report.tenant_id == aqua.id, m.Report.status == status) > 0
        assert _count(db, m.Incident, m.Incident.tenant_id == aqua.id) >= 4
        assert _count(db, m.IncidentMessage, m.IncidentMessage.is_internal == True) > 0  # noqa: E712
        assert _count(db, m.Site, m.Site.tenant_id == aqua.id, m.Site.latitude.is_(None)) == 1
        # 18 months of remarks.
        oldest = db.exec(select(func.min(m.Remark.raised_on)).where(m.Remark.tenant_id == aqua.id)).scalar_one()
        assert (TODAY - oldest).days > 450


def test_money_adds_up(loaded):
    with Session(loaded) as db:
        for model, line, fk in ((m.Quote, m.QuoteLine, m.QuoteLine.quote_id), (m.Invoice, m.InvoiceLine, m.InvoiceLine.invoice_id)):
            bad = db.exec(
                select(func.count()).select_from(model).where(
                    model.subtotal_cents != select(func.sum(line.total_cents)).where(fk == model.id).scalar_subquery()
                )
            ).scalar_one()
            assert bad == 0
            assert _count(db, model, model.total_cents != model.subtotal_cents + model.tax_cents) == 0


def test_demo_accounts_sign_in_with_the_demo_password(loaded):
    with Session(loaded) as db:
        for model, email in ((m.StaffUser, "admin@aquademo.example.com"), (m.PortalUser, "client@aquademo.example.com"),
                             (m.PortalUser, "group@aquademo.example.com"), (m.StaffUser, "admin@bluewave.example.com"),
                             (m.PortalUser, "client@bluewave.example.com")):
            user = db.exec(select(model).where(model.email == email)).scalar_one()
            assert verify_password(user.password_hash, demo.DEMO_PASSWORD), email
        roles = set(db.exec(select(m.StaffUser.role).join(m.Tenant).where(m.Tenant.slug == "aquademo")).scalars())
        assert roles == set(m.StaffRole)


def _dump(engine) -> dict:
    out = {}
    with engine.connect() as conn:
        for model in demo.TABLES:
            table = model.__tablename__
            rows = conn.execute(text(f"SELECT * FROM {table} ORDER BY id")).all()
            out[table] = [tuple(v for k, v in zip(r._fields, r) if k not in ("password_hash", "storage_key", "size_bytes"))
                          for r in rows]
    return out


def test_shared_files_are_stored_privately_and_readable(loaded, isolated_settings):
    from pool_portal.services import storage

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


def test_loading_twice_refuses_and_changes_nothing_reset_reloads(loaded):
    before = _dump(loaded)
    with pytest.raises(demo.DemoDataExists):
        demo.load_demo(loaded, today=TODAY)
    assert _dump(loaded) == before
    assert not demo.database_is_empty(loaded)
    demo.load_demo(loaded, reset=True, today=TODAY)
    assert _dump(loaded) == before


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
    ]
    with loaded.connect() as conn:
        for sql in checks:
            assert conn.execute(text(sql)).scalar() == 0, sql


def test_incident_references_have_the_promised_shape(loaded):
    import re

    with Session(loaded) as db:
        refs = db.exec(select(m.Incident.reference)).scalars().all()
    assert refs and all(re.fullmatch(r"INC-\d{4}-[A-Z0-9]{6}", r) for r in refs)


def test_demo_loads_on_postgresql(pg_url, isolated_settings):
    migrations.upgrade(pg_url)
    engine = make_engine(pg_url)
    counts = demo.load_demo(engine, today=TODAY)
    assert counts["site"] > 50
    # Sequences moved past the explicit ids: a normal insert works.
    with Session(engine) as db:
        db.add(m.Tenant(name="After demo", slug="after-demo"))
        db.commit()
    engine.dispose()


def test_every_demo_email_is_a_plain_valid_address(loaded):
    from pool_portal.services.access import normalise_email

    with Session(loaded) as db:
        emails = db.exec(select(m.PortalUser.email)).scalars().all() + db.exec(select(m.StaffUser.email)).scalars().all()
    assert emails and all(e.isascii() and normalise_email(e) == e for e in emails)


def test_a_membership_cannot_be_given_twice(loaded):
    from sqlalchemy.exc import IntegrityError

    with Session(loaded) as db:
        existing = db.exec(select(m.Membership).where(m.Membership.client_id.is_not(None))).scalars().first()
        db.add(m.Membership(tenant_id=existing.tenant_id, portal_user_id=existing.portal_user_id, client_id=existing.client_id))
        with pytest.raises(IntegrityError):
            db.commit()
