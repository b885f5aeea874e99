"""Password sign-in, server-side sessions and the viewer scope, without Reflex."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

import pool_portal.models  # noqa: F401  (registers the tables)
from pool_portal.models import (
    AuditEvent,
    Client,
    ClientGroup,
    ClientGroupMember,
    Membership,
    PortalUser,
    Site,
    StaffRole,
    StaffUser,
    Tenant,
    UserSession,
    utcnow,
)
from pool_portal.services.core.scope import sites_for
from pool_portal.services.identity import auth
from pool_portal.services.identity.passwords import hash_password, password_problem

PASSWORD = "correct horse battery"


@pytest.fixture
def world(db):
    """Two tenants; in A a nested group (national > regional) and a lone client."""
    pw = hash_password(PASSWORD)
    a, b = Tenant(name="A Pools", slug="a"), Tenant(name="B Pools", slug="b")
    db.add_all([a, b])
    db.flush()
    national = ClientGroup(tenant_id=a.id, name="National")
    db.add(national)
    db.flush()
    regional = ClientGroup(tenant_id=a.id, name="Regional", parent_id=national.id)
    db.add(regional)
    db.flush()
    c1, c2, lone = (Client(tenant_id=a.id, name=n) for n in ("Hotel One", "Hotel Two", "Lone Villa"))
    other = Client(tenant_id=b.id, name="B Client")
    db.add_all([c1, c2, lone, other])
    db.flush()
    db.add_all(
        [
            ClientGroupMember(tenant_id=a.id, group_id=national.id, client_id=c1.id),
            ClientGroupMember(tenant_id=a.id, group_id=regional.id, client_id=c2.id),
        ]
    )
    sites = {c.name: Site(tenant_id=c.tenant_id, client_id=c.id, name=f"{c.name} pool") for c in (c1, c2, lone, other)}
    db.add_all(sites.values())
    group_user = PortalUser(tenant_id=a.id, email="group@a.test", name="Group", password_hash=pw)
    lone_user = PortalUser(tenant_id=a.id, email="lone@a.test", name="Lone", password_hash=pw)
    b_user = PortalUser(
        tenant_id=b.id, email="lone@a.test", name="Same email in B", password_hash=hash_password("another password")
    )
    staff = StaffUser(tenant_id=a.id, email="admin@a.test", name="Admin", role=StaffRole.ADMIN, password_hash=pw)
    db.add_all([group_user, lone_user, b_user, staff])
    db.flush()
    db.add_all(
        [
            Membership(tenant_id=a.id, portal_user_id=group_user.id, group_id=national.id),
            Membership(tenant_id=a.id, portal_user_id=lone_user.id, client_id=lone.id),
            Membership(tenant_id=b.id, portal_user_id=b_user.id, client_id=other.id),
        ]
    )
    db.commit()
    return dict(
        a=a,
        b=b,
        c1=c1,
        c2=c2,
        lone=lone,
        other=other,
        group_user=group_user,
        lone_user=lone_user,
        b_user=b_user,
        staff=staff,
        national=national,
    )


def _sign_in(db, kind, email, password=PASSWORD):
    user = auth.authenticate(db, kind, email, password)
    assert user is not None
    token = auth.start_session(db, user)
    db.commit()
    return user, token


def test_right_password_signs_in_wrong_one_does_not_and_is_audited(db, world):
    assert auth.authenticate(db, "portal", "LONE@a.test ", PASSWORD).id == world["lone_user"].id
    assert auth.authenticate(db, "portal", "lone@a.test", "wrong password") is None
    assert auth.authenticate(db, "portal", "nobody@a.test", PASSWORD) is None
    # A staff email does not sign in on the portal side, nor the reverse.
    assert auth.authenticate(db, "portal", "admin@a.test", PASSWORD) is None
    assert auth.authenticate(db, "staff", "lone@a.test", PASSWORD) is None
    db.commit()
    failures = db.exec(select(AuditEvent).where(AuditEvent.action == "login.failed")).all()
    assert len(failures) == 4


def test_same_email_in_two_tenants_signs_into_the_one_whose_password_matches(db, world):
    assert auth.authenticate(db, "portal", "lone@a.test", "another password").tenant_id == world["b"].id


def test_group_view_includes_nested_groups_and_nothing_else(db, world):
    _, token = _sign_in(db, "portal", "group@a.test")
    viewer = auth.resolve_viewer(db, token)
    assert viewer.client_ids == {world["c1"].id, world["c2"].id}
    names = [s.name for s in sites_for(db, viewer)]
    assert names == ["Hotel One pool", "Hotel Two pool"]


def test_lone_client_sees_only_its_site(db, world):
    _, token = _sign_in(db, "portal", "lone@a.test")
    viewer = auth.resolve_viewer(db, token)
    assert [s.name for s in sites_for(db, viewer)] == ["Lone Villa pool"]


def test_staff_sees_own_tenant_sites_only(db, world):
    _, token = _sign_in(db, "staff", "admin@a.test")
    viewer = auth.resolve_viewer(db, token)
    assert viewer.is_staff and viewer.role == StaffRole.ADMIN
    assert {s.name for s in sites_for(db, viewer)} == {"Hotel One pool", "Hotel Two pool", "Lone Villa pool"}


def test_session_token_is_stored_hashed_and_new_at_each_sign_in(db, world):
    _, t1 = _sign_in(db, "portal", "lone@a.test")
    _, t2 = _sign_in(db, "portal", "lone@a.test")
    assert t1 != t2
    stored = {s.token_hash for s in db.exec(select(UserSession)).all()}
    assert t1 not in stored and auth.hash_token(t1) in stored


def test_sign_out_kills_the_session(db, world):
    _, token = _sign_in(db, "portal", "lone@a.test")
    assert auth.end_session(db, token) is True
    db.commit()
    assert auth.resolve_viewer(db, token) is None
    assert auth.end_session(db, token) is False


def test_idle_and_absolute_expiry(db, world):
    _, token = _sign_in(db, "portal", "lone@a.test")
    now = utcnow()
    assert auth.resolve_viewer(db, token, now=now + timedelta(minutes=29)) is not None
    db.commit()
    # Idle timer restarted at +29 min; 31 minutes after that it is dead.
    assert auth.resolve_viewer(db, token, now=now + timedelta(minutes=29 + 31)) is None
    # However active, it dies at the absolute limit (12 h).
    _, token2 = _sign_in(db, "portal", "lone@a.test")
    t = utcnow()
    for minutes in range(20, 12 * 60, 20):
        assert auth.resolve_viewer(db, token2, now=t + timedelta(minutes=minutes)) is not None
        db.commit()
    assert auth.resolve_viewer(db, token2, now=t + timedelta(hours=12, minutes=1)) is None


def test_a_check_without_touch_leaves_the_idle_timer(db, world):
    """A live page's watcher checks the session every few seconds (touch=False): an
    open tab is not activity, so the session still goes idle."""
    _, token = _sign_in(db, "portal", "lone@a.test")
    now = utcnow()
    assert auth.resolve_viewer(db, token, now=now + timedelta(minutes=29), touch=False) is not None
    db.commit()
    assert auth.resolve_viewer(db, token, now=now + timedelta(minutes=31), touch=False) is None


def test_disabling_user_or_membership_ends_access_at_once(db, world):
    user, token = _sign_in(db, "portal", "group@a.test")
    m = db.exec(select(Membership).where(Membership.portal_user_id == user.id)).one()
    m.is_active = False
    db.commit()
    assert auth.resolve_viewer(db, token).client_ids == frozenset()
    user.is_active = False
    db.commit()
    assert auth.resolve_viewer(db, token) is None


def test_garbage_tokens_resolve_to_nobody(db, world):
    for token in (None, "", "x" * 5000, "not-a-session"):
        assert auth.resolve_viewer(db, token) is None


def test_cookie_header_parsing():
    assert auth.token_from_cookie_header("a=1; pp_session=abc-DEF_1; b=2") == "abc-DEF_1"
    assert auth.token_from_cookie_header("a=1") is None
    assert auth.token_from_cookie_header(None) is None


def test_password_rules():
    assert password_problem("short") == "password.too_short"
    assert password_problem("a" * 129) == "password.too_long"
    assert password_problem("a long enough passphrase") is None


def test_group_user_switches_view_within_what_they_may_see(db, world):
    user, token = _sign_in(db, "portal", "group@a.test")
    from pool_portal.services.core.scope import view_options

    options = dict(view_options(db, world["a"].id, user.id))
    # One membership: that group is the default view, listed first; no "all".
    assert list(options)[0] == f"group:{world['national'].id}" and "all" not in options
    assert f"client:{world['c1'].id}" in options
    assert f"client:{world['lone'].id}" not in options
    assert auth.set_view(db, token, f"client:{world['c2'].id}") is True
    db.commit()
    assert auth.resolve_viewer(db, token).client_ids == {world["c2"].id}
    # Another tenant's client, a client outside the group, garbage: refused, view unchanged.
    for bad in (f"client:{world['other'].id}", f"client:{world['lone'].id}", "group:99999", "client:abc"):
        assert auth.set_view(db, token, bad) is False
    db.commit()
    assert auth.resolve_viewer(db, token).client_ids == {world["c2"].id}
    assert auth.set_view(db, token, f"group:{world['national'].id}") is True
    db.commit()
    assert auth.resolve_viewer(db, token).client_ids == {world["c1"].id, world["c2"].id}


def test_sign_out_everywhere(db, world):
    user, t1 = _sign_in(db, "portal", "lone@a.test")
    _, t2 = _sign_in(db, "portal", "lone@a.test")
    assert auth.end_all_sessions(db, user) == 2
    db.commit()
    assert auth.resolve_viewer(db, t1) is None and auth.resolve_viewer(db, t2) is None


def test_deep_link_widens_the_view_only_to_what_the_user_may_see(db, world):
    user, token = _sign_in(db, "portal", "group@a.test")
    assert auth.set_view(db, token, f"client:{world['c1'].id}")
    db.commit()
    c2_site = db.exec(select(Site).where(Site.client_id == world["c2"].id)).one()
    lone_site = db.exec(select(Site).where(Site.client_id == world["lone"].id)).one()
    other_site = db.exec(select(Site).where(Site.client_id == world["other"].id)).one()
    assert auth.widen_view_for_site(db, token, lone_site.id) is False  # not theirs
    assert auth.widen_view_for_site(db, token, other_site.id) is False  # another tenant
    assert auth.resolve_viewer(db, token).client_ids == {world["c1"].id}
    assert auth.widen_view_for_site(db, token, c2_site.id) is True
    db.commit()
    assert world["c2"].id in auth.resolve_viewer(db, token).client_ids
