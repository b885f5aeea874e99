"""Quotes and invoices in the portal: what shows, approving and declining safely."""

from __future__ import annotations

import threading
from datetime import UTC, date, datetime, timedelta

import pytest
from sqlmodel import Session, select

import pool_portal.models as m
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal import invoices, jobs, quotes

NOW = datetime(2026, 3, 15, 10, tzinfo=UTC)
TODAY = date(2026, 3, 15)


@pytest.fixture
def world(db):
    t, o = m.Tenant(name="T", slug="t"), m.Tenant(name="O", slug="o")
    db.add_all([t, o])
    db.flush()
    db.add(m.PortalSettings(tenant_id=t.id))
    db.add(m.StaffUser(tenant_id=t.id, email="a@t.test", name="Admin", role=m.StaffRole.ADMIN))
    mine, other = m.Client(tenant_id=t.id, name="Mine"), m.Client(tenant_id=t.id, name="Other")
    db.add_all([mine, other])
    db.flush()
    s1, s2 = (
        m.Site(tenant_id=t.id, client_id=mine.id, name="My pool"),
        m.Site(tenant_id=t.id, client_id=other.id, name="Their pool"),
    )
    db.add_all([s1, s2])
    db.flush()
    Q = m.QuoteStatus

    def quote(site, number, status, expires=None):
        q = m.Quote(
            tenant_id=t.id,
            number=number,
            site_id=site.id,
            kind=m.QuoteKind.DEFECT,
            status=status,
            title=f"Work {number}",
            issued_on=TODAY - timedelta(days=int(number[1:])),
            expires_on=expires,
            total_cents=1210,
            subtotal_cents=1000,
            tax_cents=210,
        )
        db.add(q)
        return q

    qs = {
        "open": quote(s1, "Q1", Q.AWAITING_ACCEPTANCE, TODAY + timedelta(days=5)),
        "open2": quote(s1, "Q2", Q.AWAITING_ACCEPTANCE),
        "expired": quote(s1, "Q3", Q.AWAITING_ACCEPTANCE, TODAY - timedelta(days=1)),
        "draft": quote(s1, "Q4", Q.DRAFT),
        "approved": quote(s1, "Q5", Q.APPROVED),
        "theirs": quote(s2, "Q6", Q.AWAITING_ACCEPTANCE),
    }
    I = m.InvoiceStatus
    for n, (status, due) in enumerate(
        [
            (I.AWAITING_PAYMENT, TODAY - timedelta(days=1)),
            (I.AWAITING_PAYMENT, TODAY),
            (I.PAID, TODAY - timedelta(days=30)),
            (I.DRAFT, None),
        ]
    ):
        db.add(
            m.Invoice(
                tenant_id=t.id,
                number=f"I{n}",
                site_id=s1.id,
                status=status,
                issued_on=TODAY - timedelta(days=40),
                due_on=due,
                total_cents=100 * (n + 1),
            )
        )
    pat = m.PortalUser(tenant_id=t.id, email="p@x.test", name="Pat")
    db.add(pat)
    db.commit()
    v = Viewer(
        kind="portal",
        tenant_id=t.id,
        user_id=pat.id,
        session_id=1,
        name="Pat",
        email="p@x",
        client_ids=frozenset({mine.id}),
    )
    return dict(t=t, v=v, q=qs)


def test_quote_list_hides_drafts_expired_and_other_clients(db, world):
    page = quotes.list_quotes(db, world["v"], now=NOW)
    assert [r.number for r in page.rows] == ["Q1", "Q2", "Q5"] and page.total == 3
    assert [r.total_cents for r in page.rows] == [1210, 1210, 1210]
    assert [r.number for r in quotes.list_quotes(db, world["v"], status="awaiting", now=NOW).rows] == ["Q1", "Q2"]
    assert [r.number for r in quotes.list_quotes(db, world["v"], text="Work Q5", now=NOW).rows] == ["Q5"]
    for key in ("draft", "expired", "theirs"):
        assert quotes.get_quote(db, world["v"], world["q"][key].id, NOW) is None


