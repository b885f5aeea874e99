"""The authorisation matrix: every page, backend route and event handler × every kind
of caller → allowed or refused as it should be, and nothing changed when refused.

Handlers and pages are discovered from the app itself, so a new one that is not in
the tables below (or has no guard) fails this test. Calls go straight over the
websocket, as a hostile browser would send them, not through the UI.
"""

from __future__ import annotations

import re

import pytest
import reflex as rx
import requests
from sqlalchemy import func
from sqlmodel import Session, select

import pool_portal.pool_portal as portal_app
from pool_portal.models import AuditEvent, StaffRole, StaffUser, Tenant
from pool_portal.services.core.scope import Viewer
from pool_portal.states.guard import Rule, refuse_reason
from tests.e2e.event_client import EventClient, redirects, sign_in

DEMO_PASSWORD = "demo-portal-2026"

# Every handler, with the arguments a caller would send. A handler missing here fails.
CALLS: dict[str, dict] = {
    "AppState.set_language": {"lang": "es"},
    "LoginState.load_login": {},
    "LoginState.toggle_reset": {},
    "LoginState.request_link": {"form_data": {"email": "nobody@example.com"}},
    "LoginState.request_reset": {"form_data": {"email": "nobody@example.com"}},
    "LinkState.load_magic": {},
    "LinkState.load_set_password": {},
    "PasswordState.load_portal_password": {},
    "PasswordState.load_admin_password": {},
    "PortalState.switch_view": {"view": "all"},
    "PortalHomeState.load_home": {},
    "PortalHomeState.close_overlay": {"_open": False},
    "PortalHomeState.open_pin": {"points": [{"lat": 38.35, "lon": -0.48}]},
    "PortalHomeState.run_search": {"form_data": {"q": "pump"}},
    "PortalHomeState.open_bar": {"chart": "defects", "points": [{"x": "Jan 26", "curveNumber": 1}]},
    "PortalHomeState.filter_defects": {"form_data": {"q": "drain"}},
    "AdminHomeState.load_admin": {},
    "NotificationsState.load_notifications": {},
    "NotificationsState.open_notification": {"notification_id": "1"},
    "NotificationsState.mark_all_read": {},
    "QuotesState.load_quotes": {},
    "QuotesState.open_action": {"quote_id": "999999", "action": "approve"},
    "QuotesState.close_action": {"_open": False},
    "QuotesState.submit_action": {"files": [], "name": "Mallory"},
    "InvoicesState.load_invoices": {},
    # Online payments: invoices nobody has; a settings form that fails validation (no
    # webhook secret, no method), so even ADMIN's call changes nothing.
    "InvoicesState.pay": {"invoice_id": "999999"},
    "InvoicesState.pay_selected": {"form_data": {"pick_999999": "on", "pick_x": "on"}},
    "InvoicePageState.load_invoice_page": {},
    "InvoicePageState.pay": {},
    "PortalHomeState.pay_invoice": {"invoice_id": "999999"},
    "PortalSettingsState.save_payments": {
        "form_data": {"pay_enabled": "on", "provider": "STRIPE", "secret_key": "sk_live_mallory"}
    },
    "PortalSettingsState.check_payments": {},
    "RequestJobState.load_request": {},
    "JobsState.load_jobs": {},
    "ReportsState.load_reports": {},
    "AssetsState.load_assets": {},
    "DefectsState.load_defects": {},
    "IncidentListState.load_incidents": {},
    "ReportFaultState.load_report_form": {},
    "ReportFaultState.submit_report": {"files": [], "site": "1", "category": "WATER", "description": "x" * 20},
    "IncidentState.load_incident": {},
    "IncidentState.watch_incident": {},
    "IncidentState.post_message": {"files": [], "body": "hello there"},
    "BellState.start_bell": {},
    "BellState.watch_bell": {},
    "AdminIncidentsState.load_admin_incidents": {},
    "AdminIncidentState.load_admin_incident": {},
    "AdminIncidentState.watch_admin_incident": {},
    "AdminIncidentState.reply": {"form_data": {"body": "a reply here"}},
    "AdminIncidentState.classify": {"form_data": {"category": "WATER", "priority": "LOW"}},
    "AdminIncidentState.add_task": {"form_data": {"title": "Check"}},
    "AdminIncidentState.toggle_task": {"task_id": "999999", "done": True},
    "AdminIncidentState.schedule": {"form_data": {"date": "2026-12-01", "technician": "1"}},
    "AdminIncidentState.solve": {"form_data": {"resolution": "Fixed"}},
    "AdminIncidentState.reopen": {},
    "RequestJobState.submit_request": {"form_data": {"site": "1", "kind": "SERVICE_CALL", "description": "x"}},
    "ImportState.load_import": {},
    "ImportState.choose_kind": {"kind": "../../etc"},
    "ImportState.upload_file": {"files": []},
    "ImportState.commit_import": {},
    "ImportState.start_over": {},
    "ImportState.run_import": {"commit": True},
    # The admin control panel: arguments that would change something if they were
    # accepted, or that are refused by the services (unknown ids, bad values).
    "PortalState.end_view_as": {},
    "LinkState.load_staff_set_password": {},
    "PortalSettingsState.load_settings": {},
    "PortalSettingsState.save_settings": {"form_data": {"brand_colour": "javascript:alert(1)", "show_map": "on"}},
    "PortalSettingsState.upload_logo": {"files": []},
    "PortalSettingsState.remove_logo": {},
    "ClientsState.load_clients": {},
    "ClientsState.bulk_invite": {},
    "ClientState.load_client": {},
    "ClientState.add_contact": {"form_data": {"name": "Mallory", "email": "mallory@example.com", "role": "MANAGER"}},
    "ClientState.invite": {"contact_id": "999999"},
    "ClientState.set_active": {"contact_id": "999999", "active": False},
    "ClientState.open_password": {"contact_id": "999999"},
    "ClientState.close_password": {},
    "ClientState.set_initial_password": {"form_data": {"password": "a password 123"}},
    "ClientState.save_customise": {"form_data": {"panel_service_calls": "hide"}},
    "ClientState.reset_customise": {},
    "ClientState.view_as": {},
    "GroupsState.load_groups": {},
    "GroupsState.create_group": {"form_data": {"name": "", "parent_id": "999999"}},
    "GroupState.load_group": {},
    "GroupState.rename": {"form_data": {"name": "Mallory's group"}},
    "GroupState.move": {"form_data": {"parent_id": "999999"}},
    "GroupState.add_client": {"form_data": {"client_id": "999999"}},
    "GroupState.remove_client": {"client_id": "999999"},
    "GroupState.grant": {"form_data": {"portal_user_id": "999999", "role": "MANAGER"}},
    "GroupState.revoke": {"portal_user_id": "999999"},
    "GroupState.delete": {},
    "StaffUsersState.load_staff": {},
    "StaffUsersState.invite": {"form_data": {"email": "not-an-email", "name": "", "role": "ROOT"}},
    "StaffUsersState.set_role": {"staff_id": "999999", "role": "ADMIN"},
    "StaffUsersState.set_active": {"staff_id": "999999", "active": False},
    # Admin → Data. Ids that are nobody's, forms that fail validation, and nothing
    # loaded: an allowed caller changes nothing either (the demo data stays as it is).
    "DataIndexState.load_data_index": {},
    "SitesListState.load_sites_list": {},
    "JobsListState.load_jobs_list": {},
    "QuotesListState.load_quotes_list": {},
    "InvoicesListState.load_invoices_list": {},
    "ReportsListState.load_reports_list": {},
    "RemarksListState.load_remarks_list": {},
    "RemarksListState.ask_bulk": {"action": "drop table"},
    "RemarksListState.bulk_publish": {"publish": True},  # not confirmed: nothing happens
    "RemarksListState.set_published": {"remark_id": "999999", "published": True},
    "VisitsListState.load_visits_list": {},
    "VisitsListState.save_visit": {"form_data": {"status": "DONE", "notes": "x"}},
    "SiteState.load_site": {},
    "SiteState.save_site": {"form_data": {"name": "Mallory's pool", "client_id": "999999"}},
    "SiteState.save_asset": {"form_data": {"asset_code": "X", "asset_type": "Pump"}},
    "SiteState.save_remark": {"form_data": {"severity": "CRITICAL", "status": "OPEN", "title": "x"}},
    "SiteState.set_remark_published": {"remark_id": "999999", "published": True},
    "SiteState.upload_document": {"files": [], "title": "x", "published": "on"},
    "SiteState.set_document_published": {"document_id": "999999", "published": True},
    "SiteState.delete_document": {"document_id": "999999"},
    "JobState.load_job": {},
    "JobState.save_job": {"form_data": {"kind": "ROUTINE", "stage": "READY", "description": "x"}},
    "JobState.save_visit": {"form_data": {"status": "DONE"}},
    "QuoteState.load_quote": {},
    "QuoteState.set_line": {"index": 99, "field": "__class__", "value": "x"},
    "QuoteState.add_line": {},
    "QuoteState.remove_line": {"index": -1},
    "QuoteState.set_tax_rate": {"value": "21"},
    "QuoteState.save_quote": {"form_data": {"kind": "SERVICE", "title": "Mallory"}},
    "QuoteState.send_quote": {},
    "QuoteState.expire_quote": {},
    "InvoiceState.load_invoice": {},
    "InvoiceState.set_line": {"index": 0, "field": "quantity", "value": "1e9"},
    "InvoiceState.add_line": {},
    "InvoiceState.remove_line": {"index": 0},
    "InvoiceState.set_tax_rate": {"value": "-5"},
    "InvoiceState.save_invoice": {"form_data": {"customer_po": "x"}},
    "InvoiceState.issue_invoice": {},
    "InvoiceState.pay_invoice": {"form_data": {"paid_on": "2026-01-01"}},
    "InvoiceState.void_invoice": {},
    "ReportState.load_report": {},
    "ReportState.save_report": {"form_data": {"title": "Mallory"}},
    "ReportState.approve_report": {},
}

