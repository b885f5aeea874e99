"""Magic links, invitations and password links, without Reflex or a browser."""

from __future__ import annotations

from datetime import timedelta

import pytest

import pool_portal.models as m
from pool_portal import settings as settingsmod
from pool_portal.models import TokenPurpose, utcnow
from pool_portal.services.core import uow
from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import access, auth, contacts, outgoing, tokens
from pool_portal.services.identity.passwords import hash_password, verify_password


@pytest.fixture(autouse=True)
def link_settings(tmp_path, monkeypatch):
    monkeypatch.setenv("PORTAL_DATA_DIR", str(tmp_path))
    monkeypatch.setenv("PORTAL_PUBLIC_URL", "https://portal.example.com")
    monkeypatch.delenv("PORTAL_SECRET_KEY", raising=False)
    settingsmod.get_settings.cache_clear()
    yield
    settingsmod.get_settings.cache_clear()


@pytest.fixture
def people(db):
    a, b = m.Tenant(name="A Pools", slug="a"), m.Tenant(name="B Pools", slug="b")
    db.add_all([a, b])
    db.flush()
    ca, cb = m.Client(tenant_id=a.id, name="CA"), m.Client(tenant_id=b.id, name="CB")
    db.add_all([ca, cb])
    db.flush()
    ua = m.PortalUser(tenant_id=a.id, email="pat@example.com", name="Pat A", language="es")
    ub = m.PortalUser(tenant_id=b.id, email="pat@example.com", name="Pat B")
    other = m.PortalUser(tenant_id=b.id, email="other@example.com", name="Other B")
    staff = m.StaffUser(tenant_id=a.id, email="office@a.test", name="Olga", role=m.StaffRole.OFFICE)
    tech = m.StaffUser(tenant_id=a.id, email="tech@a.test", name="Tom", role=m.StaffRole.TECHNICIAN)
    db.add_all([ua, ub, other, staff, tech])
    db.flush()
    db.add_all(
        [
            m.Membership(tenant_id=a.id, portal_user_id=ua.id, client_id=ca.id),
            m.Membership(tenant_id=b.id, portal_user_id=ub.id, client_id=cb.id),
            m.Membership(tenant_id=b.id, portal_user_id=other.id, client_id=cb.id),
        ]
    )
    db.commit()

    def as_viewer(u):
        return Viewer(
            kind="staff", tenant_id=u.tenant_id, user_id=u.id, session_id=0, name=u.name, email=u.email, role=u.role
        )

    return dict(a=a, b=b, ua=ua, ub=ub, other=other, office=as_viewer(staff), tech=as_viewer(tech))


def _token_from(mail: outgoing.Outgoing) -> str:
    return mail.params["link"].split("token=", 1)[1]


def test_magic_link_for_each_account_with_that_email_in_their_language(db, people, outbox, commit):
    outcome = access.request_link(db, " Pat@Example.com ", TokenPurpose.MAGIC_LINK, ip="10.0.0.1")
    assert outbox == []  # nothing goes out before the commit
    commit(db)
    mails = outbox
    assert outcome == "sent"
    assert sorted((x.to, x.lang, x.params["tenant_name"]) for x in mails) == [
        ("pat@example.com", "en", "B Pools"),
        ("pat@example.com", "es", "A Pools"),
    ]
    assert all(x.params["link"].startswith("https://portal.example.com/portal/magic?token=") for x in mails)


def test_unknown_email_answers_the_same_and_sends_nothing(db, people, outbox, commit):
    assert access.request_link(db, "nobody@example.com", TokenPurpose.MAGIC_LINK) == "sent"
    assert access.request_link(db, "not an email", TokenPurpose.MAGIC_LINK) == "invalid_email"
    commit(db)
    assert outbox == []


def test_a_rolled_back_request_sends_nothing(db, people, outbox, commit):
    assert access.request_link(db, "other@example.com", TokenPurpose.MAGIC_LINK) == "sent"
    db.rollback()
    uow.rolled_back(db)
    commit(db)
    assert outbox == []


def test_magic_link_works_once(db, people, outbox, commit):
    access.request_link(db, "other@example.com", TokenPurpose.MAGIC_LINK)
    commit(db)
    token = _token_from(outbox[0])
    assert access.peek_link(db, TokenPurpose.MAGIC_LINK, token)  # opening the page uses nothing
    assert access.peek_link(db, TokenPurpose.MAGIC_LINK, token)
    user = access.use_magic_link(db, token)
    db.commit()
    assert user.id == people["other"].id
    assert access.use_magic_link(db, token) is None
    assert not access.peek_link(db, TokenPurpose.MAGIC_LINK, token)


def test_magic_link_expires_after_ten_minutes(db, people):
    user = people["other"]
    token = tokens.issue(db, TokenPurpose.MAGIC_LINK, user, now=utcnow() - timedelta(minutes=11))
    db.commit()
    assert access.use_magic_link(db, token) is None


