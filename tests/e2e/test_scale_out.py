"""Scale-out proof: two app processes behind one PostgreSQL database and one Redis
behave as one app (the README's "Scaling out").

The processes are two `reflex run --env prod --backend-only` on two free ports (the
``two_workers`` fixture, reusable by later tests): everything a worker keeps or
shares (a tab's state, the database, sessions) is behind the websocket and the
/auth routes they serve; the pages are the same static files on every host, and two
--single-port processes would both build the frontend into this checkout's .web at
the same time. They run in the postgres pass (PORTAL_TEST_BACKEND=postgres), the
pass that runs the app scaled out; the sqlite pass has nothing to add here.
"""

from __future__ import annotations

import pytest
from sqlmodel import Session, select

from tests.conftest import selected_backend
from tests.e2e.event_client import ROOT, EventClient, sign_in

pytestmark = pytest.mark.skipif(
    selected_backend() != "postgres", reason="runs in the postgres pass (PORTAL_TEST_BACKEND=postgres)"
)

DEMO_PASSWORD = "demo-portal-2026"
CLIENT = "client@aquademo.example.com"


def _handler(state_cls, name: str) -> str:
    return f"{state_cls.get_full_name()}.{name}"


def _vars(result: dict, state_cls) -> dict:
    """The state's vars in a call's delta, without Reflex's name suffix."""
    raw = result["delta"].get(state_cls.get_full_name(), {})
    return {k.removesuffix("_rx_state_"): v for k, v in raw.items()}


def _awaiting_quote_ids(base: str, cookie: str) -> list[str]:
    from pool_portal.states.portal.records import QuotesState

    client = EventClient(base, cookie)
    try:
        result = client.call(_handler(QuotesState, "load_quotes"), {}, path="/portal/quotes?status=awaiting")
    finally:
        client.close()
    rows = _vars(result, QuotesState)["rows"]
    assert rows, "the demo client has no quote awaiting acceptance"
    return [r["id"] for r in rows]


def test_a_tab_moving_to_the_other_worker_keeps_its_state(two_workers):
    """A tab opens "approve quote X" on worker A; its websocket drops and reconnects to
    worker B with the same client token: B sends back the state A left (the full
    state Reflex sends on reconnect), and submitting the dialog on B approves quote X,
    which B can only know from that state."""
    from pool_portal.models import Quote, QuoteStatus
    from pool_portal.states.portal.records import QuotesState

    cookie = sign_in(two_workers.a, CLIENT, DEMO_PASSWORD)
    quote_id = _awaiting_quote_ids(two_workers.a, cookie)[0]

    on_a = EventClient(two_workers.a, cookie)
    token = on_a.token
    try:
        opened = on_a.call(
            _handler(QuotesState, "open_action"), {"quote_id": quote_id, "action": "approve"}, path="/portal/quotes"
        )
        assert _vars(opened, QuotesState)["acting_id"] == quote_id
    finally:
        on_a.close()

    on_b = EventClient(two_workers.b, cookie, token=token)
    try:
        hydrated = on_b.call(f"{ROOT}.hydrate", {}, path="/portal/quotes")
        state = _vars(hydrated, QuotesState)
        assert (state["acting_id"], state["acting"]) == (quote_id, "approve")
        done = on_b.call(
            _handler(QuotesState, "submit_action"), {"files": [], "name": "Moved Tab"}, path="/portal/quotes"
        )
        assert _vars(done, QuotesState).get("notice") == "quote.approved"
    finally:
        on_b.close()

    with Session(two_workers.engine()) as db:
        quote = db.get(Quote, int(quote_id))
        assert quote.status == QuoteStatus.APPROVED and quote.approver_name == "Moved Tab"
        assert quote.decided_at is not None


