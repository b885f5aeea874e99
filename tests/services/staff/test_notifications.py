"""The staff notifications list (what the bell counts), without Reflex."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

import pool_portal.models as m
from pool_portal.presentation import admin as show
from pool_portal.services.core.scope import Viewer
from pool_portal.services.staff import notifications as sn


def _viewer(u: m.StaffUser) -> Viewer:
    return Viewer(
        kind="staff", tenant_id=u.tenant_id, user_id=u.id, session_id=0, name=u.name, email=u.email, role=u.role
    )


@pytest.fixture
def staff(db):
    a = m.Tenant(name="A Pools", slug="a", timezone="Europe/Madrid")
    b = m.Tenant(name="B Pools", slug="b")
    db.add_all([a, b])
    db.flush()
    ada = m.StaffUser(tenant_id=a.id, email="ada@a.test", name="Ada", role=m.StaffRole.ADMIN)
    olga = m.StaffUser(tenant_id=a.id, email="olga@a.test", name="Olga", role=m.StaffRole.OFFICE)
    bob = m.StaffUser(tenant_id=b.id, email="bob@b.test", name="Bob", role=m.StaffRole.ADMIN)
    db.add_all([ada, olga, bob])
    db.flush()
    rows = []
    for i in range(30):
        rows.append(
            m.Notification(
                tenant_id=a.id,
                kind=m.NotificationKind.QUOTE_DECIDED,
                staff_user_id=ada.id,
                title=f"Quote Q-{i:03d} approved",
                body="Villa Azul",
                link=f"/admin/quote?id={i + 1}",
                created_at=datetime(2026, 11, 1 + i % 28, 22, 30, tzinfo=UTC),
            )
        )
    rows.append(
        m.Notification(
            tenant_id=a.id,
            kind=m.NotificationKind.JOB_REQUESTED,
            staff_user_id=olga.id,
            title="Job requested",
            link="/admin/job?id=1",
        )
    )
    rows.append(
        m.Notification(
            tenant_id=b.id,
            kind=m.NotificationKind.JOB_REQUESTED,
            staff_user_id=bob.id,
            title="Job requested in B",
            link="/admin/job?id=2",
        )
    )
    rows.append(
        m.Notification(
            tenant_id=a.id,
            kind=m.NotificationKind.INCIDENT_MESSAGE,
            staff_user_id=ada.id,
            title="Odd link",
            link="https://evil.example/phish",
            created_at=datetime(2026, 12, 1, 9, 0, tzinfo=UTC),
        )
    )
    db.add_all(rows)
    db.commit()
    return dict(ada=_viewer(ada), olga=_viewer(olga), bob=_viewer(bob), rows=rows)


def test_a_staff_user_sees_only_their_own_newest_first_in_pages(db, staff):
    first = sn.list_for(db, staff["ada"])
    assert (first.total, first.unread, first.pages) == (31, 31, 2)
    assert len(first.rows) == sn.PAGE_SIZE
    assert first.rows[0].title == "Odd link"
    # Shown in the tenant's time zone: 22:30 UTC on 1 November is 23:30 in Madrid.
    on_the_first = [
        r
        for r in show.notification_rows(first) + show.notification_rows(sn.list_for(db, staff["ada"], page=2))
        if r["title"] in ("Quote Q-000 approved", "Quote Q-028 approved")
    ]
    assert {r["when"] for r in on_the_first} == {"2026-11-01 23:30"}
    second = sn.list_for(db, staff["ada"], page=2)
    assert len(second.rows) == 31 - sn.PAGE_SIZE
    titles = {r.title for r in first.rows + second.rows}
    assert "Job requested" not in titles and "Job requested in B" not in titles
    assert sn.list_for(db, staff["ada"], page=99).page == 2
    assert [r.title for r in sn.list_for(db, staff["bob"]).rows] == ["Job requested in B"]


def test_opening_one_marks_it_read_and_gives_its_page(db, staff):
    target = staff["rows"][5]
    assert sn.open_one(db, staff["ada"], target.id) == "/admin/quote?id=6"
    db.commit()  # the caller's unit of work
    db.refresh(target)
    assert target.is_read
    listing = sn.list_for(db, staff["ada"])
    assert listing.unread == 30
    assert sn.list_for(db, staff["ada"], unread_only=True).total == 30


def test_another_users_or_tenants_notification_is_not_found_and_stays_unread(db, staff):
    olgas, bobs = staff["rows"][30], staff["rows"][31]
    assert sn.open_one(db, staff["ada"], olgas.id) is None
    assert sn.open_one(db, staff["ada"], bobs.id) is None
    assert sn.open_one(db, staff["ada"], 10**12) is None
    db.refresh(olgas)
    db.refresh(bobs)
    assert not olgas.is_read and not bobs.is_read


def test_a_link_outside_the_app_is_never_followed(db, staff):
    odd = staff["rows"][32]
    assert sn.open_one(db, staff["ada"], odd.id) == ""
    db.commit()  # the caller's unit of work
    row = next(r for r in show.notification_rows(sn.list_for(db, staff["ada"])) if r["title"] == "Odd link")
    assert row["has_link"] == "" and row["read"] == "1"
    for bad in ("//evil.example", "https://x", "javascript:alert(1)", "/\\evil", "", None, "/ok\nSet-Cookie: x"):
        assert sn.safe_link(bad) == ""
    assert sn.safe_link("/admin/incident?id=3") == "/admin/incident?id=3"


def test_mark_all_read_is_the_callers_only(db, staff):
    assert sn.mark_all_read(db, staff["ada"]) == 31
    db.commit()  # the caller's unit of work
    assert sn.list_for(db, staff["ada"]).unread == 0
    assert sn.list_for(db, staff["olga"]).unread == 1
    assert sn.list_for(db, staff["bob"]).unread == 1


def test_portal_users_get_nothing(db, staff):
    portal = Viewer(
        kind="portal",
        tenant_id=staff["ada"].tenant_id,
        user_id=staff["ada"].user_id,
        session_id=0,
        name="P",
        email="p@x",
    )
    with pytest.raises(PermissionError):
        sn.list_for(db, portal)
    with pytest.raises(PermissionError):
        sn.open_one(db, portal, staff["rows"][0].id)
