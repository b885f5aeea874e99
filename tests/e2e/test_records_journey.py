"""A client approves a quote, declines another with a comment, and downloads an invoice."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.test_shell_journey import sign_in


def _awaiting_quotes(app_server, email: str) -> int:
    from sqlmodel import Session, select

    import pool_portal.models as m
    from pool_portal.services.core.scope import Viewer, portal_client_ids
    from pool_portal.services.portal import list_query, lists

    with Session(app_server.engine()) as s:
        u = s.exec(select(m.PortalUser).where(m.PortalUser.email == email)).one()
        v = Viewer(
            kind="portal",
            tenant_id=u.tenant_id,
            user_id=u.id,
            session_id=0,
            name=u.name,
            email=u.email,
            client_ids=frozenset(portal_client_ids(s, u.tenant_id, u.id)),
        )
        return lists.fetch(s, v, "quotes", list_query.parse_query("quotes", {"status": "awaiting"})).total


def test_approve_decline_and_invoice_pdf(app_server, page):
    sign_in(page, app_server, "/portal/login", "group@aquademo.example.com")
    page.get_by_role("link", name="Quotes", exact=True).click()
    expect(page).to_have_url(re.compile(r"/portal/quotes"))
    page.locator("#list-status").select_option("awaiting")
    expect(page).to_have_url(re.compile(r"status=awaiting"))
    rows = page.locator("#quotes-table tbody tr")
    # The unfiltered list shows first: wait for the awaiting ones (counted by the service).
    before = _awaiting_quotes(app_server, "group@aquademo.example.com")
    expect(page.locator("#page-info")).to_contain_text(f"{before} items")
    expect(rows.first).to_be_visible()
    first_number = rows.first.locator("td").first.inner_text()

    # Approving needs a name: the message shows next to the field, nothing changes.
    rows.first.get_by_role("button", name=re.compile("^Approve")).click()
    page.locator("#action-submit").click()
    expect(page.locator("#action-error")).to_contain_text("Enter your name")
    page.locator("#approve-name").fill("Hugo Navarro")
    page.locator("#approve-reference").fill("PO-2026-17")
    page.locator("#action-submit").click()
    expect(page.locator("#quote-notice")).to_contain_text("Quote approved")
    expect(page.locator("#page-info")).to_contain_text(f"{before - 1} items")
    expect(page.locator("#quotes-table")).not_to_contain_text(first_number)

    # Declining needs a comment.
    second_number = rows.first.locator("td").first.inner_text()
    rows.first.get_by_role("button", name=re.compile("^Decline")).click()
    page.locator("#action-submit").click()
    expect(page.locator("#action-error")).to_contain_text("why you are declining")
    page.locator("#decline-comment").fill("Too expensive this season")
    page.locator("#action-submit").click()
    expect(page.locator("#quote-notice")).to_contain_text("Quote declined")
    expect(page.locator("#page-info")).to_contain_text(f"{before - 2} items")

    page.locator("#list-status").select_option("all")
    page.locator("#list-q").fill(first_number)
    page.locator("#list-go").click()
    expect(page.locator("#quotes-table tbody tr")).to_have_count(1)
    expect(page.locator("#quotes-table tbody tr").first).to_contain_text("Approved")
    page.locator("#list-q").fill(second_number)
    page.locator("#list-go").click()
    expect(page.locator("#quotes-table tbody tr").first).to_contain_text("Declined")

    page.get_by_role("link", name="Invoices", exact=True).click()
    expect(page.locator("#payment-instructions")).to_contain_text("ES91")
    page.locator("#list-status").select_option("overdue")
    first = page.locator("#invoices-table tbody tr").first
    expect(first).to_contain_text("Overdue")
    number = first.locator("td").first.inner_text()
    with page.expect_download() as info:
        first.get_by_role("link", name=re.compile("PDF")).click()
    assert info.value.suggested_filename == f"invoice-{number}.pdf"
    text = "\n".join(p.extract_text() for p in PdfReader(info.value.path()).pages)
    assert f"Invoice {number}" in text and "How to pay" in text


def test_request_a_job(app_server, page):
    sign_in(page, app_server, "/portal/login", "client@aquademo.example.com")
    page.get_by_role("link", name="Request a job").click()
    options = page.locator("#job-site option")
    expect(options).to_have_count(3)
    for i in range(3):
        expect(options.nth(i)).to_contain_text("Costa Azul")
    page.locator("#job-description").fill("Too short")
    page.locator("#job-submit").click()
    expect(page.locator("#error-description")).to_contain_text("at least 10 characters")
    expect(page.locator("#job-created")).to_have_count(0)
    page.locator("#job-kind").select_option("SERVICE_CALL")
    page.locator("#job-description").fill("The spa pool heater does not reach 30 degrees.")
    page.locator("#job-submit").click()
    expect(page.locator("#job-created")).to_contain_text("REQ-")
    number = page.locator("#job-created").inner_text().split()[-1]

    from sqlmodel import Session, select

    import pool_portal.models as m

    with Session(app_server.engine()) as db:
        job = db.exec(select(m.Job).where(m.Job.number == number)).one()
        assert job.kind == m.JobKind.SERVICE_CALL and job.scheduled_date is None
        assert db.exec(
            select(m.Notification).where(
                m.Notification.kind == m.NotificationKind.JOB_REQUESTED, m.Notification.title.contains(number)
            )
        ).one()


def test_jobs_by_property_and_date_range(app_server, page):
    sign_in(page, app_server, "/portal/login", "client@aquademo.example.com")
    page.get_by_role("link", name="Jobs", exact=True).click()
    rows = page.locator("#jobs-table tbody tr")
    expect(rows.first).to_be_visible()
    site_option = page.locator("#jobs-site option").nth(1)
    site_name = site_option.inner_text()
    page.locator("#jobs-site").select_option(site_option.get_attribute("value"))
    expect(page).to_have_url(re.compile(r"site=\d+"))
    expect(rows.filter(has_not_text=site_name)).to_have_count(0)
    expect(rows.first).to_contain_text(site_name)
    # The property's assets: choosing one narrows the jobs to that asset's.
    from sqlmodel import Session, func, select

    import pool_portal.models as m

    site_id = int(re.search(r"site=(\d+)", page.url).group(1))
    with Session(app_server.engine()) as db:
        asset_id, n = db.exec(
            select(m.Job.asset_id, func.count())
            .where(m.Job.site_id == site_id, m.Job.asset_id.is_not(None))
            .group_by(m.Job.asset_id)
            .order_by(func.count().desc())
        ).first()
    page.locator("#jobs-asset").select_option(str(asset_id))
    expect(page).to_have_url(re.compile(rf"asset={asset_id}"))
    expect(page.locator("#page-info")).to_contain_text(f" {n} items")
    expect(rows).to_have_count(min(n, 25))
    page.locator("#jobs-asset").select_option("")
    expect(page).not_to_have_url(re.compile(r"asset=\d"))
    page.locator("#jobs-from").fill("2026-01-01")
    page.locator("#jobs-to").fill("2026-03-31")
    page.locator("#list-go").click()
    expect(page).to_have_url(re.compile(r"from=2026-01-01&to=2026-03-31"))
    expect(rows.filter(has_not_text=re.compile(r"2026-0[123]-"))).to_have_count(0)
    page.locator("#list-status").select_option("future")
    expect(page).to_have_url(re.compile(r"status=future"))


def test_defects_sort_filter_export_and_asset_detail(app_server, page):
    """Sort by a header, narrow with a column filter, export exactly that as CSV, and
    open an asset's detail; an approved report downloads as a PDF."""
    import csv
    import io

    from sqlmodel import Session, select

    import pool_portal.models as m

    sign_in(page, app_server, "/portal/login", "group@aquademo.example.com")
    page.get_by_role("link", name="Defects", exact=True).click()
    rows = page.locator("#defects-table tbody tr")
    expect(rows.first).to_be_visible()
    page.locator("#sort-severity").click()
    expect(page).to_have_url(re.compile(r"sort=severity"))
    header = page.locator("th[aria-sort='ascending'], th[aria-sort='descending']")
    expect(header).to_have_count(1)
    page.locator("#filter-severity").select_option("CRITICAL")
    expect(page).to_have_url(re.compile(r"f_severity=CRITICAL"))
    expect(rows.first).to_contain_text("Critical")
    expect(rows.filter(has_not_text="Critical")).to_have_count(0)
    expect(page.locator("#page-info")).to_have_text(re.compile(r" [1-9]\d* items"))
    total = int(re.search(r"(\d+) items", page.locator("#page-info").inner_text()).group(1))
    assert total > 0
    with page.expect_download() as info:
        page.locator("#list-export").click()
    text = Path(info.value.path()).read_text(encoding="utf-8-sig")
    lines = list(csv.reader(io.StringIO(text)))
    assert lines[0][:3] == ["Number", "Raised", "Property"] and len(lines) - 1 == total
    assert {line[lines[0].index("Severity")] for line in lines[1:]} == {"Critical"}
    page.locator("#list-clear").click()
    expect(page).not_to_have_url(re.compile(r"f_severity"))

    # Assets: the tenant's columns; an asset's detail with its history.
    page.get_by_role("link", name="Assets", exact=True).click()
    asset_rows = page.locator("#assets-table tbody tr")
    expect(asset_rows.first).to_be_visible()
    code = asset_rows.first.locator("a").first.inner_text()
    asset_rows.first.locator("a").first.click()
    expect(page.locator("#asset-title")).to_contain_text(code)
    expect(page.locator("#asset-next-due")).to_be_visible()
    page.go_back()
    expect(page.locator("#assets-table")).to_be_visible()

    # Reports: approved ones only, each with its PDF.
    with Session(app_server.engine()) as db:
        approved = {r.number for r in db.exec(select(m.Report).where(m.Report.status == m.ReportStatus.APPROVED))}
    page.get_by_role("link", name="Reports", exact=True).click()
    report_rows = page.locator("#reports-table tbody tr")
    expect(report_rows.first).to_be_visible()
    number = report_rows.first.locator("td").first.inner_text()
    assert number in approved
    with page.expect_download() as info:
        report_rows.first.get_by_role("link", name=re.compile("PDF")).click()
    reader = PdfReader(info.value.path())
    assert number in reader.pages[0].extract_text()
