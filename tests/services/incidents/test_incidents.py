"""Incidents: reporting from the portal, what the customer sees, and staff handling.

Writing services run as the app runs them: each call in a unit of work of its own
(``unit``: committed once, then its effects, the mails), the test's session reading
afresh after it."""

from __future__ import annotations

import json
from dataclasses import asdict, is_dataclass
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from types import SimpleNamespace

import pytest
from hypothesis import given
from hypothesis import strategies as st
from sqlmodel import select

import pool_portal.models as m
from pool_portal.db import session_scope
from pool_portal.services.core import audit
from pool_portal.services.core.scope import Viewer
from pool_portal.services.incidents import common, detail, history, notify, photos, portal, staff
from pool_portal.services.incidents import status as derived
from pool_portal.services.infra import storage, uploads

JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + b"\x00" * 200
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 200
PDF = b"%PDF-1.7\n1 0 obj\n<< /Type /Catalog >>\nendobj\n"
HTML = b"<!doctype html><script>alert(1)</script>"
SECRET = "Internal: the client owes us money, bring the spare seal"
ROOT = Path(__file__).resolve().parents[3]
SOON = (datetime.now(UTC) + timedelta(days=30)).date()  # a visit date still to come


@pytest.fixture
def mails(isolated_settings, monkeypatch):
    sent: list[tuple[str, str, dict]] = []
    monkeypatch.setattr(notify, "send_mail", lambda kind, to, lang, **p: sent.append((kind, to, p)))
    return sent


@pytest.fixture
def world(db, mails, isolated_settings):
    t, o = m.Tenant(name="Aqua", slug="aqua"), m.Tenant(name="Other", slug="other")
    db.add_all([t, o])
    db.flush()
    office = m.StaffUser(tenant_id=t.id, email="office@t.test", name="Office", role=m.StaffRole.OFFICE)
    db.add(office)
    db.flush()  # an OFFICE user with a lower id than the admins: never picked
    a1 = m.StaffUser(tenant_id=t.id, email="a1@t.test", name="Ana", role=m.StaffRole.ADMIN)
    a2 = m.StaffUser(tenant_id=t.id, email="a2@t.test", name="Bea", role=m.StaffRole.ADMIN, language="es")
    tech = m.StaffUser(tenant_id=t.id, email="tech@t.test", name="Tom", role=m.StaffRole.TECHNICIAN)
    o_admin = m.StaffUser(tenant_id=o.id, email="admin@o.test", name="Olga", role=m.StaffRole.ADMIN)
    db.add_all([a1, a2, tech, o_admin])
    mine, theirs = m.Client(tenant_id=t.id, name="Mine"), m.Client(tenant_id=t.id, name="Theirs")
    o_client = m.Client(tenant_id=o.id, name="Elsewhere")
    db.add_all([mine, theirs, o_client])
    db.flush()
    s1 = m.Site(tenant_id=t.id, client_id=mine.id, name="My pool")
    s2 = m.Site(tenant_id=t.id, client_id=theirs.id, name="Their pool")
    s3 = m.Site(tenant_id=o.id, client_id=o_client.id, name="Far pool")
    pat = m.PortalUser(tenant_id=t.id, email="pat@x.test", name="Pat", language="es")
    olly = m.PortalUser(tenant_id=o.id, email="olly@x.test", name="Olly")
    db.add_all([s1, s2, s3, pat, olly])
    db.commit()
    v = Viewer(
        kind="portal",
        tenant_id=t.id,
        user_id=pat.id,
        session_id=1,
        name="Pat",
        email=pat.email,
        client_ids=frozenset({mine.id}),
    )
    ov = Viewer(
        kind="portal",
        tenant_id=o.id,
        user_id=olly.id,
        session_id=2,
        name="Olly",
        email=olly.email,
        client_ids=frozenset({o_client.id}),
    )
    return SimpleNamespace(
        t=t,
        o=o,
        office=office,
        a1=a1,
        a2=a2,
        tech=tech,
        o_admin=o_admin,
        mine=mine,
        s1=s1,
        s2=s2,
        s3=s3,
        pat=pat,
        v=v,
        ov=ov,
        files=isolated_settings / "files",
    )


def unit(db, fn, *args, **kwargs):
    """``fn(session, *args, **kwargs)`` in a unit of work of its own, as a state's
    ``call`` runs it (one commit, then the after-commit effects; rolled back, with its
    rollback effects, when it raises); then the test's session reads afresh."""
    try:
        with session_scope(db.get_bind()) as session:
            return fn(session, *args, **kwargs)
    finally:
        db.expire_all()


def as_json(value) -> str:
    """Everything a read model holds, as text (to search it for what must not be there)."""
    return json.dumps(value, default=lambda o: asdict(o) if is_dataclass(o) else str(o))


def stored_files(w) -> list[Path]:
    return [p for p in w.files.rglob("*") if p.is_file()] if w.files.exists() else []