# Every page route and who may open it (its on_load handler must agree).
PAGES: dict[str, str] = {
    "index": "public",
    "portal/login": "public",
    "admin/login": "public",
    "portal/magic": "public",
    "portal/set-password": "public",
    "portal": "portal",
    "portal/password": "portal",
    "portal/quotes": "portal",
    "portal/invoices": "portal",
    "portal/invoice": "portal",
    "portal/request-job": "portal",
    "portal/jobs": "portal",
    "portal/reports": "portal",
    "portal/assets": "portal",
    "portal/defects": "portal",
    "portal/incidents": "portal",
    "portal/incidents/new": "portal",
    "portal/incident": "portal",
    "admin/incidents": "staff",
    "admin/incident": "staff",
    "admin/notifications": "staff",
    "admin": "staff",
    "admin/password": "staff",
    "admin/import": "staff",
    "admin/settings": "staff",
    "admin/clients": "staff",
    "admin/client": "staff",
    "admin/groups": "staff",
    "admin/group": "staff",
    "admin/staff": "staff",
    "admin/set-password": "public",
    "admin/data": "staff",
    "admin/sites": "staff",
    "admin/site": "staff",
    "admin/jobs": "staff",
    "admin/job": "staff",
    "admin/visits": "staff",
    "admin/quotes": "staff",
    "admin/quote": "staff",
    "admin/invoices": "staff",
    "admin/invoice": "staff",
    "admin/reports": "staff",
    "admin/report": "staff",
    "admin/remarks": "staff",
}