def test_what_one_worker_writes_the_other_shows(two_workers):
    """A quote approved through worker A is approved in worker B's quote list; a job
    requested through worker B is in worker A's job list. A session signed in on one
    worker is valid on the other."""
    from pool_portal.states.portal.records import JobsState, QuotesState, RequestJobState

    cookie = sign_in(two_workers.b, CLIENT, DEMO_PASSWORD)
    quote_id = _awaiting_quote_ids(two_workers.b, cookie)[0]

    on_a = EventClient(two_workers.a, cookie)
    try:
        on_a.call(
            _handler(QuotesState, "open_action"), {"quote_id": quote_id, "action": "approve"}, path="/portal/quotes"
        )
        done = on_a.call(
            _handler(QuotesState, "submit_action"), {"files": [], "name": "Worker A"}, path="/portal/quotes"
        )
        assert _vars(done, QuotesState).get("notice") == "quote.approved"
        sites = _vars(
            on_a.call(_handler(RequestJobState, "load_request"), {}, path="/portal/request-job"), RequestJobState
        )["sites"]
    finally:
        on_a.close()

    on_b = EventClient(two_workers.b, cookie)
    try:
        listed = on_b.call(_handler(QuotesState, "load_quotes"), {}, path="/portal/quotes?status=approved")
        approved = {r["id"] for r in _vars(listed, QuotesState)["rows"]}
        assert quote_id in approved
        created = on_b.call(
            _handler(RequestJobState, "submit_request"),
            {"form_data": {"site": sites[0][0], "kind": "SERVICE_CALL", "description": "requested through worker B"}},
            path="/portal/request-job",
        )
        number = _vars(created, RequestJobState)["created"]
        assert number.startswith("REQ-")
    finally:
        on_b.close()

    on_a = EventClient(two_workers.a, cookie)
    try:
        jobs = on_a.call(_handler(JobsState, "load_jobs"), {}, path=f"/portal/jobs?q={number}")
        assert number in {r["number"] for r in _vars(jobs, JobsState)["rows"]}
    finally:
        on_a.close()


def _thread_has(state_cls, text: str):
    """``until`` for EventClient.collect: the state's thread holds a message with ``text``."""

    def until(result: dict) -> bool:
        thread = _vars(result, state_cls).get("thread") or []
        return any(text in (entry.get("body") or "") for entry in thread)

    return until


def test_live_replies_cross_workers(two_workers):
    """The client watches an incident through worker B while the admin works on it
    through worker A: the team reply reaches the client's open page without a reload,
    the internal note never does, and the client's answer (posted through B) reaches
    the admin's open page on A the same way."""
    import uuid

    from pool_portal.models import Client, Incident
    from pool_portal.models import IncidentState as Stage
    from pool_portal.states.incidents.portal import IncidentState
    from pool_portal.states.incidents.staff import AdminIncidentState

    with Session(two_workers.engine()) as db:
        incident_id = db.exec(
            select(Incident.id)
            .join(Client, Client.id == Incident.client_id)
            .where(Client.name == "Costa Azul Residences", Incident.state != Stage.SOLVED)
            .order_by(Incident.id)
        ).first()
    assert incident_id, "the demo client has no open incident"
    client_cookie = sign_in(two_workers.a, CLIENT, DEMO_PASSWORD)
    admin_cookie = sign_in(two_workers.b, "admin@aquademo.example.com", DEMO_PASSWORD, "staff")
    tag = uuid.uuid4().hex[:8]
    reply, note, answer = f"Team reply {tag}", f"Internal note {tag}", f"Client answer {tag}"

    client_tab = EventClient(two_workers.b, client_cookie)
    admin_tab = EventClient(two_workers.a, admin_cookie)
    try:
        opened = client_tab.call(
            _handler(IncidentState, "load_incident"), {}, path=f"/portal/incident?id={incident_id}"
        )
        assert _vars(opened, IncidentState)["incident"]["id"] == str(incident_id)
        # Every event of a tab carries its page's URL, as a browser's do (the live
        # watcher stops when the tab is no longer on this incident's page).
        page = f"/admin/incident?id={incident_id}"
        admin_tab.call(_handler(AdminIncidentState, "load_admin_incident"), {}, path=page)

        sent = admin_tab.call(
            _handler(AdminIncidentState, "reply"), {"form_data": {"body": note, "internal": "1"}}, path=page
        )
        assert _vars(sent, AdminIncidentState).get("notice") == "incident.admin.note_saved"
        sent = admin_tab.call(_handler(AdminIncidentState, "reply"), {"form_data": {"body": reply}}, path=page)
        assert _vars(sent, AdminIncidentState).get("notice") == "incident.admin.reply_sent"

        seen = client_tab.collect(_thread_has(IncidentState, reply), timeout=30)
        assert _thread_has(IncidentState, reply)(seen), "the team reply did not reach the client on the other worker"
        assert tag not in "".join(client_tab.raw).replace(reply, ""), "the internal note reached the portal"

        posted = client_tab.call(
            _handler(IncidentState, "post_message"),
            {"files": [], "body": answer},
            path=f"/portal/incident?id={incident_id}",
        )
        assert _thread_has(IncidentState, answer)(posted)
        seen = admin_tab.collect(_thread_has(AdminIncidentState, answer), timeout=30)
        assert _thread_has(AdminIncidentState, answer)(seen), (
            "the client's message did not reach the admin on the other worker"
        )
    finally:
        client_tab.close()
        admin_tab.close()