def counts(db) -> dict[str, int]:
    return {
        cls.__name__: len(db.exec(select(cls)).all())
        for cls in (m.Incident, m.IncidentMessage, m.IncidentAttachment, m.Visit, m.Notification)
    }


NOTHING = {"Incident": 0, "IncidentMessage": 0, "IncidentAttachment": 0, "Visit": 0, "Notification": 0}


def report(db, w, **kw):
    args = dict(site_id=w.s1.id, category="LEAK", description="Water is leaking next to the pump.", photos=[])
    args.update(kw)
    return unit(
        db,
        portal.report_incident,
        w.v,
        args.pop("site_id"),
        args.pop("category"),
        args.pop("description"),
        args.pop("photos"),
    )


# -- reporting --------------------------------------------------------------------------------
def test_report_stores_the_incident_photos_visit_and_tells_the_first_admin(db, world, mails):
    w = world
    inc, errors = report(db, w, photos=[("pump.jpg", JPEG), ("leak.png", PNG)])
    assert errors == {}
    db.expire_all()
    inc = db.get(m.Incident, inc.id)
    assert inc.reference.startswith(f"INC-{datetime.now(UTC).year}-")
    assert (
        inc.priority,
        inc.state,
        inc.client_id,
        inc.site_id,
        inc.reported_by_portal_user_id,
        inc.assigned_staff_id,
    ) == (m.Priority.HIGH, m.IncidentState.OPEN, w.mine.id, w.s1.id, w.pat.id, w.a1.id)
    [msg] = db.exec(select(m.IncidentMessage)).all()
    assert (msg.author_kind, msg.body, msg.is_internal, msg.portal_user_id) == (
        m.MessageAuthor.CLIENT,
        "Water is leaking next to the pump.",
        False,
        w.pat.id,
    )
    photos = db.exec(select(m.IncidentAttachment).order_by(m.IncidentAttachment.id)).all()
    assert [(p.original_name, p.content_type, p.size_bytes, p.message_id) for p in photos] == [
        ("pump.jpg", "image/jpeg", len(JPEG), msg.id),
        ("leak.png", "image/png", len(PNG), msg.id),
    ]
    assert [storage.image_url_or_bytes(p.storage_backend, p.storage_key) for p in photos] == [JPEG, PNG]
    assert len(stored_files(w)) == 2
    [visit] = db.exec(select(m.Visit)).all()
    assert (visit.status, visit.site_id, visit.incident_id, visit.scheduled_for) == (
        m.VisitStatus.PENDING,
        w.s1.id,
        inc.id,
        None,
    )
    [note] = db.exec(select(m.Notification)).all()
    assert (note.kind, note.staff_user_id, note.incident_id, note.is_read) == (
        m.NotificationKind.MANUAL_INCIDENT,
        w.a1.id,
        inc.id,
        False,
    )
    assert note.emailed_at is not None
    assert [(k, to, p["reference"], p["site_name"]) for k, to, p in mails] == [
        ("new_incident", "a1@t.test", inc.reference, "My pool")
    ]
    event = db.exec(select(m.AuditEvent).where(m.AuditEvent.action == "incident.reported")).one()
    assert (event.actor_kind, event.actor_id, event.target_id) == ("portal", w.pat.id, str(inc.id))
    assert portal.list_for_portal(db, w.v).rows[0].status == "RECEIVED"


@pytest.mark.parametrize(
    "photos, key",
    [
        ([("photo.jpg", PDF)], "incident.error.photo_type"),
        ([("ok.jpg", JPEG), ("photo.png", HTML)], "incident.error.photo_type"),
        ([("big.jpg", JPEG + b"\x00" * (uploads.MAX_PHOTO_BYTES - len(JPEG) + 1))], "incident.error.photo_size"),
        ([(f"p{i}.jpg", JPEG) for i in range(uploads.MAX_PHOTOS + 1)], "incident.error.photo_count"),
    ],
    ids=["pdf-as-jpg", "html-as-png", "oversize", "too-many"],
)
def test_bad_photos_refuse_the_whole_report_and_store_nothing(db, world, photos, key):
    inc, errors = report(db, world, photos=photos)
    assert inc is None and errors == {"photos": key}
    assert counts(db) == NOTHING
    assert stored_files(world) == []


def test_foreign_sites_and_bad_fields_are_refused_before_anything_is_written(db, world, mails):
    w = world
    for site in (w.s2.id, w.s3.id, 999_999):
        assert report(db, w, site_id=site, photos=[("a.jpg", JPEG)]) == (None, {"site": "incident.error.site"})
    inc, errors = report(db, w, category="MAGIC", description="  short   ")
    assert inc is None and errors == {
        "category": "incident.error.category",
        "description": "incident.error.description_short",
    }
    assert report(db, w, description="x" * (common.MAX_DESCRIPTION + 1))[1] == {
        "description": "incident.error.description_long"
    }
    read_only = Viewer(**{**w.v.__dict__, "read_only": True})
    assert unit(db, portal.report_incident, read_only, w.s1.id, "LEAK", "Water is leaking.", [])[1] == {
        "form": "incident.error.not_allowed"
    }
    assert counts(db) == NOTHING and stored_files(w) == [] and mails == []


