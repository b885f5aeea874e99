"""The live watchers of an open incident page check the caller again on every round:
a contact disabled while the page is open, a staff user demoted, a tab that moved to
another page stop getting the thread. Driven over the websocket as a browser tab does
(EventClient), against the real app."""

from __future__ import annotations

import uuid

import pytest
from sqlmodel import Session, select

import pool_portal.models as m
from pool_portal.services.identity.passwords import hash_password
from pool_portal.states.incidents.common import WATCH_INTERVAL_S
from pool_portal.states.incidents.portal import IncidentListState, IncidentState
from pool_portal.states.incidents.staff import AdminIncidentState
from tests.e2e.event_client import EventClient, redirects, sign_in
from tests.e2e.event_client import handler_name as _handler
from tests.e2e.event_client import state_vars as _vars

PASSWORD = "watcher-test-2026"


def _thread_has(state_cls, text: str):
    def until(result: dict) -> bool:
        return any(text in (e.get("body") or "") for e in _vars(result, state_cls).get("thread") or [])

    return until


def _sent_to_sign_in(page: str):
    return lambda result: page in redirects(result)


@pytest.fixture
def people(app_server):
    """A fresh contact of Costa Azul Residences and a fresh OFFICE user (so changing
    them touches no demo account other tests sign in with), and an open incident."""
    tag = uuid.uuid4().hex[:8]
    with Session(app_server.engine()) as db:
        costa = db.exec(select(m.Client).where(m.Client.name == "Costa Azul Residences")).one()
        incident = db.exec(
            select(m.Incident)
            .where(m.Incident.client_id == costa.id, m.Incident.state != m.IncidentState.SOLVED)
            .order_by(m.Incident.id)
        ).first()
        assert incident is not None, "the demo client has no open incident"
        contact = m.PortalUser(
            tenant_id=costa.tenant_id,
            email=f"watch-{tag}@example.com",
            name="Watcher",
            password_hash=hash_password(PASSWORD),
        )
        office = m.StaffUser(
            tenant_id=costa.tenant_id,
            email=f"office-{tag}@example.com",
            name="Office watcher",
            role=m.StaffRole.OFFICE,
            password_hash=hash_password(PASSWORD),
        )
        db.add_all([contact, office])
        db.flush()
        db.add(m.Membership(tenant_id=costa.tenant_id, portal_user_id=contact.id, client_id=costa.id))
        db.commit()
        ids = contact.id, office.id, incident.id
    admin_cookie = sign_in(app_server, "admin@aquademo.example.com", "demo-portal-2026", "staff")
    admin = EventClient(app_server, admin_cookie)
    yield {
        "contact": ids[0],
        "office": ids[1],
        "incident": ids[2],
        "admin": admin,
        "contact_email": f"watch-{tag}@example.com",
        "office_email": f"office-{tag}@example.com",
    }
    admin.close()


def _open_portal(app_server, email: str, incident_id: int) -> EventClient:
    tab = EventClient(app_server, sign_in(app_server, email, PASSWORD))
    opened = tab.call(_handler(IncidentState, "load_incident"), {}, path=f"/portal/incident?id={incident_id}")
    assert _vars(opened, IncidentState)["incident"]["id"] == str(incident_id)
    return tab


def _reply(admin: EventClient, incident_id: int, body: str) -> None:
    admin.call(_handler(AdminIncidentState, "load_admin_incident"), {}, path=f"/admin/incident?id={incident_id}")
    sent = admin.call(
        _handler(AdminIncidentState, "reply"), {"form_data": {"body": body}}, path=f"/admin/incident?id={incident_id}"
    )
    assert _vars(sent, AdminIncidentState).get("notice") == "incident.admin.reply_sent"


def test_a_disabled_contact_stops_receiving_the_thread(app_server, people):
    incident_id, admin = people["incident"], people["admin"]
    tab = _open_portal(app_server, people["contact_email"], incident_id)
    try:
        before, after = f"Before disabling {uuid.uuid4().hex[:6]}", f"After disabling {uuid.uuid4().hex[:6]}"
        _reply(admin, incident_id, before)
        assert _thread_has(IncidentState, before)(tab.collect(_thread_has(IncidentState, before), timeout=30))
        # Disabled while the page is open; the session itself is left as it was.
        with Session(app_server.engine()) as db:
            db.get(m.PortalUser, people["contact"]).is_active = False
            db.commit()
        _reply(admin, incident_id, after)
        stopped = tab.collect(_sent_to_sign_in("/portal/login"), timeout=30)
        assert "/portal/login" in redirects(stopped), "the watcher did not notice the disabled contact"
        assert _vars(stopped, IncidentState).get("incident") == {}  # the page is cleared
        later = tab.collect(_thread_has(IncidentState, after), timeout=3 * WATCH_INTERVAL_S)
        assert after not in "".join(tab.raw) and not _thread_has(IncidentState, after)(later)
    finally:
        tab.close()


def test_a_tab_that_left_the_incident_page_gets_no_more_updates(app_server, people):
    incident_id, admin = people["incident"], people["admin"]
    away = _open_portal(app_server, people["contact_email"], incident_id)
    stays = _open_portal(app_server, people["contact_email"], incident_id)  # a second tab, still on the page
    try:
        listed = away.call(_handler(IncidentListState, "load_incidents"), {}, path="/portal/incidents")
        assert _vars(listed, IncidentListState).get("loaded") is True
        reply = f"While away {uuid.uuid4().hex[:6]}"
        _reply(admin, incident_id, reply)
        seen = stays.collect(_thread_has(IncidentState, reply), timeout=30)
        assert _thread_has(IncidentState, reply)(seen), "the tab on the page did not get the reply"
        later = away.collect(_thread_has(IncidentState, reply), timeout=3 * WATCH_INTERVAL_S)
        assert not _thread_has(IncidentState, reply)(later) and reply not in "".join(away.raw)
    finally:
        away.close()
        stays.close()


def test_a_demoted_staff_user_stops_receiving_the_thread(app_server, people):
    incident_id = people["incident"]
    staff = EventClient(app_server, sign_in(app_server, people["office_email"], PASSWORD, "staff"))
    client = _open_portal(app_server, people["contact_email"], incident_id)
    try:
        opened = staff.call(
            _handler(AdminIncidentState, "load_admin_incident"), {}, path=f"/admin/incident?id={incident_id}"
        )
        assert _vars(opened, AdminIncidentState)["incident"]["id"] == str(incident_id)
        with Session(app_server.engine()) as db:
            db.get(m.StaffUser, people["office"]).role = m.StaffRole.TECHNICIAN  # no incidents for them
            db.commit()
        message = f"Client message {uuid.uuid4().hex[:6]}"
        posted = client.call(
            _handler(IncidentState, "post_message"),
            {"files": [], "body": message},
            path=f"/portal/incident?id={incident_id}",
        )
        assert _thread_has(IncidentState, message)(posted)
        stopped = staff.collect(_sent_to_sign_in("/admin/login"), timeout=30)
        assert "/admin/login" in redirects(stopped), "the watcher did not notice the demotion"
        assert message not in "".join(staff.raw)
    finally:
        staff.close()
        client.close()
