"""Incidents → History: the property filter, through the URL like the other filters
(driven over the websocket as the page's on_load is, against the real app)."""

from __future__ import annotations

from sqlmodel import Session, select

import pool_portal.models as m
from pool_portal.states.incidents.staff import AdminIncidentsState
from tests.e2e.event_client import EventClient, sign_in

LOAD = f"{AdminIncidentsState.get_full_name()}.load_admin_incidents"


class _Page:
    """The state's vars as the tab holds them: defaults, then every delta merged."""

    def __init__(self, tab: EventClient):
        self.tab, self.vars = tab, {"site": "", "client": "", "total": 0, "rows": [], "sites": []}

    def open(self, path: str) -> dict:
        raw = self.tab.call(LOAD, {}, path=path)["delta"].get(AdminIncidentsState.get_full_name(), {})
        self.vars.update({k.removesuffix("_rx_state_"): v for k, v in raw.items()})
        return dict(self.vars)


def test_history_filters_by_property_narrowed_by_client(app_server):
    with Session(app_server.engine()) as db:
        tenant = db.exec(select(m.Tenant).where(m.Tenant.slug == "aquademo")).one()
        incident = db.exec(select(m.Incident).where(m.Incident.tenant_id == tenant.id).order_by(m.Incident.id)).first()
        site_id, client_id = incident.site_id, incident.client_id
        want = {i.reference for i in db.exec(select(m.Incident).where(m.Incident.site_id == site_id))}
        other_client_site = db.exec(
            select(m.Site.id).where(m.Site.tenant_id == tenant.id, m.Site.client_id != client_id)
        ).first()
        tenant_sites = set(db.exec(select(m.Site.id).where(m.Site.tenant_id == tenant.id)))
        client_sites = set(db.exec(select(m.Site.id).where(m.Site.client_id == client_id)))
        all_count = len(db.exec(select(m.Incident.id).where(m.Incident.tenant_id == tenant.id)).all())
    tab = EventClient(app_server, sign_in(app_server, "admin@aquademo.example.com", "demo-portal-2026", "staff"))
    page = _Page(tab)
    try:
        everything = page.open("/admin/incidents")
        assert {int(s[0]) for s in everything["sites"]} == tenant_sites and everything["site"] == ""
        assert everything["total"] == all_count

        by_site = page.open(f"/admin/incidents?site={site_id}")
        assert by_site["site"] == str(site_id)
        assert {r["reference"] for r in by_site["rows"]} == want and by_site["total"] == len(want) < all_count

        # With a client chosen the choices are its properties; another client's
        # property left in the URL is dropped, not an empty list.
        narrowed = page.open(f"/admin/incidents?client={client_id}&site={other_client_site}")
        assert {int(s[0]) for s in narrowed["sites"]} == client_sites
        assert narrowed["site"] == "" and narrowed["client"] == str(client_id)
        assert narrowed["total"] >= len(want) and all(
            r["client"] == narrowed["rows"][0]["client"] for r in narrowed["rows"]
        )
    finally:
        tab.close()


def test_page_links_keep_the_filters_and_stop_at_the_ends():
    from pool_portal.states.incidents.common import page_links as _page_links

    prev, nxt = _page_links("/admin/incidents", {"status": "OPEN", "site": "", "q": "leak & pump"}, 2, 3)
    assert prev == "/admin/incidents?status=OPEN&q=leak+%26+pump"
    assert nxt == "/admin/incidents?status=OPEN&q=leak+%26+pump&page=3"
    assert _page_links("/portal/incidents", {"status": ""}, 1, 1) == ("", "")
    assert _page_links("/portal/incidents", {}, 3, 3) == ("/portal/incidents?page=2", "")