def test_a_photo_that_cannot_be_stored_leaves_no_rows_and_no_files(db, world, monkeypatch):
    real, calls = storage.put_image, []

    def flaky(data, ext):
        calls.append(ext)
        if len(calls) == 2:
            raise storage.StorageError("disk full")
        return real(data, ext)

    monkeypatch.setattr(storage, "put_image", flaky)
    assert report(db, world, photos=[("a.jpg", JPEG), ("b.png", PNG)]) == (None, {"photos": "incident.error.storage"})
    assert calls == ["jpg", "png"]  # the first one was stored, then deleted
    assert counts(db) == NOTHING and stored_files(world) == []


def test_a_database_failure_after_storing_deletes_the_files(db, world, mails, monkeypatch):
    def broken(*a, **k):
        raise RuntimeError("database went away")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        report(db, world, photos=[("a.jpg", JPEG)])
    assert counts(db) == NOTHING and stored_files(world) == [] and mails == []


def test_the_first_active_admin_gets_the_incident(db, world, mails):
    w = world
    w.a1.is_active = False
    db.commit()
    inc, _ = report(db, w)
    assert inc.assigned_staff_id == w.a2.id
    assert db.exec(select(m.Notification.staff_user_id)).all() == [w.a2.id]
    assert [(k, to) for k, to, _ in mails] == [("new_incident", "a2@t.test")]
    # Back to active: the lowest id wins again.
    w.a1.is_active = True
    db.commit()
    assert report(db, w)[0].assigned_staff_id == w.a1.id


# -- what the customer sees -------------------------------------------------------------------
def test_internal_notes_never_reach_any_portal_function(db, world):
    w = world
    inc, _ = report(db, w)
    note, errors = unit(db, staff.staff_reply, w.t.id, w.a1.id, inc.id, SECRET, internal=True)
    assert errors == {} and note.is_internal
    # A photo on the internal note (staff-side upload) must not be reachable either.
    key = storage.save(JPEG, "incidents", "jpg")
    hidden = m.IncidentAttachment(
        tenant_id=w.t.id,
        incident_id=inc.id,
        message_id=note.id,
        storage_key=key,
        content_type="image/jpeg",
        size_bytes=len(JPEG),
        original_name="secret.jpg",
    )
    db.add(hidden)
    db.commit()

    assert derived.customer_status(inc, [], [], [note]) == "RECEIVED"  # not even the status moves
    portal_output = [
        portal.list_for_portal(db, w.v).rows,
        portal.list_for_portal(db, w.v, "RECEIVED").rows,
        portal.thread_for_portal(db, w.v, inc.id),
        portal.get_for_portal(db, w.v, inc.id).model_dump(),
    ]
    text = as_json(portal_output)
    assert SECRET not in text and "secret.jpg" not in text
    assert [e.body for e in portal.thread_for_portal(db, w.v, inc.id)] == ["Water is leaking next to the pump."]
    assert photos.attachment_for_portal(db, w.v, hidden.id) is None
    assert portal.list_for_portal(db, w.v).rows[0].status == "RECEIVED"
    # Staff see it.
    staff_thread = detail.thread_for_staff(db, w.t.id, inc.id)
    assert [(e.body, e.internal) for e in staff_thread][-1] == (SECRET, True)
    assert photos.attachment_for_staff(db, w.t.id, hidden.id)[1] == JPEG


def test_public_replies_reach_the_customer_and_mail_follows_preferences(db, world, mails):
    w = world
    inc, _ = report(db, w, photos=[("a.jpg", JPEG)])
    mails.clear()
    msg, errors = unit(db, staff.staff_reply, w.t.id, w.a1.id, inc.id, "  A technician will come.  ", internal=False)
    assert errors == {}
    thread = portal.thread_for_portal(db, w.v, inc.id)
    assert [(e.author, e.author_name, e.body) for e in thread] == [
        ("CLIENT", "Pat", "Water is leaking next to the pump."),
        ("STAFF", "Ana", "A technician will come."),
    ]
    [photo] = thread[0].attachments
    assert photo.name == "a.jpg" and photos.attachment_for_portal(db, w.v, photo.id)[1] == JPEG
    assert portal.list_for_portal(db, w.v).rows[0].status == "IN_PROCESS"
    note = db.exec(select(m.Notification).where(m.Notification.portal_user_id == w.pat.id)).one()
    assert (note.kind, note.incident_id, note.emailed_at is not None) == (
        m.NotificationKind.INCIDENT_REPLY,
        inc.id,
        True,
    )
    assert [(k, to, p["excerpt"]) for k, to, p in mails] == [
        ("incident_reply", "pat@x.test", "A technician will come.")
    ]
    # Replies by mail switched off: the notification still appears, no mail.
    w.pat.notify_on_reply = False
    db.commit()
    mails.clear()
    unit(db, staff.staff_reply, w.t.id, w.a1.id, inc.id, "Tomorrow at nine.", internal=False)
    assert mails == []
    assert len(db.exec(select(m.Notification).where(m.Notification.portal_user_id == w.pat.id)).all()) == 2
    # Empty and over-long replies are refused.
    assert unit(db, staff.staff_reply, w.t.id, w.a1.id, inc.id, "   ", internal=False) == (
        None,
        {"body": "incident.error.body_empty"},
    )
    assert unit(db, staff.staff_reply, w.t.id, w.a1.id, inc.id, "x" * 5001, internal=True) == (
        None,
        {"body": "incident.error.body_long"},
    )