# Every backend route, and what an anonymous request with no data gets (never a 5xx).
# Who gets each /files/* route once signed in (every role, own and other tenant, view-as)
# is tests/api/test_file_roles.py, against the one rule of services/infra/file_access.py.
ROUTES: dict[str, tuple[str, int]] = {
    "/auth/login": ("POST", 303),
    "/auth/logout": ("POST", 303),
    "/auth/magic": ("POST", 303),
    "/auth/set-password": ("POST", 303),
    "/auth/staff-set-password": ("POST", 303),
    "/files/logo": ("GET", 401),
    "/auth/change-password": ("POST", 303),
    "/files/monthly-report?month=2026-01": ("GET", 401),
    "/files/document/1": ("GET", 401),
    "/files/quote/1": ("GET", 401),
    "/files/invoice/1": ("GET", 401),
    "/files/report/1": ("GET", 401),
    "/files/incident-photo/1": ("GET", 401),
    "/files/export/quotes.csv?f_site=x&sort=number": ("GET", 401),
    "/files/routine-report?from=2026-01-01&to=2026-12-31": ("GET", 401),
    "/_health": ("GET", 200),  # public: the same answer for everyone, nothing secret in it
    # The integration API: a key, never a session; without one every route is 401.
    "/api/v1/openapi.json": ("GET", 200),  # public: the spec
    **{
        f"/api/v1/{kind}": ("GET", 401)
        for kind in ("clients", "sites", "assets", "remarks", "jobs", "quotes", "invoices", "reports")
    },
    **{
        f"/api/v1/{kind}/X-1": ("PUT", 401)
        for kind in ("clients", "sites", "assets", "remarks", "jobs", "quotes", "invoices", "reports")
    },
    "/api/v1/invoices/X-1/pdf": ("PUT", 401),
    "/api/v1/payments": ("GET", 401),
    # The payment providers' webhooks: no session, no Origin; unsigned (or no payment id): 400.
    "/payments/stripe/webhook": ("POST", 400),
    "/payments/mollie/webhook": ("POST", 400),
}