def test_approve_needs_a_name_and_works_once(db, world):
    v, q = world["v"], world["q"]["open"]
    assert quotes.decide_quote(db, v, q.id, approve=True, name="  ", now=NOW) == "quote.error.name_required"
    assert quotes.decide_quote(db, v, q.id, approve=True, name="Pat Smith", reference="PO-9", now=NOW) is None
    db.commit()
    db.refresh(q)
    assert (q.status, q.approver_name, q.approver_reference, q.decided_by_portal_user_id) == (
        m.QuoteStatus.APPROVED,
        "Pat Smith",
        "PO-9",
        v.user_id,
    )
    assert (
        quotes.decide_quote(db, v, q.id, approve=False, comment="changed my mind", now=NOW)
        == "quote.error.already_decided"
    )
    note = db.exec(select(m.Notification)).one()
    assert note.kind == m.NotificationKind.QUOTE_DECIDED and "Q1" in note.title
    assert db.exec(select(m.AuditEvent).where(m.AuditEvent.action == "quote.approved")).one().target_id == str(q.id)


def _routed(link: str) -> bool:
    """The link's page is one the app routes (pool_portal/pool_portal.py)."""
    from pathlib import Path

    import pool_portal

    source = (Path(pool_portal.__file__).parent / "pool_portal.py").read_text()
    return f'("{link.split("?")[0]}",' in source


def test_staff_notifications_link_to_the_real_pages(db, world):
    v, q = world["v"], world["q"]["open"]
    assert quotes.decide_quote(db, v, q.id, approve=True, name="Pat Smith", now=NOW) is None
    number, errors = jobs.request_job(db, v, q.site_id, "SERVICE_CALL", "The pump is leaking water")
    db.commit()
    job = db.exec(select(m.Job).where(m.Job.number == number)).one()
    links = {n.kind: n.link for n in db.exec(select(m.Notification))}
    assert links == {
        m.NotificationKind.QUOTE_DECIDED: f"/admin/quote?id={q.id}",
        m.NotificationKind.JOB_REQUESTED: f"/admin/job?id={job.id}",
    }
    assert all(_routed(link) for link in links.values())


def test_decline_needs_a_comment(db, world):
    v, q = world["v"], world["q"]["open2"]
    assert quotes.decide_quote(db, v, q.id, approve=False, comment="", now=NOW) == "quote.error.comment_required"
    db.refresh(q)
    assert q.status == m.QuoteStatus.AWAITING_ACCEPTANCE
    assert quotes.decide_quote(db, v, q.id, approve=False, comment="Too dear", now=NOW) is None
    db.commit()
    db.refresh(q)
    assert q.status == m.QuoteStatus.DECLINED and q.decline_comment == "Too dear"


def test_cannot_act_on_hidden_or_foreign_quotes(db, world):
    for key in ("draft", "expired", "theirs", "approved"):
        error = quotes.decide_quote(db, world["v"], world["q"][key].id, approve=True, name="X", now=NOW)
        assert error in ("quote.error.not_found", "quote.error.already_decided")
    read_only = Viewer(**{**world["v"].__dict__, "read_only": True})
    assert (
        quotes.decide_quote(db, read_only, world["q"]["open"].id, approve=True, name="X", now=NOW)
        == "quote.error.not_allowed"
    )


def test_two_people_approving_at_once_one_wins(db, world, any_db_url):
    from pool_portal.db import make_engine

    engine = make_engine(any_db_url)
    qid, results = world["q"]["open"].id, []
    barrier = threading.Barrier(2)

    def approve(name):
        with Session(engine) as s:
            barrier.wait()
            error = quotes.decide_quote(s, world["v"], qid, approve=True, name=name, now=NOW)
            s.commit()
            results.append(error)

    threads = [threading.Thread(target=approve, args=(n,)) for n in ("A", "B")]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert sorted(results, key=str) == sorted([None, "quote.error.already_decided"], key=str)
    engine.dispose()


