"""The sign-in/sign-out backend routes: cookie flags, refusals, revocation."""

from __future__ import annotations

import pytest
from sqlmodel import Session, SQLModel, select
from starlette.applications import Starlette
from starlette.testclient import TestClient

import pool_portal.models as m
from pool_portal import db as dbmod
from pool_portal import settings as settingsmod
from pool_portal.api import session_routes
from pool_portal.services.identity import auth
from pool_portal.services.identity.passwords import hash_password

PASSWORD = "a good long password"


@pytest.fixture
def client(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.delenv("REFLEX_DB_URL", raising=False)
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "http://portal.test")
    settingsmod.get_settings.cache_clear()
    dbmod.get_engine.cache_clear()
    engine = dbmod.get_engine()
    SQLModel.metadata.create_all(engine)
    with Session(engine) as s:
        t = m.Tenant(name="T", slug="t")
        s.add(t)
        s.flush()
        s.add(m.PortalUser(tenant_id=t.id, email="u@t.test", name="U", password_hash=hash_password(PASSWORD)))
        s.add(
            m.StaffUser(
                tenant_id=t.id,
                email="s@t.test",
                name="S",
                role=m.StaffRole.OFFICE,
                password_hash=hash_password(PASSWORD),
            )
        )
        s.commit()
    app = Starlette(routes=session_routes.routes)
    with TestClient(app, base_url="http://portal.test", follow_redirects=False) as c:
        c.engine = engine
        yield c
    settingsmod.get_settings.cache_clear()
    dbmod.get_engine.cache_clear()


def _login(client, email="u@t.test", password=PASSWORD, kind="portal", **headers):
    return client.post("/auth/login", data={"kind": kind, "email": email, "password": password}, headers=headers)


def test_sign_in_sets_an_httponly_lax_cookie_and_redirects_home(client):
    r = _login(client)
    assert r.status_code == 303 and r.headers["location"] == "/portal"
    cookie = r.headers["set-cookie"]
    assert cookie.startswith(f"{auth.SESSION_COOKIE}=")
    assert "HttpOnly" in cookie and "SameSite=lax" in cookie and "Path=/" in cookie
    assert "Secure" not in cookie  # plain http here; under https it is Secure


def test_staff_sign_in_goes_to_admin(client):
    r = _login(client, "s@t.test", kind="staff")
    assert r.status_code == 303 and r.headers["location"] == "/admin"


def test_wrong_password_or_unknown_email_look_the_same(client):
    wrong = _login(client, password="not the password")
    unknown = _login(client, email="nobody@t.test")
    for r in (wrong, unknown):
        assert r.status_code == 303
        assert r.headers["location"] == "/portal/login?error=invalid"
        assert "set-cookie" not in r.headers


def test_missing_fields(client):
    r = client.post("/auth/login", data={"kind": "portal", "email": "", "password": ""})
    assert r.headers["location"] == "/portal/login?error=missing"


def test_cross_site_post_is_refused(client):
    r = _login(client, origin="http://evil.test")
    assert r.status_code == 403
    with Session(client.engine) as s:
        assert s.exec(select(m.UserSession)).all() == []


def test_sign_out_revokes_server_side_and_clears_cookie(client):
    r = _login(client)
    token = r.cookies.get(auth.SESSION_COOKIE) or client.cookies.get(auth.SESSION_COOKIE)
    out = client.post("/auth/logout", data={"kind": "portal"})
    assert out.status_code == 303 and out.headers["location"] == "/portal/login"
    assert f'{auth.SESSION_COOKIE}=""' in out.headers["set-cookie"] or "Max-Age=0" in out.headers["set-cookie"]
    with Session(client.engine) as s:
        assert auth.resolve_viewer(s, token) is None
        assert s.exec(select(m.UserSession)).one().revoked_at is not None


def test_staff_set_password_must_be_changed_at_first_sign_in(client):
    from pool_portal.services.core.scope import Viewer
    from pool_portal.services.identity import contacts
    from pool_portal.states.guard import Rule, refuse_reason

    with Session(client.engine) as s:
        office = s.exec(select(m.StaffUser)).one()
        user = s.exec(select(m.PortalUser)).one()
        staff = Viewer(
            kind="staff",
            tenant_id=office.tenant_id,
            user_id=office.id,
            session_id=0,
            name=office.name,
            email=office.email,
            role=office.role,
        )
        assert contacts.set_initial_password(s, staff, user.id, "short") == "password.too_short"
        assert contacts.set_initial_password(s, staff, user.id, "given by staff 1") is None
        s.commit()
    r = _login(client, password="given by staff 1")
    assert r.headers["location"] == "/portal/password"
    token = client.cookies.get(auth.SESSION_COOKIE)
    with Session(client.engine) as s:
        viewer = auth.resolve_viewer(s, token)
    # Until it is changed, portal handlers send the user to the password page.
    assert refuse_reason(viewer, Rule("portal")) == "password-change-required"
    assert refuse_reason(viewer, Rule("portal", allow_password_change_pending=True)) is None
    current = "given by staff 1"
    bad = client.post(
        "/auth/change-password", data={"current": current, "password": "new one 12", "confirm": "other one 12"}
    )
    assert bad.headers["location"] == "/portal/password?error=password.mismatch"
    ok = client.post(
        "/auth/change-password",
        data={"current": current, "password": "my own password", "confirm": "my own password"},
    )
    assert ok.headers["location"] == "/portal/password?changed=0"
    with Session(client.engine) as s:
        assert refuse_reason(auth.resolve_viewer(s, token), Rule("portal")) is None
    assert _login(client, password="my own password").headers["location"] == "/portal"


def test_change_password_needs_a_session(client):
    r = client.post("/auth/change-password", data={"password": "my own password", "confirm": "my own password"})
    assert r.headers["location"] == "/portal/login"


def test_magic_link_route_signs_in_once(client):
    from pool_portal.models import TokenPurpose
    from pool_portal.services.identity import tokens

    with Session(client.engine) as s:
        link = tokens.issue(s, TokenPurpose.MAGIC_LINK, s.exec(select(m.PortalUser)).one())
        s.commit()
    first = client.post("/auth/magic", data={"token": link})
    assert first.status_code == 303 and first.headers["location"] == "/portal"
    assert "HttpOnly" in first.headers["set-cookie"]
    second = client.post("/auth/magic", data={"token": link})
    assert second.headers["location"] == "/portal/magic?error=invalid" and "set-cookie" not in second.headers