# Background tasks (the live watchers): their answer arrives after the call returns.
BACKGROUND = {
    "IncidentState.watch_incident",
    "BellState.watch_bell",
    "AdminIncidentState.watch_admin_incident",
    "ImportState.run_import",
    "ClientsState.bulk_invite",
}

ACTORS = ["anonymous", "portal_a", "group_a", "admin_a", "office_a", "technician_a", "portal_b", "admin_b"]


def _our_states() -> list[type[rx.State]]:
    found, todo = [], [rx.State]
    while todo:
        cls = todo.pop()
        for sub in cls.__subclasses__():
            todo.append(sub)
            if sub.__module__.startswith("pool_portal."):
                found.append(sub)
    return found


def _handlers() -> dict[str, tuple[str, Rule | None]]:
    """ "State.handler" → (full event name, guard rule) for every handler we define."""
    out = {}
    for cls in _our_states():
        for name, handler in cls.event_handlers.items():
            if name == "setvar":  # Reflex's own; no state var is trusted by any rule
                continue
            if name not in cls.__dict__:  # inherited: checked on the class defining it
                continue
            out[f"{cls.__name__}.{name}"] = (
                f"{cls.get_full_name()}.{name}",
                getattr(handler.fn, "_guard_rule", None),
            )
    return out


def test_every_handler_has_a_guard_and_a_row_here():
    handlers = _handlers()
    unguarded = [n for n, (_, rule) in handlers.items() if rule is None]
    assert unguarded == [], "handlers without @public_event/@portal_event/@staff_event"
    assert set(handlers) == set(CALLS), set(handlers) ^ set(CALLS)


def test_every_page_has_a_row_here_and_its_loader_agrees():
    pages = portal_app.app._unevaluated_pages
    assert set(pages) == set(PAGES), set(pages) ^ set(PAGES)
    for route, page in pages.items():
        loaders = page.on_load if isinstance(page.on_load, list) else [page.on_load]
        for loader in loaders:
            rule = getattr(getattr(loader, "fn", None), "_guard_rule", None)
            if rule is not None:
                assert rule.kind == PAGES[route], route


