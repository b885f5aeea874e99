"""Magic links, invitations and password links, without Reflex or a browser."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlmodel import select

import pool_portal.models as m
from pool_portal import settings as settingsmod
from pool_portal.models import TokenPurpose, utcnow
from pool_portal.services.core import uow
from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import access, auth, contacts, outgoing, tabs, tokens
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


def test_a_reset_link_ends_every_session_and_mails_that_the_password_changed(db, people, outbox, commit):
    ua = people["ua"]
    ua.password_hash = hash_password("old password 1")
    db.commit()
    token = auth.start_session(db, ua)
    db.commit()
    link = tokens.issue(db, TokenPurpose.PASSWORD_RESET, ua)
    access.set_password_with_link(db, link, "new password 2", "new password 2")
    commit(db)
    assert auth.resolve_viewer(db, token) is None
    assert [(x.kind, x.to, x.lang) for x in outbox] == [("password_changed", ua.email, "es")]
    assert outbox[0].params["link"] == "https://portal.example.com/portal/login"
    assert "new password 2" not in repr(outbox[0])


def _sessions(db, user, n: int) -> list[tuple[str, int]]:
    """``n`` sessions of ``user``: (cookie token, session id)."""
    made = []
    for _ in range(n):
        token = auth.start_session(db, user)
        db.commit()
        made.append((token, auth.resolve_viewer(db, token).session_id))
    return made


def test_changing_the_password_asks_for_the_current_one_and_a_different_new_one(db, people, outbox, commit):
    ua = people["ua"]
    ua.password_hash, ua.must_change_password = hash_password("set by staff 1"), True
    db.commit()
    (token, sid), (other, _) = _sessions(db, ua, 2)
    change = access.change_password
    wrong = change(db, ua, "not it at all", "my own pass 2", "my own pass 2", keep_session_id=sid)
    assert (wrong.error, wrong.current_ok) == ("password.wrong_current", False)
    same = change(db, ua, "set by staff 1", "set by staff 1", "set by staff 1", keep_session_id=sid)
    assert (same.error, same.current_ok) == ("password.same_as_current", True)
    assert change(db, ua, "set by staff 1", "short", "short", keep_session_id=sid).error == "password.too_short"
    assert change(db, ua, "set by staff 1", "my own pass 2", "typo", keep_session_id=sid).error == "password.mismatch"
    commit(db)
    db.refresh(ua)
    assert verify_password(ua.password_hash, "set by staff 1") and ua.must_change_password  # nothing changed
    assert auth.resolve_viewer(db, other) is not None and outbox == []
    refused = db.exec(select(m.AuditEvent).where(m.AuditEvent.action == "password.change_refused")).all()
    assert len(refused) == 1 and refused[0].target_id == auth.account_key("portal", ua.email)


def test_a_changed_password_ends_the_other_sessions_keeps_this_one_and_mails_the_user(
    db, people, outbox, commit, monkeypatch
):
    ended: list[list[int]] = []
    monkeypatch.setattr(tabs, "_listeners", [ended.append])  # what wipes the tabs' stored state
    staff = db.get(m.StaffUser, people["office"].user_id)
    staff.password_hash = hash_password("old password 1")
    db.commit()
    (token, sid), *others = _sessions(db, staff, 3)
    expired_token = auth.start_session(db, staff, now=utcnow() - timedelta(days=2))  # long over: not a device
    db.commit()
    done = access.change_password(db, staff, "old password 1", "new password 2", "new password 2", keep_session_id=sid)
    assert outbox == []  # the mail goes once the change is committed
    commit(db)
    assert (done.error, done.current_ok, done.signed_out) == (None, True, 2)
    assert auth.resolve_viewer(db, token) is not None
    assert [auth.resolve_viewer(db, t) for t, _ in others] == [None, None]
    assert auth.resolve_viewer(db, expired_token) is None
    assert len(ended) == 1 and set(ended[0]) >= {s for _, s in others} and sid not in ended[0]
    assert [(x.kind, x.to) for x in outbox] == [("staff_password_changed", staff.email)]
    assert outbox[0].params["link"] == "https://portal.example.com/admin/login"
    assert "new password 2" not in repr(outbox[0]) and "old password 1" not in repr(outbox[0])


def test_the_password_changed_mails_exist_in_both_languages():
    from pool_portal.services.infra import mail

    params = {"tenant_name": "A Pools", "link": "https://portal.example.com/portal/login"}
    for kind in ("password_changed", "staff_password_changed"):
        (en_subject, en_text, _), (es_subject, es_text, _) = (
            mail.render(kind, lang, **params) for lang in ("en", "es")
        )
        assert "A Pools" in en_subject and "A Pools" in es_subject and en_subject != es_subject
        assert "changed" in en_text and "cambiar" in es_text and "{" not in en_text + es_text


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
