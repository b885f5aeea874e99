"""The authorisation matrix's other doors: a tab's id is never a credential.

A tab's client token travels in the websocket URL, in ``/_upload``'s
``reflex-client-token`` header and in sessionStorage. With it alone nobody may run a
handler or read what the tab showed: ``/_upload`` is authorised from the request's own
cookie, which must be the session the tab belongs to, and Reflex's built-in events
(``hydrate_and_load``, ``hydrate``, ``update_vars_internal``, ``setvar``, the page's
``on_load_internal``) answer a connection that is not the tab's session (no cookie,
another user's, a session that ended) with a wiped state. Ending a session wipes the
stored state of its tabs, wherever it is stored (Redis included).
"""

from __future__ import annotations

import json
import time
import uuid

import pytest
import requests
from reflex_base.event import resolve_upload_handler_param
from sqlmodel import Session, col, func, select

import pool_portal.models as m
import pool_portal.pool_portal  # noqa: F401  (registers every state)
from pool_portal.services.core.scope import portal_client_ids
from pool_portal.states.portal.home import PortalHomeState
from pool_portal.states.staff.home import AdminHomeState
from tests.conftest import selected_backend
from tests.e2e.event_client import ROOT, EventClient, handler_name, redirects, sign_in, state_vars
from tests.e2e.test_authorization_matrix import CALLS, _handlers, _our_states

PASSWORD = "demo-portal-2026"
LOAD_HOME = handler_name(PortalHomeState, "load_home")
ONLOAD = f"{ROOT}.reflex___state____on_load_internal_state.on_load_internal"
UPDATE_VARS = f"{ROOT}.reflex___state____update_vars_internal_state.update_vars_internal"
# What the dashboard holds about the view (the keys of a private answer).
PRIVATE = ("properties", "overlay_rows", "activity", "activity_items", "tally", "spend_table", "map_table")


def _site_names(app_server, email: str) -> list[str]:
    """The names of the properties ``email`` may see: they must not reach anyone else."""
    with Session(app_server.engine()) as db:
        user = db.exec(select(m.PortalUser).where(m.PortalUser.email == email)).one()
        clients = portal_client_ids(db, user.tenant_id, user.id)
        names = db.exec(select(m.Site.name).where(col(m.Site.client_id).in_(clients))).all()
    assert names, f"the demo gives {email} properties"
    return list(names)


def _loaded_tab(app_server, cookie: str) -> EventClient:
    """A tab that opened the dashboard: its state now holds the view's data."""
    tab = EventClient(app_server, cookie)
    home = state_vars(tab.call(LOAD_HOME, {}, path="/portal"), PortalHomeState)
    assert home.get("properties"), "the dashboard loaded the view's properties"
    return tab


def _builtins(client: EventClient) -> dict:
    """Every built-in event a fresh connection of the tab may send, merged."""
    merged: dict = {"delta": {}, "events": []}
    for name, payload in (
        (f"{ROOT}.hydrate_and_load", {}),
        (f"{ROOT}.hydrate", {}),
        (UPDATE_VARS, {"vars": {}}),
        (ONLOAD, {}),
        (f"{PortalHomeState.get_full_name()}.setvar", {"var_name": "properties", "value": []}),
    ):
        result = client.call(name, payload, path="/portal")
        for state, values in result["delta"].items():
            merged["delta"].setdefault(state, {}).update(values)
        merged["events"] += result["events"]
    return merged


def _assert_nothing_private(client: EventClient, result: dict, names: list[str], *, signed_in: bool = False) -> None:
    """No property of the tab's previous user reached ``client``; a connection that is
    signed in as nobody (or whose session ended) gets no dashboard data at all (one
    signed in as someone else may load their own)."""
    home = state_vars(result, PortalHomeState)
    for key in () if signed_in else PRIVATE:
        assert not home.get(key), key
    text = "".join(client.raw)  # JSON text: a name appears with its escapes
    leaked = [n for n in names if json.dumps(n)[1:-1] in text]
    assert leaked == [], "the tab's previous properties reached another connection"