def test_every_backend_route_has_a_row_here(app_server):
    from pool_portal.api import files, health, integration, payments, session_routes

    def pattern(path: str) -> str:
        path = re.sub(r"^/payments/[a-z]+/webhook$", "/payments/{provider}/webhook", path.split("?")[0])
        path = re.sub(r"/export/[a-z]+\.csv$", "/export/{kind}.csv", path)
        path = re.sub(r"/X-1(?=/|$)", "/{external_id}", path)
        return re.sub(r"/\d+$", "/{document_id}" if "document" in path else "/{record_id}", path)

    api_routes = {integration.PREFIX + r.path for r in integration.app.routes}
    assert {r.path for r in session_routes.routes + files.routes + health.routes + payments.routes} | api_routes == {
        pattern(p) for p in ROUTES
    }
    for path, (method, status) in ROUTES.items():
        r = requests.request(method, f"{app_server}{path}", data={}, allow_redirects=False, timeout=30)
        assert r.status_code == status, path
        if path.startswith("/api/v1/") and status == 401:
            assert r.headers["content-type"].startswith("application/problem+json"), path
            assert r.json()["status"] == 401
        assert "pp_session=" not in r.headers.get("set-cookie", "").replace('pp_session=""', "")


@pytest.fixture(scope="module")
def cookies(app_server):
    with Session(app_server.engine()) as db:
        aqua = db.exec(select(Tenant).where(Tenant.slug == "aquademo")).one()
        staff = {
            role: db.exec(
                select(StaffUser.email)
                .where(StaffUser.tenant_id == aqua.id, StaffUser.role == role)
                .order_by(StaffUser.id)
            ).first()
            for role in StaffRole
        }
    logins = {
        "portal_a": ("client@aquademo.example.com", "portal"),
        "group_a": ("group@aquademo.example.com", "portal"),
        "admin_a": (staff[StaffRole.ADMIN], "staff"),
        "office_a": (staff[StaffRole.OFFICE], "staff"),
        "technician_a": (staff[StaffRole.TECHNICIAN], "staff"),
        "portal_b": ("client@bluewave.example.com", "portal"),
        "admin_b": ("admin@bluewave.example.com", "staff"),
    }
    out = {"anonymous": None}
    for actor, (email, kind) in logins.items():
        assert email, f"the demo data has no user for {actor}"
        out[actor] = sign_in(app_server, email, DEMO_PASSWORD, kind)
    return out


def _expected(actor: str, rule: Rule) -> bool:
    if actor == "anonymous":
        return refuse_reason(None, rule) is None
    kind = "staff" if actor.startswith(("admin", "office", "technician")) else "portal"
    role = {"admin": StaffRole.ADMIN, "office": StaffRole.OFFICE, "technician": StaffRole.TECHNICIAN}.get(
        actor.split("_")[0]
    )
    v = Viewer(kind=kind, tenant_id=0, user_id=0, session_id=0, name="", email="", role=role)
    return refuse_reason(v, rule) is None


def _refusals(engine) -> int:
    with Session(engine) as db:
        return db.exec(select(func.count(AuditEvent.id)).where(AuditEvent.action == "call.refused")).one()