def _page_of(link: str, public_url: str = "") -> tuple[str, dict]:
    """(route, query) of a link, the route as the app registers its pages."""
    from urllib.parse import parse_qs, urlsplit

    assert link.startswith(public_url), link
    parts = urlsplit(link[len(public_url) :])
    return parts.path.strip("/"), parse_qs(parts.query)


def test_every_mail_and_notification_link_opens_the_incident_page(db, world, mails):
    """The links in the four mails and the stored notifications are the routes the app
    really has (/portal/incident?id=N, /admin/incident?id=N), for that incident."""
    import pool_portal.pool_portal as portal_app
    from pool_portal.settings import get_settings

    pages, public_url = set(portal_app.app._unevaluated_pages), get_settings().public_url
    w = world
    inc, _ = report(db, w)
    unit(db, portal.post_client_message, w.v, inc.id, "More water this morning", [])
    unit(db, staff.staff_reply, w.t.id, w.a1.id, inc.id, "A technician will come.", internal=False)
    unit(db, staff.solve, w.t.id, w.a1.id, inc.id, "Replaced the seal.")
    want = {
        "new_incident": "admin/incident",
        "incident_message": "admin/incident",
        "incident_reply": "portal/incident",
        "incident_solved": "portal/incident",
    }
    assert sorted(k for k, _, _ in mails) == sorted(want)
    for kind, _, params in mails:
        route, query = _page_of(params["link"], public_url)
        assert (route, query) == (want[kind], {"id": [str(inc.id)]}), kind
        assert route in pages
    notes = db.exec(select(m.Notification).order_by(m.Notification.id)).all()
    assert len(notes) == 4
    for note in notes:
        route, query = _page_of(note.link)
        assert route == ("admin/incident" if note.staff_user_id else "portal/incident") and route in pages
        assert query == {"id": [str(inc.id)]}
    assert common.portal_path(inc.id) == f"/portal/incident?id={inc.id}"
    assert common.admin_path(inc.id) == f"/admin/incident?id={inc.id}"


def test_client_messages_notify_the_assigned_admin(db, world, mails):
    w = world
    inc, _ = report(db, w)
    mails.clear()
    too_long = "y" * (common.MAX_MESSAGE + 1)
    assert unit(db, portal.post_client_message, w.v, inc.id, too_long, []) == (
        None,
        {"body": "incident.error.body_long"},
    )
    assert unit(db, portal.post_client_message, w.v, inc.id, "Still leaking", [("x.jpg", PDF)]) == (
        None,
        {"photos": "incident.error.photo_type"},
    )
    msg, errors = unit(
        db,
        portal.post_client_message,
        w.v,
        inc.id,
        "x" * common.MAX_MESSAGE,
        [("more.webp", b"RIFF\x00\x00\x00\x00WEBPVP8 ")],
    )
    assert errors == {} and len(msg.body) == common.MAX_MESSAGE
    assert db.exec(select(m.IncidentAttachment.content_type)).all() == ["image/webp"]
    notes = db.exec(select(m.Notification).where(m.Notification.kind == m.NotificationKind.INCIDENT_MESSAGE)).all()
    assert [(n.staff_user_id, n.incident_id) for n in notes] == [(w.a1.id, inc.id)]
    assert [(k, to) for k, to, _ in mails] == [("incident_message", "a1@t.test")]
    assert notify.unread_count(db, w.a1.id) == 2
    # Someone else's incident: not found; another client's viewer cannot post.
    assert unit(db, portal.post_client_message, w.ov, inc.id, "hello there", [])[1] == {
        "form": "incident.error.not_found"
    }


