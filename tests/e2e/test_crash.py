"""Crash test: the app is SIGKILLed (its whole process group) while clients are
approving quotes, requesting jobs and posting incident messages over the websocket, then started again on the
same data. Every write a client saw acknowledged (the handler's delta arrived) is
there exactly once; nothing is half-written (a job without its staff notification or
audit event, a quote approved without its decision time, approver or notification);
the SQLite file passes ``PRAGMA integrity_check``; the restarted app serves the old
session.

The app runs as the pass says: on SQLite (the embedded default, WAL with
synchronous=NORMAL, see pool_portal/db.py) in the sqlite pass; on PostgreSQL with
Redis in the postgres pass. A SIGKILL is a process crash, not a power cut: the
operating system keeps every write the process made, so nothing acknowledged may be
lost on either backend. Backend-only processes (websocket and /auth are all the
clients use; no frontend build on each restart).
"""

from __future__ import annotations

import contextlib
import sqlite3
import threading
from collections import Counter

import pytest
from sqlalchemy import func
from sqlmodel import Session, select

from tests.conftest import free_port, selected_backend
from tests.e2e.apps import AppProcess, app_env, load_demo
from tests.e2e.event_client import EventClient, sign_in

CLIENT = "client@aquademo.example.com"
DEMO_PASSWORD = "demo-portal-2026"
JOB_THREADS = 3
KILL_AFTER_JOBS = 12  # acknowledged job requests before the kill
KILL_AFTER_QUOTES = 2  # acknowledged approvals before the kill (fewer if fewer are open)
KILL_AFTER_MESSAGES = 6  # acknowledged incident messages before the kill
DEADLINE_S = 180
PREFIX = "crash test job"


def _full(state_cls, name: str) -> str:
    return f"{state_cls.get_full_name()}.{name}"


def _vars(result: dict, state_cls) -> dict:
    raw = result["delta"].get(state_cls.get_full_name(), {})
    return {k.removesuffix("_rx_state_"): v for k, v in raw.items()}


class Load:
    """What the client threads sent and which of it was acknowledged."""

    def __init__(self):
        self.lock = threading.Lock()
        self.stop = threading.Event()
        self.progress = threading.Condition(self.lock)
        self.jobs_acked: dict[str, str] = {}  # description -> job number
        self.jobs_refused = 0  # answered, but without a job (e.g. a number taken meanwhile)
        self.quotes_acked: set[int] = set()
        self.quotes_done = False  # no more quotes to approve
        self.messages_acked: set[str] = set()  # bodies the client saw in its thread
        self.unacked: list[str] = []  # the first messages answered without being in the thread, and why

    def note(self, **kw) -> None:
        with self.progress:
            if "job" in kw:
                desc, number = kw["job"]
                if number:
                    self.jobs_acked[desc] = number
                else:
                    self.jobs_refused += 1
            if "quote" in kw:
                self.quotes_acked.add(kw["quote"])
            if "unacked" in kw and len(self.unacked) < 5:
                self.unacked.append(kw["unacked"][:300])
            if "message" in kw:
                self.messages_acked.add(kw["message"])
            if kw.get("quotes_done"):
                self.quotes_done = True
            self.progress.notify_all()

    def enough(self) -> bool:
        return (
            len(self.jobs_acked) >= KILL_AFTER_JOBS
            and len(self.messages_acked) >= KILL_AFTER_MESSAGES
            and (len(self.quotes_acked) >= KILL_AFTER_QUOTES or self.quotes_done)
        )


def _as_tab(base: str, cookie: str, load: Load, body) -> None:
    """Run ``body(client)`` on a websocket tab of its own. The kill ends whatever call is
    in flight (what was acknowledged before is recorded), so an error ends the thread
    quietly; the first few are kept in ``load.unacked`` to explain a run that stalls."""
    try:
        client = EventClient(base, cookie)
    except Exception as exc:  # noqa: BLE001 - the app may already be gone
        load.note(unacked=f"connect: {exc!r}")
        return
    try:
        body(client)
    except Exception as exc:  # noqa: BLE001
        load.note(unacked=repr(exc))
    finally:
        with contextlib.suppress(Exception):
            client.close()


def _request_jobs(base: str, cookie: str, site: str, worker: int, load: Load) -> None:
    from pool_portal.states.portal.records import RequestJobState  # imported by the test before the threads start

    def body(client: EventClient) -> None:
        n = 0
        while not load.stop.is_set():
            desc = f"{PREFIX} {worker}-{n:03d}"
            n += 1
            result = client.call(
                _full(RequestJobState, "submit_request"),
                {"form_data": {"site": site, "kind": "SERVICE_CALL", "description": desc}},
                path="/portal/request-job",
                timeout=60,
            )
            load.note(job=(desc, _vars(result, RequestJobState).get("created") or ""))

    _as_tab(base, cookie, load, body)


