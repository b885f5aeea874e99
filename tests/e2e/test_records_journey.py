"""A client approves a quote, declines another with a comment, and downloads an invoice."""

from __future__ import annotations

import re

from playwright.sync_api import expect
from pypdf import PdfReader

from tests.e2e.test_shell_journey import sign_in


def test_approve_decline_and_invoice_pdf(app_server, page):
    sign_in(page, app_server, "/portal/login", "group@aquademo.example.com")
    page.get_by_role("link", name="Quotes", exact=True).click()
    expect(page).to_have_url(re.compile(r"/portal/quotes"))
    page.locator("#list-status").select_option("awaiting")
    expect(page).to_have_url(re.compile(r"status=awaiting"))
    rows = page.locator("#quotes-table tbody tr")
    expect(rows.first).to_be_visible()
    before = int(re.search(r"(\d+) items", page.locator("#page-info").inner_text()).group(1))
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