def test_solving_needs_a_note_stops_client_posts_and_reopening_allows_them(db, world, mails):
    w = world
    inc, _ = report(db, w)
    assert unit(db, staff.solve, w.t.id, w.a1.id, inc.id, "   ") == (
        None,
        {"resolution_note": "incident.error.resolution_required"},
    )
    assert db.get(m.Incident, inc.id).state == m.IncidentState.OPEN
    mails.clear()
    solved, errors = unit(db, staff.solve, w.t.id, w.a1.id, inc.id, "Replaced the pump seal.")
    assert errors == {} and solved.state == m.IncidentState.SOLVED and solved.solved_at is not None
    thread = portal.thread_for_portal(db, w.v, inc.id)
    assert (thread[-1].kind, thread[-1].body) == ("resolution", "Replaced the pump seal.")
    assert portal.list_for_portal(db, w.v, "SOLVED").total == 1
    assert [(k, p["resolution"]) for k, _, p in mails] == [("incident_solved", "Replaced the pump seal.")]
    assert unit(db, portal.post_client_message, w.v, inc.id, "It leaks again!", []) == (
        None,
        {"form": "incident.error.solved"},
    )
    assert unit(db, staff.solve, w.t.id, w.a1.id, inc.id, "again")[1] == {"form": "incident.error.solved"}

    reopened, errors = unit(db, staff.reopen, w.t.id, w.a1.id, inc.id)
    assert errors == {} and reopened.state == m.IncidentState.OPEN and reopened.resolution_note is None
    assert all(e.kind == "message" for e in portal.thread_for_portal(db, w.v, inc.id))
    msg, errors = unit(db, portal.post_client_message, w.v, inc.id, "It leaks again!", [])
    assert errors == {} and msg.id is not None
    assert unit(db, staff.reopen, w.t.id, w.a1.id, inc.id)[1] == {"form": "incident.error.not_solved"}


def test_incidents_switched_off_close_the_portal_side_and_staff_keep_the_history(db, world, mails):
    """With the tenant's "incidents" switch off, a client can no longer report, post,
    list, open or fetch a photo of an incident (the handlers and the photo route call
    these); staff still see and handle everything. Switched on again, all is back."""
    w = world
    inc, _ = report(db, w, photos=[("a.jpg", JPEG)])
    unit(db, staff.staff_reply, w.t.id, w.a1.id, inc.id, "A technician will come.", internal=False)
    [photo] = portal.thread_for_portal(db, w.v, inc.id)[0].attachments
    settings = m.PortalSettings(tenant_id=w.t.id, incidents_enabled=False)
    db.add(settings)
    db.commit()
    before, mails_before = counts(db), len(mails)
    disabled = (None, {"form": "incident.error.disabled"})
    assert report(db, w) == disabled
    assert unit(db, portal.post_client_message, w.v, inc.id, "Still leaking here", [("b.jpg", JPEG)]) == disabled
    assert counts(db) == before and len(mails) == mails_before and len(stored_files(w)) == 1
    assert portal.get_for_portal(db, w.v, inc.id) is None
    assert portal.thread_for_portal(db, w.v, inc.id) is None
    assert portal.portal_version(db, w.v, inc.id) is None
    assert photos.attachment_for_portal(db, w.v, photo.id) is None
    assert portal.list_for_portal(db, w.v).total == 0
    # Another tenant's switch is its own.
    assert unit(db, portal.report_incident, w.ov, w.s3.id, "LEAK", "Water everywhere near the pump", [])[1] == {}
    # Staff: the history, the thread and the photo, and they can still answer.
    assert [r.reference for r in history.list_for_staff(db, w.t.id).rows] == [inc.reference]
    assert len(detail.thread_for_staff(db, w.t.id, inc.id)) == 2
    assert photos.attachment_for_staff(db, w.t.id, photo.id)[1] == JPEG
    assert unit(db, staff.solve, w.t.id, w.a1.id, inc.id, "Replaced the seal.")[1] == {}
    settings.incidents_enabled = True
    db.commit()
    assert portal.list_for_portal(db, w.v).rows[0].status == "SOLVED"
    assert photos.attachment_for_portal(db, w.v, photo.id)[1] == JPEG


def test_staff_of_another_tenant_get_nothing(db, world):
    w = world
    inc, _ = report(db, w)
    task, _ = unit(db, staff.add_task, w.t.id, w.a1.id, inc.id, "Check the pump")
    o, oa = w.o.id, w.o_admin.id
    not_found = (None, {"form": "incident.error.not_found"})
    assert detail.get_for_staff(db, o, inc.id) is None
    assert detail.thread_for_staff(db, o, inc.id) is None
    assert detail.tasks_for_staff(db, o, inc.id) is None and detail.visits_for_staff(db, o, inc.id) is None
    assert history.list_for_staff(db, o).total == 0
    assert unit(db, staff.classify, o, oa, inc.id, "WATER", "LOW") == not_found
    assert unit(db, staff.add_task, o, oa, inc.id, "Steal") == not_found
    assert unit(db, staff.complete_task, o, oa, task.id) == not_found
    assert unit(db, staff.schedule_visit, o, oa, inc.id, date(2026, 5, 1), oa) == not_found
    assert unit(db, staff.staff_reply, o, oa, inc.id, "hello", internal=False) == not_found
    assert unit(db, staff.solve, o, oa, inc.id, "done") == not_found
    assert unit(db, staff.reopen, o, oa, inc.id) == not_found
    photo = m.IncidentAttachment(
        tenant_id=w.t.id,
        incident_id=inc.id,
        storage_key=storage.save(JPEG, "incidents", "jpg"),
        content_type="image/jpeg",
    )
    db.add(photo)
    db.commit()
    assert photos.attachment_for_staff(db, o, photo.id) is None
    # Portal users of the other tenant, and of another client, see nothing either.
    assert portal.get_for_portal(db, w.ov, inc.id) is None and portal.thread_for_portal(db, w.ov, inc.id) is None
    assert portal.list_for_portal(db, w.ov).total == 0
    other_client = Viewer(**{**w.v.__dict__, "client_ids": frozenset({w.s2.client_id})})
    assert portal.get_for_portal(db, other_client, inc.id) is None
    inc = db.get(m.Incident, inc.id)
    assert (inc.category, inc.priority, inc.state) == (m.IncidentCategory.LEAK, m.Priority.HIGH, m.IncidentState.OPEN)
    assert db.get(m.IncidentTask, task.id).is_done is False and len(db.exec(select(m.IncidentMessage)).all()) == 1