def _sign_out(app_server, cookie: str) -> None:
    r = requests.post(
        f"{app_server}/auth/logout", data={"kind": "portal"}, cookies={"pp_session": cookie}, allow_redirects=False
    )
    assert r.status_code == 303


def _wait_until(predicate, timeout: float = 30.0, what: str = "") -> None:
    deadline = time.monotonic() + timeout
    while not predicate():
        assert time.monotonic() < deadline, f"gave up waiting: {what}"
        time.sleep(0.1)  # polling interval, bounded by the deadline


def _tab_rows(app_server, token: str) -> int:
    with Session(app_server.engine()) as db:
        return db.exec(select(func.count()).select_from(m.SessionTab).where(m.SessionTab.client_token == token)).one()


def test_after_sign_out_a_new_connection_with_the_tab_id_gets_nothing_private(app_server, request):
    names = _site_names(app_server, "client@aquademo.example.com")
    cookie = sign_in(app_server, "client@aquademo.example.com", PASSWORD)
    tab = _loaded_tab(app_server, cookie)
    token = tab.token
    tab.close()
    _sign_out(app_server, cookie)
    # The sign-out wiped the tab's stored state and forgot the tab.
    _wait_until(lambda: _tab_rows(app_server, token) == 0, what="the signed-out tab forgotten")
    if selected_backend() == "postgres":  # the stored state itself, in Redis
        import redis

        store = redis.Redis.from_url(request.getfixturevalue("redis_server"))
        blobs = [store.get(k) or b"" for k in store.scan_iter(f"{token}*")]
        assert blobs, "the tab's state is stored in Redis"
        assert [n for n in names if any(n.encode() in b for b in blobs)] == []
    stranger = EventClient(app_server, None, token=token)
    try:
        _assert_nothing_private(stranger, _builtins(stranger), names)
    finally:
        stranger.close()


def test_another_users_cookie_with_the_tab_id_gets_nothing_of_the_tab(app_server):
    names = _site_names(app_server, "group@aquademo.example.com")
    tab = _loaded_tab(app_server, sign_in(app_server, "group@aquademo.example.com", PASSWORD))
    token = tab.token
    tab.close()
    other = EventClient(app_server, sign_in(app_server, "client@bluewave.example.com", PASSWORD), token=token)
    try:
        _assert_nothing_private(other, _builtins(other), names, signed_in=True)
    finally:
        other.close()


def test_after_the_session_expired_the_tab_answers_with_nothing_private(app_server):
    names = _site_names(app_server, "client@aquademo.example.com")
    cookie = sign_in(app_server, "client@aquademo.example.com", PASSWORD)
    tab = _loaded_tab(app_server, cookie)
    token = tab.token
    tab.close()
    from pool_portal.services.identity.auth import hash_token

    with Session(app_server.engine()) as db:  # the session reaches its end, nobody signed out
        row = db.exec(select(m.UserSession).where(m.UserSession.token_hash == hash_token(cookie))).one()
        row.expires_at = m.utcnow()
        db.add(row)
        db.commit()
    same_browser = EventClient(app_server, cookie, token=token)  # the same, now dead, cookie
    try:
        _assert_nothing_private(same_browser, _builtins(same_browser), names)
    finally:
        same_browser.close()


def test_a_refused_call_wipes_the_tab(app_server):
    names = _site_names(app_server, "client@aquademo.example.com")
    cookie = sign_in(app_server, "client@aquademo.example.com", PASSWORD)
    tab = _loaded_tab(app_server, cookie)
    refused = tab.call(handler_name(AdminHomeState, "load_admin"), {}, path="/admin")  # a staff handler
    assert any(p.endswith("/login") for p in redirects(refused))
    assert state_vars(refused, PortalHomeState).get("properties") == []  # wiped, and the page told
    tab.close()
    again = EventClient(app_server, cookie, token=tab.token)
    try:
        stored = again.call(f"{ROOT}.hydrate", {}, path="/portal")  # the stored state, no page load
        _assert_nothing_private(again, stored, names)
        # The same user can open the dashboard again: the wipe is not a lock-out.
        assert state_vars(again.call(LOAD_HOME, {}, path="/portal"), PortalHomeState).get("properties")
    finally:
        again.close()


