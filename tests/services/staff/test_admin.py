"""The admin control panel's services, without Reflex: settings and their resolution,
per-client customisation, the logo, clients, bulk invitations, client groups, staff
users and "view as client". Each test runs on SQLite and on PostgreSQL (``db``)."""

from __future__ import annotations

import threading
from datetime import timedelta
from functools import partial

import pytest
from sqlmodel import Session, select

import pool_portal.models as m
from pool_portal.db import session_scope
from pool_portal.services.core import uow
from pool_portal.services.core.scope import portal_client_ids
from pool_portal.services.identity import access, auth, outgoing, view_as
from pool_portal.services.infra import mail
from pool_portal.services.portal import (
    branding,
    dashboard,
    jobs,
    list_columns,
    portal_settings,
    staff_alerts,
    visibility,
)
from pool_portal.services.staff import client_contacts, group_members, invitations, portal_admin
from pool_portal.services.staff import clients as admin_clients
from pool_portal.services.staff import groups as client_groups
from pool_portal.services.staff import users as admin_staff
from pool_portal.services.staff.clients import ContactStatus
from pool_portal.services.staff.groups import Ref
from pool_portal.services.staff.invitations import BulkResult

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@pytest.fixture
def world(db, isolated_settings, monkeypatch):
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://portal.example.com")
    from pool_portal import settings as settingsmod

    settingsmod.get_settings.cache_clear()
    a, b = m.Tenant(name="A Pools", slug="a"), m.Tenant(name="B Pools", slug="b")
    db.add_all([a, b])
    db.flush()
    c1, c2, c3 = (m.Client(tenant_id=a.id, name=n) for n in ("Acme Hotels", "Beach Club", "Casa Verde"))
    cb = m.Client(tenant_id=b.id, name="B Client")
    db.add_all([c1, c2, c3, cb])
    db.flush()
    db.add_all(
        [
            m.Site(tenant_id=a.id, client_id=c1.id, name="Acme 1"),
            m.Site(tenant_id=a.id, client_id=c1.id, name="Acme 2"),
            m.Site(tenant_id=a.id, client_id=c2.id, name="Beach"),
        ]
    )
    boss = m.StaffUser(tenant_id=a.id, email="boss@a.test", name="Boss", role=m.StaffRole.ADMIN)
    admin2 = m.StaffUser(tenant_id=a.id, email="ann@a.test", name="Ann", role=m.StaffRole.ADMIN)
    office = m.StaffUser(tenant_id=a.id, email="office@a-pools.example.com", name="Olga", role=m.StaffRole.OFFICE)
    b_admin = m.StaffUser(tenant_id=b.id, email="boss@b.test", name="B Boss", role=m.StaffRole.ADMIN)
    db.add_all([boss, admin2, office, b_admin])
    pat = m.PortalUser(tenant_id=a.id, email="pat@acme.test", name="Pat", password_hash="x", last_login_at=m.utcnow())
    ivy = m.PortalUser(tenant_id=a.id, email="ivy@beach.test", name="Ivy")
    pb = m.PortalUser(tenant_id=b.id, email="pb@b.test", name="PB")
    db.add_all([pat, ivy, pb])
    db.flush()
    db.add_all(
        [
            m.Membership(tenant_id=a.id, portal_user_id=pat.id, client_id=c1.id),
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
        c3=c3,
        cb=cb,
        boss=boss,
        admin2=admin2,
        office=office,
        b_admin=b_admin,
        pat=pat,
        ivy=ivy,
        pb=pb,
    )
    mail.wait_idle(30)
    settingsmod.get_settings.cache_clear()


def _events(db, action):
    return db.exec(select(m.AuditEvent).where(m.AuditEvent.action == action)).all()


def _units(db):
    """Units of work on the test's database (what ``bulk_invite`` opens per batch)."""
    return partial(session_scope, db.get_bind())


@pytest.fixture
def outbox(monkeypatch) -> list[outgoing.Outgoing]:
    """The invitations mailed after a commit, captured instead of queued."""
    sent: list[outgoing.Outgoing] = []
    monkeypatch.setattr(outgoing, "send", sent.extend)
    return sent


def _commit(db) -> None:
    """What ``db.session_scope`` does at the end of a unit of work: commit, then effects."""
    db.commit()
    uow.committed(db)


# -- settings and their resolution ---------------------------------------------------------------
def test_panel_resolution_default_then_override_and_reset_restores(db, world):
    t, boss = world["a"].id, world["boss"].id
    c1, c2 = world["c1"].id, world["c2"].id
    assert portal_settings.resolve_panels(db, t, [c1]) == dict.fromkeys(
        portal_settings.PANELS, True
    )  # no settings row yet

    assert portal_admin.update_portal_settings(db, t, boss, {"show_map": False}) == {}
    assert portal_admin.set_client_override(db, t, boss, c1, "map", True) == {}
    assert portal_admin.set_client_override(db, t, boss, c1, "spend_tracking", False) == {}
    db.commit()
    one = portal_settings.resolve_panels(db, t, [c1])
    assert one["map"] is True and one["spend_tracking"] is False and one["service_calls"] is True
    assert portal_settings.resolve_panels(db, t, [c2])["map"] is False  # the tenant default
    both = portal_settings.resolve_panels(db, t, [c1, c2])  # shown only when every client shows it
    assert both["map"] is False and both["spend_tracking"] is False and both["activity_report"] is True
    assert portal_settings.resolve_panels(db, t, [])["map"] is False

    # The dashboard resolves the same way (the one place).
    viewer = view_as.start_view_as(db, t, boss, c1)[0]
    assert visibility.panel_visibility(db, viewer) == one
    assert dashboard.build(db, viewer).spend is None

    form = portal_admin.get_client_overrides(db, t, c1)
    assert form["panels"]["map"] == {"override": True, "default": False, "shown": True}
    assert form["panels"]["defect_analytics"] == {"override": None, "default": True, "shown": True}

    assert portal_admin.set_client_override(db, t, boss, c1, "map", None) == {}  # back to the default
    assert portal_settings.resolve_panels(db, t, [c1])["map"] is False
    assert portal_admin.reset_client_overrides(db, t, boss, c1) == {}
    db.commit()
    assert portal_settings.resolve_panels(db, t, [c1]) == portal_settings.resolve_panels(db, t, [c2])
    assert portal_admin.get_client_overrides(db, t, c1)["panels"]["spend_tracking"]["override"] is None
    assert {e.action for e in db.exec(select(m.AuditEvent)).all()} >= {
        "admin.settings.updated",
        "admin.customise.set",
        "admin.customise.reset",
    }

    assert portal_admin.set_client_override(db, t, boss, c1, "bogus", True) == {"panel": "admin.customise.error.panel"}


def test_settings_are_saved_and_used(db, world):
    t, boss = world["a"].id, world["boss"].id
    errors = portal_admin.update_portal_settings(
        db,
        t,
        boss,
        {
            "show_quotes": "off",
            "show_reports": False,
            "incidents_enabled": "on",
            "asset_columns": ["model", "serial_number"],
            "asset_id_label": "  Tag no. ",
            "brand_colour": "#FF8800",
            "payment_instructions": "IBAN ES00 0000",
            "default_job_stage": "ready",
        },
    )
    assert errors == {}
    db.commit()
    s = portal_admin.get_portal_settings(db, t)
    assert s["show_quotes"] is False and s["show_reports"] is False and s["show_invoices"] is True
    assert s["asset_columns"] == ["model", "serial_number"] and s["asset_id_label"] == "Tag no."
    assert s["brand_colour"] == "#ff8800" and s["payment_instructions"] == "IBAN ES00 0000"
    assert s["default_job_stage"] == "READY"
    assert portal_settings.document_switches(db, t) == {"quotes": False, "invoices": True, "reports": False}
    cols, label = list_columns.asset_columns(db, t)
    assert "model" in cols and "serial_number" in cols and "last_test_date" not in cols and label == "Tag no."
    assert len(_events(db, "admin.settings.updated")) == 1
    # Saving the same values again changes nothing and logs nothing.
    assert portal_admin.update_portal_settings(db, t, boss, {"brand_colour": "#ff8800"}) == {}
    assert len(_events(db, "admin.settings.updated")) == 1


def test_invalid_settings_write_nothing(db, world):
    t, boss = world["a"].id, world["boss"].id
    errors = portal_admin.update_portal_settings(
        db,
        t,
        boss,
        {
            "show_map": False,  # valid, but the form as a whole is refused
            "asset_columns": ["model", "password_hash"],
            "asset_id_label": "x" * 41,
            "brand_colour": "red",
            "payment_instructions": "p" * 2001,
            "default_job_stage": "DONE",
            "show_quotes": "maybe",
            "colour": "#000000",
        },
    )
    assert errors == {
        "asset_columns": "admin.settings.error.asset_columns",
        "asset_id_label": "admin.settings.error.asset_id_label",
        "brand_colour": "admin.settings.error.brand_colour",
        "payment_instructions": "admin.settings.error.payment_instructions",
        "default_job_stage": "admin.settings.error.job_stage",
        "show_quotes": "admin.settings.error.on_off",
        "colour": "admin.settings.error.unknown_field",
    }
    assert portal_admin.update_portal_settings(db, t, boss, {"asset_id_label": "   "}) == {
        "asset_id_label": "admin.settings.error.asset_id_label"
    }
    assert portal_admin.update_portal_settings(db, t, boss, {"asset_columns": []}) == {
        "asset_columns": "admin.settings.error.asset_columns"
    }
    db.commit()
    assert db.exec(select(m.PortalSettings)).all() == []
    db.refresh(world["a"])
    assert world["a"].brand_colour == "#0e7490"
    assert db.exec(select(m.AuditEvent)).all() == []
    assert portal_settings.resolve_panels(db, t, [world["c1"].id])["map"] is True


def test_settings_need_an_active_admin_of_the_tenant(db, world):
    t = world["a"].id
    for staff in ("office", "b_admin"):
        with pytest.raises(PermissionError):
            portal_admin.update_portal_settings(db, t, world[staff].id, {"show_map": False})
    world["admin2"].is_active = False
    db.add(world["admin2"])
    db.commit()
    with pytest.raises(PermissionError):
        portal_admin.update_portal_settings(db, t, world["admin2"].id, {"show_map": False})


# -- tenant isolation ------------------------------------------------------------------------------
def test_another_tenants_ids_are_not_found(db, world):
    t, boss = world["a"].id, world["boss"].id
    cb, b = world["cb"].id, world["b"].id
    assert portal_admin.set_client_override(db, t, boss, cb, "map", False) == {"client_id": "admin.error.not_found"}
    assert portal_admin.reset_client_overrides(db, t, boss, cb) == {"client_id": "admin.error.not_found"}
    assert portal_admin.get_client_overrides(db, t, cb) is None
    assert view_as.start_view_as(db, t, boss, cb) == (None, {"client_id": "admin.error.not_found"})
    assert admin_clients.client_detail(db, t, boss, cb) is None
    b_group, _ = client_groups.create_group(db, b, world["b_admin"].id, "B group")
    assert client_groups.rename_group(db, t, boss, b_group, "Mine") == {"group_id": "admin.error.not_found"}
    assert client_groups.delete_group(db, t, boss, b_group) == {"group_id": "admin.error.not_found"}
    a_group, _ = client_groups.create_group(db, t, boss, "A group")
    assert client_groups.set_group_parent(db, t, boss, a_group, b_group) == {"parent_id": "admin.error.not_found"}
    assert group_members.add_group_client(db, t, boss, a_group, cb) == {"client_id": "admin.error.not_found"}
    assert group_members.grant_group_access(db, t, boss, a_group, world["pb"].id) == {
        "portal_user_id": "admin.error.not_found"
    }
    assert admin_staff.set_staff_active(db, t, boss, world["b_admin"].id, False) == {
        "staff_user_id": "admin.error.not_found"
    }
    assert admin_staff.set_staff_role(db, t, boss, world["b_admin"].id, "OFFICE") == {
        "staff_user_id": "admin.error.not_found"
    }
    db.commit()
    assert db.get(m.StaffUser, world["b_admin"].id).is_active
    assert db.get(m.ClientGroup, b_group).name == "B group"
    assert [r.name for r in admin_clients.list_clients(db, t, boss).rows] == [
        "Acme Hotels",
        "Beach Club",
        "Casa Verde",
    ]
    assert [g.name for g in client_groups.list_groups(db, t, boss)] == ["A group"]
    assert {r.email for r in admin_staff.list_staff(db, t, boss)} == {
        "boss@a.test",
        "ann@a.test",
        "office@a-pools.example.com",
    }
    # A staff user of tenant B cannot act on tenant A at all.
    with pytest.raises(PermissionError):
        admin_clients.list_clients(db, t, world["b_admin"].id)
    # Tenant B's settings are untouched by tenant A's.
    portal_admin.update_portal_settings(db, t, boss, {"show_map": False, "brand_colour": "#000000"})
    db.commit()
    assert (
        portal_settings.resolve_panels(db, b, [cb])["map"] is True
        and portal_admin.get_portal_settings(db, b)["brand_colour"] == "#0e7490"
    )


# -- logo --------------------------------------------------------------------------------------------
def test_logo_is_checked_by_content_and_stored_privately(db, world, isolated_settings):
    t, boss = world["a"].id, world["boss"].id
    assert branding.logo_bytes(db, t) is None
    assert portal_admin.set_logo(db, t, boss, b"%PDF-1.7 not an image", "logo.png") == {"logo": "admin.logo.error.type"}
    assert portal_admin.set_logo(db, t, boss, b"<svg onload=alert(1)>", "logo.svg") == {"logo": "admin.logo.error.type"}
    assert portal_admin.set_logo(db, t, boss, PNG + b"\x00" * (2 * 1024 * 1024), "big.png") == {
        "logo": "admin.logo.error.size"
    }
    assert portal_admin.set_logo(db, t, boss, b"", "none.png") == {"logo": "admin.logo.error.empty"}
    db.commit()
    assert db.get(m.Tenant, t).logo_path is None and not (isolated_settings / "files").exists()

    assert portal_admin.set_logo(db, t, boss, PNG, "../../etc/whatever.gif") == {}
    db.commit()
    key = db.get(m.Tenant, t).logo_path
    assert key.startswith("logos/") and key.endswith(".png")
    assert (isolated_settings / "files" / key).read_bytes() == PNG
    assert branding.logo_bytes(db, t) == (PNG, "image/png")
    assert portal_admin.get_portal_settings(db, t)["has_logo"] is True
    assert branding.logo_bytes(db, world["b"].id) is None
    assert len(_events(db, "admin.logo.updated")) == 1
    assert portal_admin.remove_logo(db, t, boss) is True
    assert branding.logo_bytes(db, t) is None


# -- clients --------------------------------------------------------------------------------------------
def test_client_list_counts_filters_and_detail(db, world):
    t, boss = world["a"].id, world["office"].id  # OFFICE staff manage clients too
    page = admin_clients.list_clients(db, t, boss)
    rows = {r.name: r for r in page.rows}
    assert page.total == 3 and page.pages == 1
    assert rows["Acme Hotels"].sites == 2 and rows["Acme Hotels"].contacts == 1
    assert rows["Acme Hotels"].last_sign_in is not None and rows["Casa Verde"].contacts == 0

    def names(access, **kw):
        return [r.name for r in admin_clients.list_clients(db, t, boss, access=access, **kw).rows]

    assert names("with_portal") == ["Acme Hotels"]
    assert names("without_portal") == ["Beach Club", "Casa Verde"]  # Ivy was never invited
    assert names("pending_invite") == []
    assert names("all", text="beach") == ["Beach Club"]
    assert names("all", text="%") == []

    out = invitations.bulk_invite(t, boss, [world["ivy"].id, world["pat"].id], units=_units(db))
    assert out == BulkResult(total=2, invited=1, skipped=1)  # Pat already has a password
    assert names("pending_invite") == ["Beach Club"]

    group, _ = client_groups.create_group(db, t, boss, "Coast")
    group_members.add_group_client(db, t, boss, group, world["c3"].id)
    group_members.grant_group_access(db, t, boss, group, world["pat"].id)
    db.commit()
    assert names("all", group_id=group) == ["Casa Verde"]
    assert names("with_portal") == ["Acme Hotels", "Casa Verde"]  # Pat reaches Casa Verde through the group

    detail = admin_clients.client_detail(db, t, boss, world["c2"].id)
    assert detail.sites == 1 and detail.groups == []
    (ivy,) = detail.contacts
    assert (ivy.name, ivy.status, ivy.status.key, ivy.via) == ("Ivy", "sent", "admin.access.sent", "client")
    assert ivy.status is ContactStatus.SENT and ivy.via_group is None
    casa = admin_clients.client_detail(db, t, boss, world["c3"].id)
    assert casa.groups == [Ref(id=group, name="Coast")]
    assert [(c.name, c.status, c.via) for c in casa.contacts] == [("Pat", "accepted", "group:Coast")]
    # An expired invitation and a disabled contact.
    later = m.utcnow() + timedelta(days=4)
    assert admin_clients.client_detail(db, t, boss, world["c2"].id, now=later).contacts[0].status == "expired"
    world["pat"].is_active = False
    db.add(world["pat"])
    db.commit()
    assert admin_clients.client_detail(db, t, boss, world["c1"].id).contacts[0].status == "disabled"
    assert [(c.name, c.status) for c in admin_clients.client_detail(db, t, boss, world["c3"].id).contacts] == [
        ("Pat", "disabled")
    ]
    assert names("with_portal") == []


def test_the_columns_the_admin_uses_are_in_the_migrated_schema(db):
    """No migration 0002 is needed: tenant.logo_path (the logo's storage key) and
    user_session.impersonating_client_id ("viewing as client X") are in 0001."""
    from sqlalchemy import inspect

    insp = inspect(db.get_bind())
    logo = {c["name"]: c for c in insp.get_columns("tenant")}["logo_path"]
    assert logo["nullable"] and logo["type"].length == 255
    assert "impersonating_client_id" in {c["name"] for c in insp.get_columns("user_session")}


# -- bulk invitations -----------------------------------------------------------------------------------
def test_bulk_invite_of_200_in_the_background_while_others_work(db, world, isolated_settings):
    t, office = world["a"].id, world["office"].id
    client = world["c3"]
    users = [m.PortalUser(tenant_id=t, email=f"c{i:03d}@casa.test", name=f"Contact {i:03d}") for i in range(200)]
    db.add_all(users)
    db.flush()
    db.add_all([m.Membership(tenant_id=t, portal_user_id=u.id, client_id=client.id) for u in users])
    db.commit()
    ids = [u.id for u in users] + [world["pb"].id]  # another tenant's contact is skipped

    engine = db.get_bind()
    seen: list[tuple[int, int]] = []
    first_batch, main_done = threading.Event(), threading.Event()
    result: dict = {}

    def progress(done, total):
        seen.append((done, total))
        if not first_batch.is_set():
            first_batch.set()
            main_done.wait(30)  # hold the job mid-run until the main thread has worked

    def job():
        result["out"] = invitations.bulk_invite(
            t, office, ids, progress, units=partial(session_scope, engine), batch_size=20
        )

    worker = threading.Thread(target=job)
    worker.start()
    try:
        assert first_batch.wait(60)
        # Meanwhile another session reads and writes.
        with Session(engine, expire_on_commit=False) as other:
            assert other.exec(select(m.AuthToken).where(m.AuthToken.purpose == m.TokenPurpose.INVITATION)).all()
            c = other.get(m.Client, world["c1"].id)
            c.phone = "+34 600 000 000"
            other.add(c)
            other.commit()
        assert worker.is_alive()
    finally:
        main_done.set()
        worker.join(120)
    assert not worker.is_alive()
    assert result["out"] == BulkResult(total=201, invited=200, skipped=1)
    assert seen[-1] == (201, 201) and len(seen) == 11 and [d for d, _ in seen] == sorted(d for d, _ in seen)
    assert mail.wait_idle(60)
    sent = list((isolated_settings / "outbox").glob("*.eml"))
    assert len(sent) == 200
    db.expire_all()
    assert db.get(m.Client, world["c1"].id).phone == "+34 600 000 000"
    assert len(_events(db, "invitation.sent")) == 200 and len(_events(db, "admin.bulk_invite")) == 1
    rows = admin_clients.list_clients(db, t, office, access="pending_invite").rows
    assert [r.name for r in rows] == ["Casa Verde"] and rows[0].contacts == 200


# -- client groups ------------------------------------------------------------------------------------
def test_groups_nest_without_cycles_and_give_access(db, world):
    t, boss = world["a"].id, world["boss"].id
    national, errors = client_groups.create_group(db, t, boss, "National")
    assert errors == {}
    region, _ = client_groups.create_group(db, t, boss, "North", parent_id=national)
    city, _ = client_groups.create_group(db, t, boss, "Bilbao", parent_id=region)
    assert client_groups.create_group(db, t, boss, " national ") == (None, {"name": "admin.group.error.name_taken"})
    assert client_groups.create_group(db, t, boss, "  ") == (None, {"name": "admin.group.error.name_required"})
    assert client_groups.rename_group(db, t, boss, city, "north") == {"name": "admin.group.error.name_taken"}
    assert client_groups.rename_group(db, t, boss, city, "Bilbao Centre") == {}

    assert client_groups.set_group_parent(db, t, boss, national, city) == {"parent_id": "admin.group.error.cycle"}
    assert client_groups.set_group_parent(db, t, boss, national, region) == {"parent_id": "admin.group.error.cycle"}
    assert client_groups.set_group_parent(db, t, boss, region, region) == {"parent_id": "admin.group.error.cycle"}
    db.commit()
    assert db.get(m.ClientGroup, national).parent_id is None
    assert [(g.name, g.depth) for g in client_groups.list_groups(db, t, boss)] == [
        ("National", 0),
        ("North", 1),
        ("Bilbao Centre", 2),
    ]

    # Access through a group reaches the clients of its nested groups.
    assert group_members.add_group_client(db, t, boss, city, world["c3"].id) == {}
    assert group_members.add_group_client(db, t, boss, city, world["c3"].id) == {}  # twice: still one
    assert group_members.grant_group_access(db, t, boss, national, world["ivy"].id, "billing") == {}
    db.commit()
    ivy = world["ivy"].id
    assert portal_client_ids(db, t, ivy) == {world["c2"].id, world["c3"].id}
    # Moving the city out of the national group takes that access away.
    assert client_groups.set_group_parent(db, t, boss, city, None) == {}
    db.commit()
    assert portal_client_ids(db, t, ivy) == {world["c2"].id}
    assert client_groups.set_group_parent(db, t, boss, national, city) == {}  # now allowed: no cycle
    db.commit()
    assert portal_client_ids(db, t, ivy) == {world["c2"].id}  # national is below the city, not above it

    # Only an empty group is deleted.
    assert client_groups.delete_group(db, t, boss, national) == {"group_id": "admin.group.error.not_empty"}
    assert group_members.revoke_group_access(db, t, boss, national, ivy) == {}
    assert client_groups.delete_group(db, t, boss, national) == {"group_id": "admin.group.error.not_empty"}  # North
    assert client_groups.delete_group(db, t, boss, region) == {}
    assert client_groups.delete_group(db, t, boss, city) == {"group_id": "admin.group.error.not_empty"}
    assert group_members.remove_group_client(db, t, boss, city, world["c3"].id) == {}
    db.commit()
    assert client_groups.delete_group(db, t, boss, national) == {}
    assert client_groups.delete_group(db, t, boss, city) == {}
    db.commit()
    assert client_groups.list_groups(db, t, boss) == []
    assert {e.action for e in db.exec(select(m.AuditEvent)).all()} >= {
        "admin.group.created",
        "admin.group.renamed",
        "admin.group.moved",
        "admin.group.client_added",
        "admin.group.access_granted",
        "admin.group.access_revoked",
        "admin.group.deleted",
    }


# -- staff users ----------------------------------------------------------------------------------------
def test_last_active_admin_cannot_go_and_first_admin_follows(db, world):
    t = world["a"].id
    boss, ann = world["boss"], world["admin2"]
    assert boss.id < ann.id
    assert admin_staff.first_active_admin(db, t) == boss.id
    token = auth.start_session(db, boss)
    db.commit()
    assert auth.resolve_viewer(db, token) is not None

    assert admin_staff.set_staff_active(db, t, ann.id, boss.id, False) == {}
    db.commit()
    assert auth.resolve_viewer(db, token) is None  # signed out at once
    assert db.exec(select(m.UserSession).where(m.UserSession.staff_user_id == boss.id)).one().revoked_at is not None
    assert admin_staff.first_active_admin(db, t) == ann.id
    staff_alerts.notify_staff(db, t, "Quote Q-1 approved", "By Pat", "/admin/quotes/1")
    db.commit()
    assert db.exec(select(m.Notification.staff_user_id)).all() == [ann.id]

    # Ann is now the last active ADMIN: she can neither deactivate nor demote herself.
    assert admin_staff.set_staff_active(db, t, ann.id, ann.id, False) == {
        "staff_user_id": "admin.staff.error.last_admin"
    }
    assert admin_staff.set_staff_role(db, t, ann.id, ann.id, "OFFICE") == {"role": "admin.staff.error.last_admin"}
    db.commit()
    assert db.get(m.StaffUser, ann.id).is_active and db.get(m.StaffUser, ann.id).role == m.StaffRole.ADMIN
    # Promoting the office user makes room.
    assert admin_staff.set_staff_role(db, t, ann.id, world["office"].id, "admin") == {}
    assert admin_staff.set_staff_role(db, t, ann.id, ann.id, m.StaffRole.TECHNICIAN) == {}
    db.commit()
    assert admin_staff.first_active_admin(db, t) == world["office"].id
    with pytest.raises(PermissionError):  # Ann is no longer an ADMIN
        admin_staff.set_staff_active(db, t, ann.id, boss.id, True)
    assert admin_staff.set_staff_active(db, t, world["office"].id, boss.id, True) == {}
    db.commit()
    assert admin_staff.first_active_admin(db, t) == boss.id
    assert admin_staff.set_staff_role(db, t, boss.id, ann.id, "JANITOR") == {"role": "admin.staff.error.role"}
    assert {e.action for e in db.exec(select(m.AuditEvent)).all()} >= {
        "admin.staff.deactivated",
        "admin.staff.reactivated",
        "admin.staff.role_changed",
    }


def test_invite_staff_validates_and_sends_a_set_password_link(db, world, outbox):
    t, boss = world["a"].id, world["boss"].id
    assert admin_staff.invite_staff(db, t, boss, "not-an-email", "", "CHIEF") == (
        None,
        {"email": "admin.staff.error.email", "name": "admin.staff.error.name", "role": "admin.staff.error.role"},
    )
    assert admin_staff.invite_staff(db, t, boss, "Office@A-Pools.example.com", "Olga 2", "OFFICE")[1] == {
        "email": "admin.staff.error.email_taken"
    }
    assert db.exec(select(m.StaffUser).where(m.StaffUser.tenant_id == t)).all().__len__() == 3
    new_id, errors = admin_staff.invite_staff(db, t, boss, " Tina@A-Pools.example.com ", "Tina", "technician")
    assert outbox == []  # mailed only once committed
    _commit(db)
    assert errors == {} and db.get(m.StaffUser, new_id).role == m.StaffRole.TECHNICIAN
    (out,) = outbox
    assert out.kind == "staff_invitation" and out.to == "tina@a-pools.example.com"
    assert out.params["link"].startswith("https://portal.example.com/admin/set-password?token=")
    subject, text, _ = mail.render(out.kind, "es", **out.params)
    assert "Boss" in subject and out.params["link"] in text
    assert any(r.email == "tina@a-pools.example.com" and r.invited for r in admin_staff.list_staff(db, t, boss))
    token = out.params["link"].split("token=", 1)[1]
    user, error = access.accept_staff_invitation(
        db, token, "correct horse battery staple", "correct horse battery staple"
    )
    db.commit()
    assert error is None and user.id == new_id
    assert auth.authenticate(db, "staff", "tina@a-pools.example.com", "correct horse battery staple").id == new_id
    assert access.accept_staff_invitation(db, token, "another long passphrase", "another long passphrase") == (
        None,
        "link.invalid",
    )


# -- view as client -------------------------------------------------------------------------------------
def test_view_as_client_gives_a_read_only_viewer_of_that_client_only(db, world):
    t, boss = world["a"], world["boss"]
    token = auth.start_session(db, boss)
    db.commit()
    staff = auth.resolve_viewer(db, token)
    assert view_as.view_as_viewer(db, staff) is None  # not viewing as anyone yet

    viewer, errors = view_as.start_view_as(db, t.id, boss.id, world["c1"].id, session_id=staff.session_id)
    db.commit()
    assert errors == {}
    assert viewer.is_portal and viewer.read_only and viewer.client_ids == frozenset({world["c1"].id})
    assert viewer.acting_staff_id == boss.id and viewer.user_id == 0 and viewer.tenant_id == t.id
    assert len(_events(db, "admin.view_as")) == 1
    # The session carries it: every request of this browser resolves to the same viewer.
    again = view_as.view_as_viewer(db, auth.resolve_viewer(db, token))
    assert again == viewer
    assert [s.name for s in visibility.view_sites(db, again)] == ["Acme 1", "Acme 2"]
    # The guard refuses every write handler for it.
    from pool_portal.states.guard import Rule, refuse_reason

    assert refuse_reason(again, Rule("portal", allow_read_only=False)) == "read-only"
    assert refuse_reason(again, Rule("portal")) is None

    assert view_as.end_view_as(db, t.id, boss.id, staff.session_id) is True
    db.commit()
    assert view_as.view_as_viewer(db, auth.resolve_viewer(db, token)) is None
    # Not for another staff member's session, nor for a technician.
    with pytest.raises(PermissionError):
        view_as.start_view_as(db, t.id, world["admin2"].id, world["c1"].id, session_id=staff.session_id)
    tech = m.StaffUser(tenant_id=t.id, email="tech@a.test", name="Tom", role=m.StaffRole.TECHNICIAN)
    db.add(tech)
    db.commit()
    with pytest.raises(PermissionError):
        view_as.start_view_as(db, t.id, tech.id, world["c1"].id)


def test_a_staff_session_viewing_as_a_client_is_that_client_on_the_portal_side_only(db, world):
    """auth.resolve_viewer(portal_side=True): what the portal handlers and downloads use."""
    t, office = world["a"], world["office"]
    token = auth.start_session(db, office)
    db.commit()
    staff = auth.resolve_viewer(db, token)
    assert auth.resolve_viewer(db, token, portal_side=True) == staff  # not viewing as anyone: staff, refused there
    view_as.start_view_as(db, t.id, office.id, world["c1"].id, session_id=staff.session_id)
    db.commit()
    portal = auth.resolve_viewer(db, token, portal_side=True)
    assert portal.is_portal and portal.read_only and portal.client_ids == frozenset({world["c1"].id})
    assert auth.resolve_viewer(db, token).is_staff  # the admin side stays the staff member's
    # Writes are refused by the services too, not only by the guard.
    site = db.exec(select(m.Site).where(m.Site.client_id == world["c1"].id)).first()
    assert jobs.request_job(db, portal, site.id, "SERVICE_CALL", "Pump noise")[1] != {}
    # The client deactivated, or the staff member demoted to technician: no portal view at all.
    world["c1"].is_active = False
    db.add(world["c1"])
    db.commit()
    assert auth.resolve_viewer(db, token, portal_side=True).is_staff
    world["c1"].is_active = True
    office.role = m.StaffRole.TECHNICIAN
    db.add_all([world["c1"], office])
    db.commit()
    assert auth.resolve_viewer(db, token, portal_side=True).is_staff
    # A portal user's session is never affected.
    pat_token = auth.start_session(db, world["pat"])
    db.commit()
    assert auth.resolve_viewer(db, pat_token, portal_side=True) == auth.resolve_viewer(db, pat_token)


def test_the_logo_stamp_changes_with_the_logo(db, world):
    t, boss = world["a"].id, world["boss"].id
    token = auth.start_session(db, world["pat"])
    db.commit()
    assert auth.resolve_viewer(db, token).tenant_logo == ""
    portal_admin.set_logo(db, t, boss, PNG, "a.png")
    db.commit()
    first = auth.resolve_viewer(db, token).tenant_logo
    portal_admin.set_logo(db, t, boss, PNG + b"\x01", "b.png")
    db.commit()
    second = auth.resolve_viewer(db, token).tenant_logo
    assert first and second and first != second


def test_a_pdf_carries_the_logo(db, world):
    import io

    from PIL import Image
    from pypdf import PdfReader

    from pool_portal.services.infra import pdf

    t, boss = world["a"].id, world["boss"].id
    buf = io.BytesIO()
    Image.new("RGB", (300, 100), (200, 30, 30)).save(buf, format="PNG")
    assert portal_admin.set_logo(db, t, boss, buf.getvalue(), "logo.png") == {}
    db.commit()
    viewer = view_as.start_view_as(db, t, boss, world["c1"].id)[0]
    images = [
        img
        for page in PdfReader(io.BytesIO(pdf.monthly_activity_report(db, viewer, 2026, 1))).pages
        for img in page.images
    ]
    assert len(images) == 1 and images[0].image.size == (300, 100)
    portal_admin.remove_logo(db, t, boss)
    db.commit()
    assert not PdfReader(io.BytesIO(pdf.monthly_activity_report(db, viewer, 2026, 1))).pages[0].images


def test_invitable_contacts_follow_the_list_filters(db, world):
    t, office = world["a"].id, world["office"].id
    # Ivy (Beach Club) was never invited; Pat (Acme) has signed up; Zoe (Casa Verde) has a live invitation.
    zoe = m.PortalUser(tenant_id=t, email="zoe@casa.test", name="Zoe")
    db.add(zoe)
    db.flush()
    db.add(m.Membership(tenant_id=t, portal_user_id=zoe.id, client_id=world["c3"].id))
    db.commit()
    invitations.bulk_invite(t, office, [zoe.id], units=_units(db))
    assert invitations.invitable_contacts(db, t, office) == [world["ivy"].id]
    assert invitations.invitable_contacts(db, t, office, text="acme") == []
    assert invitations.invitable_contacts(db, t, office, access="without_portal") == [world["ivy"].id]
    later = m.utcnow() + timedelta(days=4)  # Zoe's invitation has expired by then
    assert invitations.invitable_contacts(db, t, office, now=later) == sorted([world["ivy"].id, zoe.id])
    group, _ = client_groups.create_group(db, t, office, "Casas")
    group_members.add_group_client(db, t, office, group, world["c3"].id)
    db.commit()
    assert invitations.invitable_contacts(db, t, office, group_id=group, now=later) == [zoe.id]
    with pytest.raises(PermissionError):
        invitations.invitable_contacts(db, t, world["b_admin"].id)


def test_add_contact_validates_reuses_the_person_and_invites(db, world, outbox):
    t, office = world["a"].id, world["office"].id
    c1, c3 = world["c1"].id, world["c3"].id
    assert client_contacts.add_contact(db, t, office, c3, "", "nope", "CHIEF") == (
        None,
        {"email": "admin.contact.error.email", "name": "admin.contact.error.name", "role": "admin.group.error.role"},
        False,
    )
    assert client_contacts.add_contact(db, t, office, world["cb"].id, "Eve", "eve@example.com") == (
        None,
        {"client_id": "admin.error.not_found"},
        False,
    )
    db.commit()
    assert len(db.exec(select(m.PortalUser).where(m.PortalUser.tenant_id == t)).all()) == 2

    new_id, errors, invited = client_contacts.add_contact(
        db, t, office, c3, " Rosa  Gil ", "Rosa@Casa.example.com", "billing"
    )
    _commit(db)
    assert errors == {} and invited is True and db.get(m.PortalUser, new_id).name == "Rosa Gil"
    (invitation,) = outbox
    assert invitation.kind == "invitation" and invitation.to == "rosa@casa.example.com"
    detail = admin_clients.client_detail(db, t, office, c3)
    assert [(c.email, c.status) for c in detail.contacts] == [("rosa@casa.example.com", "sent")]
    assert client_contacts.add_contact(db, t, office, c3, "Rosa", "rosa@casa.example.com")[1] == {
        "email": "admin.contact.error.already"
    }
    # Once signed up, Rosa gets Acme too: the same person, and no invitation is needed.
    db.get(m.PortalUser, new_id).password_hash = "set"
    db.commit()
    same, errors, invited = client_contacts.add_contact(db, t, office, c1, "Rosa", "rosa@casa.example.com", "SITE")
    _commit(db)
    assert (same, errors, invited) == (new_id, {}, False) and len(outbox) == 1
    assert portal_client_ids(db, t, new_id) == {c1, c3}
    # A disabled contact is not given access again behind the admin's back.
    db.get(m.PortalUser, new_id).is_active = False
    db.commit()
    assert client_contacts.add_contact(db, t, office, world["c2"].id, "Rosa", "rosa@casa.example.com")[1] == {
        "email": "admin.contact.error.disabled"
    }
    assert len(_events(db, "admin.contact.added")) == 2


def test_group_detail_lists_members_access_and_choices(db, world):
    t, boss = world["a"].id, world["boss"].id
    top, _ = client_groups.create_group(db, t, boss, "Top")
    mid, _ = client_groups.create_group(db, t, boss, "Mid", top)
    low, _ = client_groups.create_group(db, t, boss, "Low", mid)
    other, _ = client_groups.create_group(db, t, boss, "Other")
    group_members.add_group_client(db, t, boss, mid, world["c1"].id)
    group_members.grant_group_access(db, t, boss, mid, world["ivy"].id, "BILLING")
    db.commit()
    d = client_groups.group_detail(db, t, boss, mid)
    assert d.name == "Mid" and d.path == ["Top"] and d.sub_groups == [Ref(id=low, name="Low")]
    assert d.clients == [Ref(id=world["c1"].id, name="Acme Hotels")]
    assert [(c.name, c.role) for c in d.contacts] == [("Ivy", "BILLING")]
    assert {g.name for g in d.parent_choices} == {"Top", "Other"}  # not itself nor Low (a cycle)
    assert {c.name for c in d.client_choices} == {"Beach Club", "Casa Verde"}
    assert {c.name for c in d.contact_choices} == {"Pat"}
    assert client_groups.group_detail(db, t, boss, 999999) is None
    b_group, _ = client_groups.create_group(db, world["b"].id, world["b_admin"].id, "B")
    assert client_groups.group_detail(db, t, boss, b_group) is None
    assert other