def test_tasks_visits_and_classification_drive_the_status(db, world):
    w = world
    inc, _ = report(db, w)
    status = lambda: portal.list_for_portal(db, w.v).rows[0].status  # noqa: E731
    assert unit(db, staff.classify, w.t.id, w.a1.id, inc.id, "WATER", "BOGUS") == (
        None,
        {"priority": "incident.error.priority"},
    )
    inc2, errors = unit(db, staff.classify, w.t.id, w.a1.id, inc.id, "WATER", "LOW")
    assert errors == {} and (inc2.category, inc2.priority) == (m.IncidentCategory.WATER, m.Priority.LOW)
    assert unit(db, staff.add_task, w.t.id, w.a1.id, inc.id, "   ")[1] == {"title": "incident.error.task_title"}
    task, _ = unit(db, staff.add_task, w.t.id, w.a1.id, inc.id, "Order a seal", assigned_staff_id=w.tech.id)
    assert status() == "IN_PROCESS"
    assert "Order a seal" not in as_json(portal.thread_for_portal(db, w.v, inc.id))
    done, _ = unit(db, staff.complete_task, w.t.id, w.a1.id, task.id)
    assert done.is_done and done.done_at is not None
    # A technician must be active staff of this tenant.
    assert unit(db, staff.schedule_visit, w.t.id, w.a1.id, inc.id, SOON, w.o_admin.id)[1] == {
        "technician": "incident.error.technician"
    }
    visit, errors = unit(db, staff.schedule_visit, w.t.id, w.a1.id, inc.id, SOON, w.tech.id)
    assert errors == {}
    [only] = db.exec(select(m.Visit)).all()  # the PENDING visit of the report was planned, not a second one
    assert (only.id, only.status, only.technician_id) == (visit.id, m.VisitStatus.SCHEDULED, w.tech.id)
    assert only.scheduled_for.date() == SOON
    assert status() == "SCHEDULED_VISIT"
    assert [r.reference for r in portal.list_for_portal(db, w.v, "SCHEDULED_VISIT").rows] == [inc.reference]
    assert portal.list_for_portal(db, w.v, "RECEIVED").total == 0


def test_sql_status_and_python_status_agree(db, world):
    w = world
    made = [report(db, w, description=f"Problem number {i} at the pool")[0] for i in range(6)]
    unit(db, staff.staff_reply, w.t.id, w.a1.id, made[1].id, "On it", internal=False)
    unit(db, staff.add_task, w.t.id, w.a1.id, made[2].id, "Check")
    unit(db, staff.schedule_visit, w.t.id, w.a1.id, made[3].id, datetime.combine(SOON, time(8), tzinfo=UTC), w.tech.id)
    unit(db, staff.solve, w.t.id, w.a1.id, made[4].id, "Fixed")
    unit(db, staff.staff_reply, w.t.id, w.a1.id, made[0].id, "internal only", internal=True)
    # A visit planned for a date that has passed: no longer a scheduled visit.
    unit(db, staff.schedule_visit, w.t.id, w.a1.id, made[5].id, date(2026, 6, 1), w.tech.id)
    rows = portal.list_for_portal(db, w.v).rows
    assert {r.reference: r.status for r in rows} == {
        i.reference: derived.status_of(db, db.get(m.Incident, i.id)) for i in made
    }
    assert [r.status for r in reversed(rows)] == [
        "RECEIVED",
        "IN_PROCESS",
        "IN_PROCESS",
        "SCHEDULED_VISIT",
        "SOLVED",
        "IN_PROCESS",
    ]
    for status in common.CUSTOMER_STATUSES:
        assert {r.reference for r in portal.list_for_portal(db, w.v, status).rows} == {
            r.reference for r in rows if r.status == status
        }


