"""What the dashboard sends over the websocket: an overlay opened over the dashboard
sends the overlay only (not the whole board again), and loading the dashboard itself
reads the figures afresh."""

from __future__ import annotations

from sqlmodel import Session, select

import pool_portal.models as m
from pool_portal.states.portal.home import PortalHomeState
from tests.e2e.event_client import EventClient, sign_in

HOME = PortalHomeState.get_full_name()
LOAD = f"{HOME}.load_home"


def _home(result: dict) -> dict:
    return {k.removesuffix("_rx_state_"): v for k, v in result["delta"].get(HOME, {}).items()}


def test_an_overlay_sends_only_itself_and_the_dashboard_reloads_fresh(app_server):
    client = EventClient(app_server, sign_in(app_server, "group@aquademo.example.com", "demo-portal-2026"))
    try:
        board = _home(client.call(LOAD, {}, path="/portal"))
        rows = {r["id"]: r for r in board["properties"]}
        site_id, row = next((k, r) for k, r in rows.items() if int(r["overdue_invoices"]) > 0)
        # The charts arrive as plotly JSON, with their bars.
        assert board["defects_figure"]["data"] and board["defects_figure"]["data"][0]["type"] == "bar"

        overlay = _home(client.call(LOAD, {}, path=f"/portal?show=overdue_invoices&site={site_id}"))
        assert overlay["overlay"] == "overdue_invoices"
        assert len(overlay["overlay_rows"]) == int(row["overdue_invoices"])
        assert not {"properties", "map_figure", "defects_figure", "activity"} & set(overlay)

        # An invoice of that property is paid meanwhile: the dashboard, loaded again, shows it.
        invoice_id = int(overlay["overlay_rows"][0]["id"])
        with Session(app_server.engine()) as s:
            invoice = s.get(m.Invoice, invoice_id)
            invoice.status = m.InvoiceStatus.PAID
            s.add(invoice)
            s.commit()
        try:
            again = _home(client.call(LOAD, {}, path="/portal"))
            assert {r["id"]: r for r in again["properties"]}[site_id]["overdue_invoices"] == str(
                int(row["overdue_invoices"]) - 1
            )
            assert again["overlay"] == ""
        finally:
            with Session(app_server.engine()) as s:
                invoice = s.exec(select(m.Invoice).where(m.Invoice.id == invoice_id)).one()
                invoice.status = m.InvoiceStatus.AWAITING_PAYMENT
                s.add(invoice)
                s.commit()
    finally:
        client.close()


def test_a_click_on_a_map_pin_opens_that_property(app_server):
    from tests.e2e.event_client import redirects

    client = EventClient(app_server, sign_in(app_server, "group@aquademo.example.com", "demo-portal-2026"))
    try:
        board = _home(client.call(LOAD, {}, path="/portal"))
        land, pins = board["map_figure"]["data"][0], board["map_figure"]["data"][1]
        assert land["fill"] == "toself" and len(land["x"]) > 10  # the shipped outlines, drawn as land
        # The map's axes are longitude and latitude: a click reports x and y.
        point = {"x": pins["x"][0], "y": pins["y"][0], "curveNumber": 1, "pointNumber": 0}
        result = client.call(f"{HOME}.open_pin", {"points": [point]}, path="/portal")
        assert redirects(result) == [f"/portal?show=property&site={pins['customdata'][0]}"]
    finally:
        client.close()