def _approve_quotes(base: str, cookie: str, quote_ids: list[str], load: Load) -> None:
    from pool_portal.states.portal.records import QuotesState

    def body(client: EventClient) -> None:
        for quote_id in quote_ids:
            if load.stop.is_set():
                return
            client.call(
                _full(QuotesState, "open_action"),
                {"quote_id": quote_id, "action": "approve"},
                path="/portal/quotes",
                timeout=60,
            )
            result = client.call(
                _full(QuotesState, "submit_action"),
                {"files": [], "name": f"Crash {quote_id}", "reference": "CRASH"},
                path="/portal/quotes",
                timeout=60,
            )
            if _vars(result, QuotesState).get("notice") == "quote.approved":
                load.note(quote=int(quote_id))
        load.note(quotes_done=True)

    _as_tab(base, cookie, load, body)


def _post_messages(base: str, cookie: str, incident_id: int, load: Load) -> None:
    from pool_portal.states.incidents.portal import IncidentState

    def body(client: EventClient) -> None:
        path = f"/portal/incident?id={incident_id}"
        client.call(_full(IncidentState, "load_incident"), {}, path=path, timeout=60)
        n = 0
        while not load.stop.is_set():
            text = f"{PREFIX} message {n:03d}"
            n += 1
            result = client.call(
                _full(IncidentState, "post_message"), {"files": [], "body": text}, path=path, timeout=60
            )
            if any(e.get("body") == text for e in _vars(result, IncidentState).get("thread") or []):
                load.note(message=text)
            else:
                load.note(unacked=f"{text}: {_vars(result, IncidentState)}")

    _as_tab(base, cookie, load, body)


@pytest.fixture
def crash_env(request, tmp_path):
    """The environment of the app under test: the pass's backend, its own data."""
    data_dir = tmp_path / "data"
    if selected_backend() == "postgres":
        pg = request.getfixturevalue("pg_server")
        env = app_env(
            port=free_port(),
            data_dir=data_dir,
            db_url=pg.url(pg.create_database()),
            redis_url=request.getfixturevalue("redis_server"),
            workers=2,
        )
    else:
        env = app_env(port=free_port(), data_dir=data_dir, db_url=f"sqlite:///{data_dir / 'portal.db'}")
    load_demo(env)
    return env