@pytest.mark.parametrize(
    "visit_at, status",
    [
        (datetime(2026, 6, 30, 13, tzinfo=UTC), "SCHEDULED_VISIT"),  # 01:00 on 1 July in Auckland: today there
        (datetime(2026, 6, 30, 11, tzinfo=UTC), "IN_PROCESS"),  # 23:00 on 30 June in Auckland: yesterday there
        (datetime(2026, 7, 9, 9, tzinfo=UTC), "SCHEDULED_VISIT"),
    ],
    ids=["today-in-the-tenants-zone", "yesterday-in-the-tenants-zone", "next-week"],
)
def test_a_scheduled_visit_is_one_still_to_come_in_the_tenants_time_zone(db, world, visit_at, status):
    """PRODUCT.md: "Scheduled visit (visit with a future date)". Today counts (until the
    visit is done), judged in the tenant's time zone; both twins agree."""
    w = world
    w.t.timezone = "Pacific/Auckland"  # UTC+12 in July
    db.commit()
    now = datetime(2026, 7, 1, 10, tzinfo=UTC)  # 22:00 on 1 July in Auckland
    inc, _ = report(db, w)
    unit(db, staff.schedule_visit, w.t.id, w.a1.id, inc.id, visit_at, w.tech.id)
    inc = db.get(m.Incident, inc.id)
    assert derived.status_of(db, inc, now) == status
    assert portal.list_for_portal(db, w.v, now=now).rows[0].status == status
    assert history.list_for_staff(db, w.t.id, status=status, now=now).total == 1
    assert derived.upcoming_from(db, w.t.id, now) == datetime(2026, 6, 30, 12, tzinfo=UTC)


def test_staff_list_filters_and_search(db, world):
    w = world
    a, _ = report(db, w, category="WATER", description="Green water after the storm")
    b, _ = report(db, w, category="ENGINE", description="The pump hums loudly")
    unit(db, staff.solve, w.t.id, w.a1.id, b.id, "Replaced bearings")
    refs = lambda **kw: [r.reference for r in history.list_for_staff(db, w.t.id, **kw).rows]  # noqa: E731
    assert refs() == [b.reference, a.reference]
    assert refs(status="OPEN") == [a.reference] and refs(status="SOLVED") == [b.reference]
    assert refs(category="ENGINE") == [b.reference]
    assert refs(text="green WATER") == [a.reference] and refs(text=b.reference[-6:].lower()) == [b.reference]
    assert refs(site_id=w.s2.id) == [] and refs(client_id=w.mine.id) == [b.reference, a.reference]
    row = history.list_for_staff(db, w.t.id, text="pump").rows[0]
    assert (row.client, row.site, row.state, row.status) == ("Mine", "My pool", "SOLVED", "SOLVED")


def test_history_property_filter_choices_follow_the_client(db, world):
    w = world
    db.add(m.Site(tenant_id=w.t.id, client_id=w.mine.id, name="A garden pool"))
    db.commit()
    clients, sites = history.staff_filter_choices(db, w.t.id)
    assert [c[1] for c in clients] == ["Mine", "Theirs"]  # never another tenant's
    assert [s[1] for s in sites] == ["A garden pool · Mine", "My pool · Mine", "Their pool · Theirs"]
    _, narrowed = history.staff_filter_choices(db, w.t.id, w.mine.id)
    assert [s[1] for s in narrowed] == ["A garden pool", "My pool"]
    # Another tenant's client narrows nothing (and shows none of its sites).
    _, foreign = history.staff_filter_choices(db, w.t.id, w.s3.client_id)
    assert foreign == sites and w.s3.id not in {s[0] for s in foreign}
    a, _ = report(db, w)
    assert [r.reference for r in history.list_for_staff(db, w.t.id, site_id=w.s1.id).rows] == [a.reference]
    assert history.list_for_staff(db, w.t.id, site_id=sites[0][0]).total == 0


def test_bell_counts_and_marks_only_the_users_own(db, world):
    w = world
    a, _ = report(db, w)
    b, _ = report(db, w)
    unit(db, portal.post_client_message, w.v, a.id, "More details here", [])
    assert (notify.unread_count(db, w.a1.id), notify.unread_count(db, w.a2.id)) == (3, 0)
    assert unit(db, notify.mark_read, w.a2.id) == 0 and notify.unread_count(db, w.a1.id) == 3
    assert unit(db, notify.mark_read, w.a1.id, incident_id=a.id) == 2
    assert notify.unread_count(db, w.a1.id) == 1
    assert unit(db, notify.mark_read, w.a1.id) == 1 and notify.unread_count(db, w.a1.id) == 0


# -- references -------------------------------------------------------------------------------
class _NoneTaken:
    def execute(self, *_):
        return SimpleNamespace(first=lambda: None)


@given(year=st.integers(min_value=2000, max_value=2999))
def test_reference_format(year):
    ref = common.new_reference(_NoneTaken(), year)
    prefix, y, code = ref.split("-")
    assert (prefix, y) == ("INC", str(year)) and len(code) == 6
    assert all(c in "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789" for c in code)
    assert len(ref) <= 20  # the column's size