def test_invoices_overdue_and_no_drafts(db, world):
    page = invoices.list_invoices(db, world["v"], now=NOW)
    assert sorted(r.status for r in page.rows) == ["AWAITING_PAYMENT", "OVERDUE", "PAID"]
    assert [r.status for r in invoices.list_invoices(db, world["v"], status="overdue", now=NOW).rows] == ["OVERDUE"]


def test_document_switches_turn_lists_off(db, world):
    db.execute(m.PortalSettings.__table__.update().values(show_quotes=False, show_invoices=False))
    db.commit()
    assert quotes.list_quotes(db, world["v"], now=NOW) is None
    assert invoices.list_invoices(db, world["v"], now=NOW) is None
    assert (
        quotes.decide_quote(db, world["v"], world["q"]["open"].id, approve=True, name="X", now=NOW)
        == "quote.error.not_found"
    )


def test_paging_is_stable_and_clamped(db, world):
    site_id = world["q"]["open"].site_id
    for n in range(25):
        db.add(
            m.Quote(
                tenant_id=world["t"].id,
                number=f"P{n:02d}",
                site_id=site_id,
                kind=m.QuoteKind.SERVICE,
                status=m.QuoteStatus.APPROVED,
                title="p",
                issued_on=TODAY,
            )
        )
    db.commit()
    first = quotes.list_quotes(db, world["v"], page=1, now=NOW)
    last = quotes.list_quotes(db, world["v"], page=99, now=NOW)
    assert (first.total, first.pages, len(first.rows)) == (28, 2, 25)
    assert (last.page, len(last.rows)) == (2, 3)
    assert not {r.id for r in first.rows} & {r.id for r in last.rows}


def test_request_a_job(db, world):
    v = world["v"]
    site_id = world["q"]["open"].site_id
    other_site = world["q"]["theirs"].site_id
    number, errors = jobs.request_job(db, v, other_site, "BANANA", "short")
    assert number is None and errors == {
        "site": "job.error.site",
        "kind": "job.error.kind",
        "description": "job.error.too_short",
    }
    assert db.exec(select(m.Job)).all() == []
    number, errors = jobs.request_job(db, v, site_id, "SERVICE_CALL", "  The pump is leaking water  ")
    db.commit()
    assert errors == {} and number.startswith("REQ-")
    job = db.exec(select(m.Job)).one()
    assert (job.stage, job.scheduled_date, job.description, job.requested_by_portal_user_id) == (
        m.JobStage.ON_HOLD,
        None,
        "The pump is leaking water",
        v.user_id,
    )
    note = db.exec(select(m.Notification).where(m.Notification.kind == m.NotificationKind.JOB_REQUESTED)).one()
    assert number in note.title
    number2, _ = jobs.request_job(db, v, site_id, "DEFECT_REPAIR", "Another request here")
    assert number2 != number


def test_job_requests_at_the_same_moment_get_distinct_numbers(db, world, any_db_url):
    """Four contacts requesting at once: four jobs, four numbers, no error; a number an
    imported job already holds is not taken again."""
    from pool_portal.db import make_engine

    site_id = world["q"]["open"].site_id
    imported = m.Job(
        tenant_id=world["t"].id, number="X", site_id=site_id, kind=m.JobKind.SERVICE_CALL, description="From the ERP"
    )
    db.add(imported)
    db.flush()
    imported.number = taken = f"REQ-{world['t'].id:02d}{imported.id + 1:06d}"  # the next request's number
    db.commit()
    engine = make_engine(any_db_url)
    barrier, results = threading.Barrier(4), []

    def request(n):
        with Session(engine) as s:
            barrier.wait()
            number, errors = jobs.request_job(s, world["v"], site_id, "SERVICE_CALL", f"Request number {n} here")
            s.commit()
            results.append((number, errors))

    threads = [threading.Thread(target=request, args=(n,)) for n in range(4)]
    for th in threads:
        th.start()
    for th in threads:
        th.join(30)
    assert [e for _, e in results] == [{}] * 4
    numbers = {n for n, _ in results}
    assert len(numbers) == 4 and all(n.startswith("REQ-") and "PENDING" not in n for n in numbers)
    db.expire_all()
    stored = db.exec(select(m.Job.number).where(m.Job.tenant_id == world["t"].id)).all()
    assert taken not in numbers and sorted(stored) == sorted(numbers | {taken})
    engine.dispose()