def test_sigkill_mid_write_loses_nothing_acknowledged(crash_env, tmp_path):
    from pool_portal.db import make_engine
    from pool_portal.models import AuditEvent, Client, Incident, IncidentMessage, Job, Notification, Quote, QuoteStatus
    from pool_portal.models import IncidentState as Stage
    from pool_portal.states.incidents.portal import IncidentState  # noqa: F401 - imported once, before the threads
    from pool_portal.states.portal.records import QuotesState, RequestJobState

    data_dir = tmp_path / "data"
    app = AppProcess(crash_env, data_dir / "app-1.log", backend_only=True)
    app.start(120)
    load = Load()
    threads: list[threading.Thread] = []
    try:
        cookie = sign_in(app.base, CLIENT, DEMO_PASSWORD)
        setup = EventClient(app.base, cookie)
        try:
            sites = _vars(
                setup.call(_full(RequestJobState, "load_request"), {}, path="/portal/request-job"), RequestJobState
            )["sites"]
            rows = _vars(
                setup.call(_full(QuotesState, "load_quotes"), {}, path="/portal/quotes?status=awaiting"), QuotesState
            )["rows"]
        finally:
            setup.close()
        quote_ids = [r["id"] for r in rows]
        assert sites and quote_ids, "the demo client needs a site and quotes awaiting acceptance"
        with Session(make_engine(crash_env["REFLEX_DB_URL"])) as db:
            incident_id = db.exec(
                select(Incident.id)
                .join(Client, Client.id == Incident.client_id)
                .where(Client.name == "Costa Azul Residences", Incident.state != Stage.SOLVED)
            ).first()
        assert incident_id, "the demo client needs an open incident"
        threads = [
            threading.Thread(
                target=_request_jobs, args=(app.base, cookie, sites[i % len(sites)][0], i, load), daemon=True
            )
            for i in range(JOB_THREADS)
        ]
        threads.append(threading.Thread(target=_approve_quotes, args=(app.base, cookie, quote_ids, load), daemon=True))
        threads.append(threading.Thread(target=_post_messages, args=(app.base, cookie, incident_id, load), daemon=True))
        for t in threads:
            t.start()
        with load.progress:
            assert load.progress.wait_for(load.enough, timeout=DEADLINE_S), (
                f"only {len(load.jobs_acked)} jobs, {len(load.quotes_acked)} quotes and {len(load.messages_acked)} "
                f"messages acknowledged in {DEADLINE_S}s; {load.unacked}"
            )
        # Mid-way: the client threads are still sending.
        app.kill()
    finally:
        load.stop.set()
        app.kill()
        for t in threads:
            t.join(timeout=60)
    assert not any(t.is_alive() for t in threads), "a client thread did not notice the kill"

    url = crash_env["REFLEX_DB_URL"]
    if url.startswith("sqlite"):
        # Before anything opens it again (sqlite3 replays the WAL itself).
        with sqlite3.connect(url.removeprefix("sqlite:///")) as conn:
            assert conn.execute("PRAGMA integrity_check").fetchall() == [("ok",)]
            assert conn.execute("PRAGMA foreign_key_check").fetchall() == []

    restarted = AppProcess(crash_env, data_dir / "app-2.log", backend_only=True)
    restarted.start(120)
    engine = make_engine(url)
    try:
        with Session(engine) as db:
            jobs = db.exec(select(Job).where(Job.description.startswith(PREFIX))).all()
            by_desc = Counter(j.description for j in jobs)
            assert [d for d, n in by_desc.items() if n > 1] == [], "a job request was written twice"
            numbers = {j.description: j.number for j in jobs}
            for desc, number in load.jobs_acked.items():
                assert numbers.get(desc) == number, f"acknowledged {desc} ({number}) is missing"
            for job in jobs:  # acknowledged or not: whole or absent
                notes = db.exec(
                    select(func.count(Notification.id)).where(Notification.link == f"/admin/job?id={job.id}")
                ).one()
                audits = db.exec(
                    select(func.count(AuditEvent.id)).where(
                        AuditEvent.action == "job.requested", AuditEvent.target_id == job.id
                    )
                ).one()
                assert (notes, audits) == (1, 1), f"{job.number} half-written: {notes} notifications, {audits} audits"

            for quote_id in load.quotes_acked:
                assert db.get(Quote, quote_id).status == QuoteStatus.APPROVED, f"acknowledged quote {quote_id} lost"
            crashed = db.exec(select(Quote).where(Quote.approver_name.startswith("Crash "))).all()
            for quote in crashed:
                assert quote.status == QuoteStatus.APPROVED and quote.decided_at is not None, quote.number
                assert quote.decided_by_portal_user_id is not None and quote.approver_reference == "CRASH"
                notes = db.exec(
                    select(func.count(Notification.id)).where(Notification.link == f"/admin/quote?id={quote.id}")
                ).one()
                audits = db.exec(
                    select(func.count(AuditEvent.id)).where(
                        AuditEvent.action == "quote.approved", AuditEvent.target_id == quote.id
                    )
                ).one()
                assert (notes, audits) == (1, 1), f"{quote.number} half-written: {notes} notifications, {audits} audits"
            assert {q.id for q in crashed} >= load.quotes_acked
            assert load.quotes_acked, "no approval was acknowledged: the test proved nothing about quotes"

            messages = db.exec(select(IncidentMessage).where(IncidentMessage.body.startswith(PREFIX))).all()
            by_body = Counter(m.body for m in messages)
            assert [b for b, n in by_body.items() if n > 1] == [], "a message was written twice"
            assert load.messages_acked <= set(by_body), "an acknowledged message is missing"
            # Whole or absent: each message's audit event went with it (the demo writes none).
            audits = db.exec(
                select(func.count(AuditEvent.id)).where(
                    AuditEvent.action == "incident.client_message", AuditEvent.target_id == incident_id
                )
            ).one()
            assert audits == len(messages), f"{len(messages)} messages but {audits} audit events"

        # The restarted app serves the session signed in before the crash, and shows
        # an approval acknowledged before it.
        shown = next((q for q in crashed if q.id in load.quotes_acked), None)
        client = EventClient(restarted.base, cookie)
        try:
            path = f"/portal/quotes?q={shown.number}" if shown else "/portal/quotes"
            listed = _vars(client.call(_full(QuotesState, "load_quotes"), {}, path=path), QuotesState)
            assert listed["loaded"]
            if shown:
                assert str(shown.id) in {r["id"] for r in listed["rows"]}
        finally:
            client.close()
    finally:
        engine.dispose()
        restarted.stop()
    print(
        f"crash test ({selected_backend()}): {len(load.jobs_acked)} job requests, {len(load.quotes_acked)} "
        f"approvals and {len(load.messages_acked)} messages acknowledged before the kill, {len(jobs)} jobs in the "
        f"database, "
        f"{load.jobs_refused} requests answered without a job"
    )