def test_tampered_or_cross_purpose_tokens_are_refused(db, people):
    invitation = tokens.issue(db, TokenPurpose.INVITATION, people["other"])
    magic = tokens.issue(db, TokenPurpose.MAGIC_LINK, people["other"])
    db.commit()
    assert access.use_magic_link(db, invitation) is None  # an invitation is not a login link
    assert access.set_password_with_link(db, magic, "a fine password", "a fine password") == (None, "link.invalid")
    tampered = magic[:-2] + ("AA" if not magic.endswith("AA") else "BB")
    assert access.use_magic_link(db, tampered) is None
    assert access.use_magic_link(db, "") is None
    assert access.use_magic_link(db, "x" * 10_000) is None
    # The genuine one still works: the refusals used nothing up.
    assert access.use_magic_link(db, magic).id == people["other"].id


def test_a_token_signed_with_another_key_is_refused(db, people, monkeypatch):
    token = tokens.issue(db, TokenPurpose.MAGIC_LINK, people["other"])
    db.commit()
    monkeypatch.setenv("PORTAL_SECRET_KEY", "x" * 40)
    settingsmod.get_settings.cache_clear()
    assert access.use_magic_link(db, token) is None


def test_disabled_user_cannot_use_a_link(db, people):
    token = tokens.issue(db, TokenPurpose.MAGIC_LINK, people["other"])
    people["other"].is_active = False
    db.commit()
    assert access.use_magic_link(db, token) is None


def test_link_requests_are_rate_limited_per_address_and_per_ip(db, people, outbox, commit):
    for _ in range(access.LINKS_PER_ADDRESS):
        assert access.request_link(db, "other@example.com", TokenPurpose.MAGIC_LINK, ip="10.0.0.2") == "sent"
    commit(db)
    assert len(outbox) == access.LINKS_PER_ADDRESS
    assert access.request_link(db, "other@example.com", TokenPurpose.MAGIC_LINK, ip="10.0.0.3") == "rate_limited"
    commit(db)
    assert len(outbox) == access.LINKS_PER_ADDRESS
    # Per IP: many different addresses from one place.
    for i in range(access.LINKS_PER_IP - access.LINKS_PER_ADDRESS):
        access.request_link(db, f"x{i}@example.com", TokenPurpose.MAGIC_LINK, ip="10.0.0.2")
    db.commit()
    assert access.request_link(db, "fresh@example.com", TokenPurpose.MAGIC_LINK, ip="10.0.0.2") == "rate_limited"
    assert access.request_link(db, "fresh@example.com", TokenPurpose.MAGIC_LINK, ip="10.0.0.9") == "sent"


def test_invitation_sets_password_once_and_resending_revokes_the_older(db, people, outbox, commit):
    assert contacts.invite_contacts(db, people["office"], [people["ua"].id]) == 1
    commit(db)
    assert contacts.invite_contacts(db, people["office"], [people["ua"].id]) == 1
    commit(db)
    first, second = outbox[:1], outbox[1:]
    assert len(outbox) == 2 and first[0].kind == "invitation" and first[0].params["inviter_name"] == "Olga"
    old, new = _token_from(first[0]), _token_from(second[0])
    assert access.set_password_with_link(db, old, "a fine password", "a fine password") == (None, "link.invalid")
    # A bad password is refused and leaves the link usable.
    assert access.set_password_with_link(db, new, "short", "short") == (None, "password.too_short")
    assert access.set_password_with_link(db, new, "a fine password", "another one!!") == (None, "password.mismatch")
    user, error = access.set_password_with_link(db, new, "a fine password", "a fine password")
    db.commit()
    assert error is None and verify_password(user.password_hash, "a fine password")
    assert access.set_password_with_link(db, new, "b fine password", "b fine password") == (None, "link.invalid")


def test_invitation_lasts_three_days(db, people):
    token = tokens.issue(db, TokenPurpose.INVITATION, people["ua"], now=utcnow() - timedelta(days=3, minutes=1))
    db.commit()
    assert access.set_password_with_link(db, token, "a fine password", "a fine password") == (None, "link.invalid")


def test_staff_invite_only_their_own_tenant_and_only_admin_or_office(db, people, outbox, commit):
    assert contacts.invite_contacts(db, people["office"], [people["ub"].id, people["other"].id]) == 0
    with pytest.raises(PermissionError):
        contacts.invite_contacts(db, people["tech"], [people["ua"].id])
    commit(db)
    assert outbox == []


def test_new_password_ends_other_sessions(db, people):
    ua = people["ua"]
    ua.password_hash = hash_password("old password 1")
    db.commit()
    token = auth.start_session(db, ua)
    db.commit()
    link = tokens.issue(db, TokenPurpose.PASSWORD_RESET, ua)
    access.set_password_with_link(db, link, "new password 2", "new password 2")
    db.commit()
    assert auth.resolve_viewer(db, token) is None


def test_disable_contact_ends_sessions_and_contact_rows(db, people):
    ua = people["ua"]
    ua.password_hash = hash_password("old password 1")
    db.commit()
    token = auth.start_session(db, ua)
    db.commit()
    rows = {r.email: r for r in contacts.contact_rows(db, people["office"])}
    assert rows["pat@example.com"].status == "active" and rows["pat@example.com"].access == "CA"
    assert contacts.set_contact_active(db, people["office"], ua.id, False) is True
    db.commit()
    assert auth.resolve_viewer(db, token) is None
    assert contacts.contact_rows(db, people["office"])[0].status == "disabled"
    # Another tenant's contact: refused, unchanged.
    assert contacts.set_contact_active(db, people["office"], people["ub"].id, False) is False
    db.refresh(people["ub"])
    assert people["ub"].is_active is True