def test_jobs_by_when_site_dates_and_text(db, world):
    v = world["v"]
    site_id = world["q"]["open"].site_id
    other = world["q"]["theirs"].site_id

    def job(number, site, when, **kw):
        db.add(
            m.Job(
                tenant_id=world["t"].id,
                number=number,
                site_id=site,
                kind=m.JobKind.SERVICE_CALL,
                description=kw.pop("description", "Check pump"),
                scheduled_date=when,
                **kw,
            )
        )

    job("J1", site_id, TODAY - timedelta(days=10), customer_po="PO-55")
    job("J2", site_id, TODAY + timedelta(days=3), description="Replace filter sand")
    job("J3", site_id, None, due_date=TODAY + timedelta(days=40))
    job("J4", other, TODAY)  # another client's
    db.commit()
    numbers = lambda page: [r.number for r in page.rows]  # noqa: E731
    assert numbers(jobs.list_jobs(db, v, now=NOW)) == ["J3", "J2", "J1"]
    assert numbers(jobs.list_jobs(db, v, when="future", now=NOW)) == ["J2", "J3"]
    assert numbers(jobs.list_jobs(db, v, when="past", now=NOW)) == ["J1"]
    assert numbers(jobs.list_jobs(db, v, date_from=TODAY, date_to=TODAY + timedelta(days=7), now=NOW)) == ["J2"]
    assert numbers(jobs.list_jobs(db, v, text="PO-55", now=NOW)) == ["J1"]
    assert numbers(jobs.list_jobs(db, v, text="filter sand", now=NOW)) == ["J2"]
    assert numbers(jobs.list_jobs(db, v, site_id=other, now=NOW)) == []  # not in the view: nothing


def test_approval_with_an_authorisation_document(db, world, isolated_settings):
    """The document is checked by content, kept unpublished with the quote's property,
    and linked from the audit event; a disguised file changes nothing."""
    from pool_portal.services.infra import storage

    v, quote = world["v"], world["q"]["open"]
    html = ("order.pdf", b"<html><script>alert(1)</script></html>")
    assert (
        quotes.decide_quote(db, v, quote.id, approve=True, name="Ana", document=html, now=NOW)
        == "quote.error.document_type"
    )
    db.rollback()
    assert db.get(m.Quote, quote.id).status == m.QuoteStatus.AWAITING_ACCEPTANCE
    assert db.exec(select(m.Document)).all() == []
    pdf_bytes = b"%PDF-1.4\n% signed order\n"
    assert (
        quotes.decide_quote(
            db,
            v,
            quote.id,
            approve=True,
            name="Ana",
            reference="PO-9",
            document=("signed order.pdf", pdf_bytes),
            now=NOW,
        )
        is None
    )
    db.commit()
    doc = db.exec(select(m.Document)).one()
    assert (doc.site_id, doc.is_published, doc.content_type, doc.filename) == (
        quote.site_id,
        False,
        "application/pdf",
        "signed order.pdf",
    )
    assert storage.read(doc.storage_key) == pdf_bytes
    event = db.exec(select(m.AuditEvent).where(m.AuditEvent.action == "quote.approved")).one()
    assert str(doc.id) in str(event.detail)


@pytest.mark.parametrize("stage", [s for s in m.JobStage if s != m.JobStage.ON_HOLD])
def test_a_requested_job_takes_the_tenants_default_status(db, world, stage):
    db.execute(
        m.PortalSettings.__table__.update()
        .where(m.PortalSettings.tenant_id == world["t"].id)
        .values(default_job_stage=stage.value)
    )
    db.commit()
    number, errors = jobs.request_job(
        db, world["v"], world["q"]["open"].site_id, "DEFECT_REPAIR", "Please look at the skimmer lid"
    )
    db.commit()
    assert errors == {}
    job = db.exec(select(m.Job).where(m.Job.number == number)).one()
    assert (job.stage, job.scheduled_date) == (stage, None)