def test_reference_collisions_are_drawn_again(db, world, monkeypatch):
    w = world
    db.add(
        m.Incident(
            tenant_id=w.o.id,
            reference="INC-2026-AAAAAA",
            client_id=w.s3.client_id,
            site_id=w.s3.id,
            category=m.IncidentCategory.OTHER,
            description="someone else's",
        )
    )
    db.commit()
    draws = iter(["AAAAAA", "AAAAAA", "BBBBBB"])
    monkeypatch.setattr(common, "_random_code", lambda: next(draws))
    assert common.new_reference(db, 2026) == "INC-2026-BBBBBB"
    monkeypatch.setattr(common, "_random_code", lambda: "AAAAAA")
    with pytest.raises(RuntimeError):
        common.new_reference(db, 2026)
    monkeypatch.setattr(common, "_random_code", lambda: "AAAAAA")
    assert common.new_reference(db, 2027) == "INC-2027-AAAAAA"  # the year is part of it


# -- the derived status (pure) ----------------------------------------------------------------
SINCE = datetime(2026, 3, 1, tzinfo=UTC)  # the start of "today" the rules are given
visit_st = st.builds(
    lambda s, when: SimpleNamespace(status=s, scheduled_for=when),
    st.sampled_from(list(m.VisitStatus)),
    st.one_of(
        st.none(),
        st.sampled_from(
            [
                SINCE - timedelta(days=40),
                SINCE - timedelta(seconds=1),
                SINCE,
                SINCE + timedelta(hours=20),
                datetime(2026, 3, 2, 9),
            ]
        ),
    ),
)
message_st = st.builds(
    lambda a, i: SimpleNamespace(author_kind=a, is_internal=i), st.sampled_from(list(m.MessageAuthor)), st.booleans()
)
state_st = st.sampled_from(list(m.IncidentState))
tasks_st = st.lists(st.just(SimpleNamespace(is_done=False)), max_size=2)


def _when(v):
    return v.scheduled_for if v.scheduled_for.tzinfo else v.scheduled_for.replace(tzinfo=UTC)


@given(state_st, tasks_st, st.lists(visit_st, max_size=4), st.lists(message_st, max_size=4))
def test_status_rules(state, tasks, visits, messages):
    got = derived.customer_status(SimpleNamespace(state=state), tasks, visits, messages, upcoming_since=SINCE)
    assert got in common.CUSTOMER_STATUSES
    if state == m.IncidentState.SOLVED:
        assert got == "SOLVED"
        return
    assert got != "SOLVED"
    planned = [
        v
        for v in visits
        if v.status == m.VisitStatus.SCHEDULED or (v.status == m.VisitStatus.PENDING and v.scheduled_for)
    ]
    # "Scheduled visit": a planned visit with a date still to come, nothing else.
    assert (got == "SCHEDULED_VISIT") == any(v.scheduled_for and _when(v) >= SINCE for v in planned)
    public_reply = any(x.author_kind == m.MessageAuthor.STAFF and not x.is_internal for x in messages)
    if public_reply or tasks or planned or any(v.status == m.VisitStatus.DONE for v in visits):
        assert got != "RECEIVED"  # a planned visit whose date passed is still work under way
    # Internal notes and client messages never change the status.
    only_public_staff = [x for x in messages if x.author_kind == m.MessageAuthor.STAFF and not x.is_internal]
    assert (
        derived.customer_status(SimpleNamespace(state=state), tasks, visits, only_public_staff, upcoming_since=SINCE)
        == got
    )


@given(
    st.lists(
        visit_st.filter(
            lambda v: (
                v.status in (m.VisitStatus.CANCELLED, m.VisitStatus.PENDING)
                and not (v.status == m.VisitStatus.PENDING and v.scheduled_for)
            )
        ),
        max_size=3,
    ),
    st.lists(message_st.filter(lambda x: x.author_kind != m.MessageAuthor.STAFF or x.is_internal), max_size=3),
)
def test_nothing_done_yet_is_received(visits, messages):
    assert (
        derived.customer_status(SimpleNamespace(state=m.IncidentState.OPEN), [], visits, messages, upcoming_since=SINCE)
        == "RECEIVED"
    )


def test_every_error_key_has_english_and_spanish_text():
    keys = {v for k, v in vars(common).items() if k.startswith("E_")}
    keys |= {uploads.ERROR_TYPE, uploads.ERROR_SIZE, uploads.ERROR_COUNT}
    keys |= {f"incident.status.{s}" for s in common.CUSTOMER_STATUSES}
    keys |= {f"incident.category.{c}" for c in common.CATEGORIES}
    for lang in ("en", "es"):
        catalogue = json.loads((ROOT / "pool_portal" / "translations" / f"{lang}.json").read_text(encoding="utf-8"))
        assert keys - set(catalogue) == set()
    assert len(keys) > 25