@pytest.mark.parametrize("actor", ACTORS)
def test_matrix(app_server, cookies, actor):
    client = EventClient(app_server, cookies[actor])
    try:
        for short, (full, rule) in sorted(_handlers().items()):
            before = _refusals(app_server.engine())
            result = client.call(full, CALLS[short], path="/portal")
            chained = client.settle(path="/portal")  # what it chained belongs to this call
            result = {
                "delta": {
                    k: {**result["delta"].get(k, {}), **v} for k, v in {**result["delta"], **chained["delta"]}.items()
                },
                "events": result["events"] + chained["events"],
            }
            if short in BACKGROUND and not _expected(actor, rule):
                # A background task answers after the call returns: wait for its refusal.
                later = client.collect(lambda r: any(p.endswith("/login") for p in redirects(r)))
                result = {"delta": {**result["delta"], **later["delta"]}, "events": result["events"] + later["events"]}
            after = _refusals(app_server.engine())
            to_login = [p for p in redirects(result) if p.endswith("/login")]
            if _expected(actor, rule):
                assert not to_login and after == before, f"{actor} refused {short}"
            else:
                assert to_login, f"{actor} was let into {short}"
                assert after == before + 1, f"refusal of {short} for {actor} not audited"
                # A refused call sends back nothing private.
                for state_delta in result["delta"].values():
                    for key in (
                        "properties",
                        "clients",
                        "visits",
                        "view_choices",
                        "contacts",
                        "overlay_rows",
                        "activity",
                        "tally",
                        "spend_table",
                        "search_hits",
                        "rows",
                        "sites",
                        "staff",
                        "members",
                        "client_choices",
                        "contact_choices",
                        "panels",
                        "groups",
                        "flags",
                        "payable",
                        "payments",
                        "invoice",
                    ):
                        for suffix in ("", "_rx_state_"):
                            assert not state_delta.get(key + suffix), (actor, short, key)
        # The session id never travels to the browser's state, whatever was called.
        if cookies[actor]:
            assert all(cookies[actor] not in raw for raw in client.raw)
    finally:
        client.close()


def test_portal_user_cannot_switch_into_another_clients_view(app_server, cookies):
    """Another tenant's client, or a client of the same tenant outside the user's
    memberships: the view does not change and the data stays the user's own."""
    from pool_portal.models import Client

    with Session(app_server.engine()) as db:
        foreign = db.exec(
            select(Client.id).join(Tenant, Tenant.id == Client.tenant_id).where(Tenant.slug == "bluewave")
        ).first()
        outside = db.exec(
            select(Client.id)
            .join(Tenant, Tenant.id == Client.tenant_id)
            .where(Tenant.slug == "aquademo", Client.name != "Costa Azul Residences")
        ).first()
    handlers = _handlers()
    client = EventClient(app_server, cookies["portal_a"])
    try:
        for bad in (f"client:{foreign}", f"client:{outside}", "group:1", "client:../../x"):
            result = client.call(handlers["PortalState.switch_view"][0], {"view": bad}, path="/portal")
            assert redirects(result) == []
        result = client.call(handlers["PortalHomeState.load_home"][0], {}, path="/portal")
        rows = next(d for d in result["delta"].values() if any(k.startswith("properties") for k in d))
        props = next(v for k, v in rows.items() if k.startswith("properties"))
        assert len(props) == 3 and all(p["name"].startswith("Costa Azul") for p in props)
    finally:
        client.close()


def test_an_overlay_for_another_clients_site_shows_nothing(app_server, cookies):
    """?show=...&site=<id> of a site outside the view: no rows, no overlay."""
    from pool_portal.models import Site

    with Session(app_server.engine()) as db:
        foreign_sites = db.exec(
            select(Site.id).join(Tenant, Tenant.id == Site.tenant_id).where(Tenant.slug == "bluewave")
        ).all()
        own_tenant_other = db.exec(
            select(Site.id)
            .join(Tenant, Tenant.id == Site.tenant_id)
            .where(Tenant.slug == "aquademo", ~Site.name.startswith("Costa Azul"))
        ).first()
    name = _handlers()["PortalHomeState.load_home"][0]
    client = EventClient(app_server, cookies["portal_a"])
    try:
        for site_id in (foreign_sites[0], own_tenant_other):
            path = f"/portal?show=open_defects&site={site_id}"
            client.sio.emit(
                "event",
                {
                    "name": name,
                    "payload": {},
                    "router_data": {
                        "pathname": "/portal",
                        "asPath": path,
                        "query": {"show": "open_defects", "site": str(site_id)},
                    },
                },
                namespace="/_event",
            )
            result = client.call(name, {}, path="/portal")  # the sentinel after it
            for state in result["delta"].values():
                assert not state.get("overlay_rows_rx_state_")
    finally:
        client.close()
