"""The portal's typed read models as the pages show them (presentation/): amounts in
the tenant's currency, ISO days, catalogue keys for statuses, the links of a list
page that keep its query, and a hidden panel that sends nothing."""

from __future__ import annotations

from datetime import date

import pool_portal.models as m
from pool_portal.presentation.dashboard import board_values
from pool_portal.presentation.display import money
from pool_portal.presentation.listings import listing_rows
from pool_portal.presentation.lists import asset_values, list_values, row_cells
from pool_portal.services.portal.dashboard_figures import Dashboard, Outstanding, PropertyRow
from pool_portal.services.portal.list_query import parse_query
from pool_portal.services.portal.list_rows import InvoiceRow, JobRow
from pool_portal.services.portal.listings import ListingRow
from pool_portal.services.portal.lists import ListView, Page


def test_listing_rows_carry_the_amount_and_the_status_key():
    rows = [
        ListingRow(7, "I-7", "Pool", "", date(2026, 3, 1), "OVERDUE", amount_cents=12345, doc="invoice"),
        ListingRow(8, "J-8", "Pool", "Clean", date(2026, 3, 2), "late", "routine"),
        ListingRow(9, "J-9", "Pool", "Call", None, "READY", "stage"),
    ]
    invoice, routine, call = listing_rows(rows, "EUR", "es")
    assert invoice == {
        "doc": "invoice",
        "id": "7",
        "number": "I-7",
        "site": "Pool",
        "title": "",
        "date": "2026-03-01",
        "status": "OVERDUE",
        "amount_cents": "12345",
        "amount": money(12345, "EUR", "es"),
        "status_key": "status.OVERDUE",
    }
    assert (routine["status"], routine["status_key"], routine["amount"], routine["doc"]) == (
        "routine.late",
        "routine.late",
        "",
        "",
    )
    assert (call["status"], call["status_key"], call["date"]) == ("stage.READY", "stage.READY", "")


def test_a_list_page_keeps_its_query_in_every_link():
    query = parse_query("invoices", {"status": "overdue", "q": "PO", "sort": "due", "dir": "desc", "page": "2"})
    row = InvoiceRow(3, "I-3", "Pool", date(2026, 1, 5), None, "OVERDUE", 0, None)
    page = Page([row], total=60, page=2, pages=3, sort="due", desc=True)
    values = list_values("invoices", ListView(page, ["number", "due"], "EUR"), query, "en")
    assert values["rows"] == [
        {
            "id": "3",
            "number": "I-3",
            "site": "Pool",
            "issued": "2026-01-05",
            "due": "",
            "status": "OVERDUE",
            "total_cents": "0",
            "po": "",
            "amount": money(0, "EUR", "en"),
        }
    ]
    assert (values["total"], values["page"], values["pages"], values["filtered"]) == (60, 2, 3, True)
    base = "status=overdue&q=PO&sort=due&dir="
    assert values["prev_href"] == f"/portal/invoices?{base}desc&page=1"
    assert values["next_href"] == f"/portal/invoices?{base}desc&page=3"
    assert values["csv_href"] == f"/files/export/invoices.csv?{base}desc"
    assert values["sort_links"]["due"] == f"/portal/invoices?{base}asc"  # the sorted column reverses
    assert values["sort_links"]["issued"] == f"/portal/invoices?{base[: -len('sort=due&dir=')]}sort=issued&dir=desc"
    assert values["hidden"] == [["sort", "due"], ["dir", "desc"]]
    switched_off = list_values("invoices", ListView(None, [], "EUR"), parse_query("invoices", {}), "en")
    assert (switched_off["enabled"], switched_off["rows"], switched_off["filtered"]) == (False, [], False)


def test_row_cells_show_codes_and_days_as_text():
    job = JobRow(1, "J-1", date(2026, 2, 3), "Pool", None, m.JobKind.ROUTINE, m.JobStage.READY, "Visit", None)
    assert row_cells(job, "EUR", "en") == {
        "id": "1",
        "number": "J-1",
        "date": "2026-02-03",
        "site": "Pool",
        "address": "",
        "kind": "ROUTINE",
        "stage": "READY",
        "description": "Visit",
        "po": "",
    }
    assert asset_values(None) == {"detail": {}, "detail_defects": [], "detail_jobs": []}


def test_a_hidden_panel_sends_nothing_and_amounts_are_in_the_currency():
    panels = dict.fromkeys(
        ("map", "activity_report", "defect_analytics", "routine_activities", "service_calls", "spend_tracking"), False
    )
    board = Dashboard(
        today=date(2026, 3, 15),
        panels={**panels, "activity_report": True},
        documents={"quotes": True, "invoices": True, "reports": True},
        properties=[PropertyRow(5, "Pool", "Road 1", overdue_invoices=2, highest_severity=None)],
        activity={"invoices": Outstanding(3, 4500)},
    )
    values = board_values(board, "GBP", "en")
    assert values["properties"] == [
        {
            "id": "5",
            "name": "Pool",
            "address": "Road 1",
            "overdue_invoices": "2",
            "open_quotes": "0",
            "open_defects": "0",
            "severity": "NONE",
        }
    ]
    assert values["activity"] == {"invoices_count": "3", "invoices_total": money(4500, "GBP", "en")}
    for figure in ("map_figure", "defects_figure", "routine_figure", "calls_figure", "spend_figure"):
        assert values[figure] == {"data": [], "layout": {}}
    assert values["tally"] == values["spend_table"] == values["map_table"] == []
    assert "routine_year" not in values  # the page keeps the year it shows
    assert values["report_months"][0] == ["2026-03", "March 2026"]
