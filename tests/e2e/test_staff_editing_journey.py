"""Staff create a quote with lines for a Costa Azul Residences pool and send it; the
client sees it awaiting approval, with the total the lines add up to, and gets a mail."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.test_shell_journey import sign_in


def test_staff_create_a_quote_with_lines_and_send_it_the_client_sees_it(app_server, browser, mailbox):
    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    page = staff.new_page()
    sign_in(page, app_server, "/admin/login", "admin@aquademo.example.com")
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    page.get_by_role("link", name="Data", exact=True).click()
    page.locator("#data-sites").click()
    page.locator("#list-q").fill("Costa Azul")
    page.locator("#list-go").click()
    expect(page).to_have_url(re.compile(r"/admin/sites/?\?.*q=Costa"))
    rows = page.locator("#sites-table tbody tr")
    expect(rows).to_have_count(3)
    rows.filter(has_text="Spa pool").get_by_role("link").first.click()
    expect(page.locator("#site-title")).to_have_text("Costa Azul – Spa pool")

    page.locator("#quotes-new").click()
    expect(page.locator("#record-title")).to_have_text("New quote")
    # Nothing typed yet: the message shows next to the field and nothing is saved.
    page.locator("#quote-save").click()
    expect(page.locator("#error-title")).to_have_text("This field is required.")
    expect(page).to_have_url(re.compile(r"/admin/quote\?site=\d+$"))

    page.locator("#quote-kind").select_option("DEFECT")
    page.locator("#quote-title").fill("Spa heat pump replacement")
    page.locator("#line-0-description").fill("Heat pump Fairland InverX 28")
    page.locator("#line-0-quantity").fill("1")
    page.locator("#line-0-unit_price").fill("1890.00")
    page.locator("#line-add").click()
    page.locator("#line-1-description").fill("Labour (hours)")
    page.locator("#line-1-quantity").fill("2.5")
    page.locator("#line-1-unit_price").fill("abc")
    page.locator("#line-1-unit_price").press("Tab")
    expect(page.locator("#line-0-total")).to_have_text("€1,890.00")
    page.locator("#quote-save").click()  # a bad price: refused, with the message on that line
    expect(page.locator("#error-line-1-unit_price")).to_contain_text("Enter an amount")
    page.locator("#line-1-unit_price").fill("45")
    page.locator("#line-1-unit_price").press("Tab")
    # 1,890.00 + 2.5 x 45.00 = 2,002.50; VAT 21 % = 420.525 -> 420.53; total 2,423.03.
    expect(page.locator("#total-subtotal")).to_have_text("€2,002.50")
    expect(page.locator("#total-tax")).to_have_text("€420.53")
    expect(page.locator("#total-total")).to_have_text("€2,423.03")
    page.locator("#quote-save").click()
    expect(page).to_have_url(re.compile(r"/admin/quote\?id=\d+&saved=1"))
    expect(page.locator("#data-notice")).to_have_text("Saved.")
    expect(page.locator("#record-status")).to_have_text("Draft")
    number = page.locator("#record-title").inner_text().removeprefix("Quote ").strip()
    assert re.fullmatch(r"Q-\d{8}", number), number

    page.locator("#action-send").click()
    expect(page.locator("#data-notice")).to_contain_text("Quote sent")
    expect(page.locator("#record-status")).to_have_text("Awaiting approval")
    expect(page.locator("#action-send")).to_have_count(0)
    expect(page.locator("#total-total")).to_contain_text("€2,423.03")  # now read-only
    expect(page.locator("#quote-save")).to_have_count(0)
    staff.close()

    # The client's contact is told by mail, in the portal's words...
    msg = mailbox.wait_for(lambda m: m["To"] == "client@aquademo.example.com" and number in m["Subject"])
    assert msg["Subject"] == f"New quote {number} from AquaDemo"
    assert f"/portal/quotes?q={number}" in mailbox.text_of(msg)

    # ...and sees it awaiting approval, with the same total.
    client = browser.new_context(viewport={"width": 1280, "height": 900})
    portal = client.new_page()
    sign_in(portal, app_server, "/portal/login", "client@aquademo.example.com")
    expect(portal).to_have_url(re.compile(r"/portal/?$"))
    portal.goto(f"{app_server}/portal/quotes?status=awaiting&q={number}")
    row = portal.locator("#quotes-table tbody tr")
    expect(row).to_have_count(1)
    expect(row).to_contain_text(number)
    expect(row).to_contain_text("Awaiting approval")
    expect(row).to_contain_text("Spa heat pump replacement")
    expect(row).to_contain_text("€2,423.03")
    expect(row.get_by_role("button", name=re.compile("^Approve"))).to_be_visible()
    client.close()


PDF = b"%PDF-1.4\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n"


def _open_site(page, base: str, text: str) -> None:
    page.goto(f"{base}/admin/sites?q={text}")
    page.locator("#sites-table tbody tr").first.get_by_role("link").first.click()
    expect(page.locator("#site-title")).to_contain_text(text)


def test_staff_add_a_property_with_an_asset_a_published_remark_and_a_document(app_server, page):
    sign_in(page, app_server, "/admin/login", "admin@aquademo.example.com")
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    page.goto(f"{app_server}/admin/sites")
    page.locator("#site-new").click()
    expect(page.locator("#site-title")).to_have_text("New property")
    page.locator("#site-name").fill("Villa Mar y Sol – Garden pool")
    page.locator("#site-client_id").select_option(label="Villa Mar y Sol")
    page.locator("#site-latitude").fill("95")
    page.locator("#site-longitude").fill("-0.48")
    page.locator("#site-save").click()
    expect(page.locator("#error-latitude")).to_have_text("The latitude must be a number from -90 to 90.")
    page.locator("#site-latitude").fill("38.6452")
    page.locator("#site-save").click()
    expect(page).to_have_url(re.compile(r"/admin/site\?id=\d+&saved=1"))
    expect(page.locator("#site-title")).to_have_text("Villa Mar y Sol – Garden pool")
    expect(page.locator("#site-latitude")).to_have_value("38.6452")

    page.locator("#asset-add").click()
    page.locator("#asset-asset_code").fill("VMS-001")
    page.locator("#asset-asset_type").fill("Pump")
    page.locator("#asset-next_service_due").fill("2027-05-01")
    page.locator("#asset-save").click()
    expect(page.locator("#data-notice")).to_have_text("Asset saved.")
    expect(page.locator("#assets-table tbody tr")).to_have_count(1)
    expect(page.locator("#assets-table")).to_contain_text("2027-05-01")

    page.locator("#remark-add").click()
    page.locator("#remark-severity").select_option("CRITICAL")
    page.locator("#remark-title").fill("Main drain cover cracked")
    page.locator("#remark-asset_id").select_option(label="VMS-001 · Pump")
    page.locator("#remark-save").click()
    expect(page.locator("#data-notice")).to_have_text("Remark saved.")
    remark = page.locator("#remarks-table tbody tr").filter(has_text="Main drain cover cracked")
    expect(remark).to_contain_text("Critical")
    expect(remark).to_contain_text("VMS-001")
    remark.get_by_role("button", name="Publish", exact=True).click()
    expect(remark.get_by_role("button", name="Unpublish", exact=True)).to_be_visible()

    # A web page dressed up as a PDF is refused by its content; a real PDF is shared.
    page.locator("#document-title").fill("Pool safety certificate 2026")
    page.locator("#document-file input[type=file]").set_input_files(
        files=[{"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": b"<html><body>hi</body></html>"}]
    )
    expect(page.locator("#document-file-selected")).to_contain_text("certificate.pdf")
    page.locator("#document-upload").click()
    expect(page.locator("#error-document_file")).to_contain_text("checked by their content")
    expect(page.locator("#documents-table tbody tr")).to_have_count(0)
    page.locator("#document-file input[type=file]").set_input_files(
        files=[{"name": "certificate.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    page.locator("#document-published").check()
    page.locator("#document-upload").click()
    expect(page.locator("#data-notice")).to_have_text("File uploaded.")
    doc = page.locator("#documents-table tbody tr")
    expect(doc).to_have_count(1)
    expect(doc).to_contain_text("Pool safety certificate 2026")
    expect(doc).to_contain_text("Yes")
    with page.expect_download() as info:
        doc.get_by_role("link", name="certificate.pdf").click()
    assert Path(info.value.path()).read_bytes() == PDF

    # The remarks list: narrowed to this property, then published in bulk (after a confirmation).
    page.locator("#remarks").get_by_role("link", name="See all").click()
    expect(page.locator("#filter-site-badge")).to_contain_text("Villa Mar y Sol – Garden pool")
    expect(page.locator("#remarks-table tbody tr")).to_have_count(1)
    page.locator("#bulk-unpublish").click()
    page.locator("#bulk-confirm").click()
    expect(page.locator("#bulk-result")).to_have_text("1 remarks unpublished.")
    expect(page.locator("#remarks-table tbody tr").first).to_contain_text("No")


def test_a_job_visit_is_planned_and_its_technician_records_the_outcome(app_server, browser):
    office = browser.new_context(viewport={"width": 1280, "height": 900})
    page = office.new_page()
    sign_in(page, app_server, "/admin/login", "office@aquademo.example.com")
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    _open_site(page, app_server, "Villa Mar y Sol – Main pool")
    page.locator("#jobs-new").click()
    expect(page.locator("#record-title")).to_have_text("New job")
    page.locator("#job-kind").select_option("SERVICE_CALL")
    page.locator("#job-description").fill("Pump makes a loud noise at start-up")
    page.locator("#job-tolerance_days").fill("3")
    page.locator("#job-save").click()
    expect(page.locator("#error-tolerance_days")).to_have_text("A tolerance needs a due date.")
    page.locator("#job-tolerance_days").fill("")
    page.locator("#job-technician_id").select_option(label="Tomás Ruiz")
    page.locator("#job-save").click()
    expect(page.locator("#data-notice")).to_have_text("Saved.")
    job_number = page.locator("#record-title").inner_text().removeprefix("Job ").strip()
    page.locator("#visit-add").click()
    page.locator("#visit-technician_id").select_option(label="Tomás Ruiz")
    page.locator("#visit-date").fill("2026-12-01")
    page.locator("#visit-time").fill("10:30")
    page.locator("#visit-save").click()
    expect(page.locator("#data-notice")).to_have_text("Visit saved.")
    expect(page.locator("#visits-table tbody tr")).to_have_count(1)
    expect(page.locator("#visits-table")).to_contain_text("2026-12-01 10:30")
    office.close()

    tech = browser.new_context(viewport={"width": 360, "height": 740})
    page = tech.new_page()
    sign_in(page, app_server, "/admin/login", "tech@aquademo.example.com")
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    # A technician's menu has only what opens for them; the bell is theirs too.
    nav = page.get_by_role("navigation")
    expect(nav.get_by_role("link", name="Home", exact=True).first).to_be_attached()
    for hidden in ("Incidents", "Data", "Clients", "Import", "Staff"):
        expect(page.get_by_role("link", name=hidden, exact=True)).to_have_count(0)
    expect(page.locator("#bell")).to_have_attribute("href", "/admin/notifications?unread=1")
    page.goto(f"{app_server}/admin/visits")
    row = page.locator("#visits-table tbody tr").filter(has_text=job_number)
    expect(row).to_have_count(1)
    expect(page.locator("#visits-table tbody tr").filter(has_text="Irene Soler")).to_have_count(0)
    row.get_by_role("link", name=re.compile("^Edit")).click()
    expect(page.locator("#visit-form")).to_be_visible()
    expect(page.locator("#visit-date")).to_have_count(0)  # planning is not the technician's
    page.locator("#visit-status").select_option("DONE")
    page.locator("#visit-notes").fill("Replaced the bearing; runs quietly now.")
    page.locator("#visit-save").click()
    expect(page.locator("#data-notice")).to_have_text("Visit saved.")
    row = page.locator("#visits-table tbody tr").filter(has_text=job_number)
    expect(row).to_contain_text("Done")
    expect(row).to_contain_text("Replaced the bearing")
    # The rest of the data is not a technician's: the page does not open for them.
    page.goto(f"{app_server}/admin/quotes")
    expect(page).to_have_url(re.compile(r"/admin/login"))
    expect(page.locator("#quotes-table")).to_have_count(0)
    tech.close()


def test_an_invoice_is_issued_then_paid_and_a_report_approved(app_server, page):
    sign_in(page, app_server, "/admin/login", "admin@aquademo.example.com")
    expect(page).to_have_url(re.compile(r"/admin/?$"))
    _open_site(page, app_server, "Villa Mar y Sol – Main pool")
    page.locator("#invoices-new").click()
    page.locator("#line-0-description").fill("Call-out and repair")
    page.locator("#line-0-unit_price").fill("80")
    page.locator("#doc-tax-rate").fill("10")
    page.locator("#doc-tax-rate").press("Tab")
    expect(page.locator("#total-total")).to_have_text("€88.00")
    page.locator("#invoice-save").click()
    expect(page.locator("#record-status")).to_have_text("Draft")
    page.locator("#action-issue").click()
    expect(page.locator("#record-status")).to_have_text("Awaiting payment")
    page.locator("#invoice-paid-on").fill("2000-01-01")
    page.locator("#action-pay").click()
    expect(page.locator("#error-paid_on")).to_have_text("It cannot be paid before it was issued.")
    page.locator("#invoice-paid-on").fill("")
    page.locator("#action-pay").click()
    expect(page.locator("#record-status")).to_have_text("Paid")
    expect(page.locator("#action-void")).to_have_count(0)  # a paid invoice stays paid

    page.locator("#record-site").click()
    page.locator("#reports-new").click()
    page.locator("#report-title").fill("Pump service report")
    page.locator("#report-summary").fill("Bearing replaced, pump tested under load.")
    page.locator("#report-save").click()
    expect(page.locator("#record-status")).to_have_text("Draft")
    page.locator("#action-approve").click()
    expect(page.locator("#data-notice")).to_contain_text("Report approved")
    expect(page.locator("#record-status")).to_have_text("Approved")
    expect(page.locator("#report-save")).to_have_count(0)