def _upload_handlers() -> dict[str, str]:
    """ "State.handler" → full event name, for every handler that takes uploaded files."""
    found = {}
    for short, (full, _rule) in _handlers().items():
        cls_name, _, name = short.partition(".")
        cls = next(c for c in _our_states() if c.__name__ == cls_name)
        try:
            resolve_upload_handler_param(cls.event_handlers[name])
        except Exception:
            continue
        found[short] = full
    return found


def _upload(app_server, tab_token: str, handler: str, cookie: str | None) -> requests.Response:
    return requests.post(
        f"{app_server}/_upload",
        headers={"Reflex-Client-Token": tab_token, "Reflex-Event-Handler": handler},
        cookies={"pp_session": cookie} if cookie else None,
        files=[("files", ("photo.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 64, "image/png"))],
        timeout=60,
    )


def _refused_uploads(app_server) -> int:
    with Session(app_server.engine()) as db:
        return db.exec(
            select(func.count()).select_from(m.AuditEvent).where(m.AuditEvent.action == "upload.refused")
        ).one()


def _incidents(app_server) -> int:
    with Session(app_server.engine()) as db:
        return db.exec(select(func.count()).select_from(m.Incident)).one()


@pytest.fixture(scope="module")
def bound_tabs(app_server):
    """A signed-in tab of a portal user and of a staff member, bound by an allowed call,
    and a tab of another user."""
    portal = sign_in(app_server, "client@aquademo.example.com", PASSWORD)
    staff = sign_in(app_server, "admin@aquademo.example.com", PASSWORD, "staff")
    other = sign_in(app_server, "client@bluewave.example.com", PASSWORD)
    tabs = {"portal": EventClient(app_server, portal), "staff": EventClient(app_server, staff)}
    tabs["other"] = EventClient(app_server, other)
    tabs["portal"].call(LOAD_HOME, {}, path="/portal")
    tabs["other"].call(LOAD_HOME, {}, path="/portal")
    tabs["staff"].call(handler_name(AdminHomeState, "load_admin"), {}, path="/admin")
    yield {"cookies": {"portal": portal, "staff": staff, "other": other}, "tabs": tabs}
    for tab in tabs.values():
        tab.close()


def test_every_upload_handler_is_refused_at_the_upload_door_without_the_tabs_own_session(app_server, bound_tabs):
    handlers = _upload_handlers()
    assert set(handlers) >= {
        "ReportFaultState.submit_report",
        "IncidentState.post_message",
        "QuotesState.submit_action",
        "ImportState.upload_file",
        "PortalSettingsState.upload_logo",
        "SiteState.upload_document",
    }
    assert set(handlers) <= set(CALLS)
    cookies, tabs = bound_tabs["cookies"], bound_tabs["tabs"]
    for short, full in sorted(handlers.items()):
        side = "staff" if short.split(".")[0] in ("ImportState", "PortalSettingsState", "SiteState") else "portal"
        owner = tabs[side].token
        for who, token, cookie in (
            ("no cookie", owner, None),
            ("another user's cookie", owner, cookies["other"]),
            ("the right cookie, another tab's id", tabs["other"].token, cookies[side]),
            ("a tab nobody bound", str(uuid.uuid4()), cookies[side]),
        ):
            before, incidents = _refused_uploads(app_server), _incidents(app_server)
            r = _upload(app_server, token, full, cookie)
            assert r.status_code == 403, (short, who)
            assert _refused_uploads(app_server) == before + 1, (short, who, "not audited")
            assert _incidents(app_server) == incidents, (short, who)


def test_the_tabs_own_session_passes_the_upload_door(app_server, bound_tabs):
    cookies, tabs = bound_tabs["cookies"], bound_tabs["tabs"]
    full = _upload_handlers()["ImportState.upload_file"]
    before = _refused_uploads(app_server)
    r = _upload(app_server, tabs["staff"].token, full, cookies["staff"])
    assert r.status_code == 200 and _refused_uploads(app_server) == before
