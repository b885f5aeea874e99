"""The group user's dashboard: every panel, the map, a count's overlay and Back."""

from __future__ import annotations

import re

from playwright.sync_api import expect

from tests.e2e.test_shell_journey import sign_in


def click_bar(page, panel: str, url) -> None:
    """Click the tallest bar of ``panel``'s chart until the page goes to ``url``. (The
    tallest: the demo data follows today's date, so the latest month's bar may be
    empty, e.g. on the first of a month.) Plotly takes clicks on a drag layer above
    the bars, at the bar's position; while the chart is still being laid out (a loaded
    machine) that position can move under the click, so a click that opened nothing
    is tried again, a few times at most."""
    bars = page.locator(f"{panel} .barlayer .point path")
    expect(bars.first).to_be_attached()
    for _ in range(5):
        bars.first.scroll_into_view_if_needed()
        boxes = [b for b in (bars.nth(i).bounding_box() for i in range(bars.count())) if b and b["height"] > 2]
        if boxes:
            box = max(boxes, key=lambda b: b["height"])
            page.mouse.click(box["x"] + box["width"] / 2, box["y"] + box["height"] / 2)
            try:
                expect(page).to_have_url(url, timeout=3_000)
                return
            except AssertionError:
                pass
    expect(page).to_have_url(url)


PANELS = [
    "panel-map",
    "panel-properties",
    "panel-activity",
    "panel-defects",
    "panel-routine",
    "panel-calls",
    "panel-spend",
]


def test_group_dashboard_panels_overlay_and_back(app_server, page):
    sign_in(page, app_server, "/portal/login", "group@aquademo.example.com")
    for panel in PANELS:
        expect(page.locator(f"#{panel}")).to_be_visible()
    # The map draws from the shipped outlines: pins and land, no CDN.
    expect(page.locator("#panel-map .scatterlayer .trace").nth(1).locator(".point").first).to_be_attached()
    expect(page.locator("#panel-map .scatterlayer .trace").first.locator("path.js-fill")).to_be_attached()
    # ... and says the same in words: as many properties as the table lists.
    page.locator("#panel-map summary").click()
    in_words = page.locator("#map-table tbody tr td:nth-child(2)")
    expect(in_words.first).to_be_visible()
    expect(page.locator("#properties-table tbody tr").first).to_be_visible()
    assert sum(int(n) for n in in_words.all_inner_texts()) == page.locator("#properties-table tbody tr").count()

    link = page.locator('#properties-table a[href*="show=open_"]').first
    count = int(link.inner_text())
    link.click()
    expect(page).to_have_url(re.compile(r"show="))
    expect(page.locator("#overlay-table tbody tr")).to_have_count(count)
    page.go_back()
    expect(page.locator("#overlay")).to_have_count(0)

    # A copied link opens the same overlay; Escape closes it.
    page.goto(f"{app_server}/portal?show=invoices")
    expect(page.locator("#overlay")).to_be_visible()
    rows = page.locator("#overlay-table tbody tr")
    total = int(page.locator("#activity-invoices-count").inner_text())
    expect(rows).to_have_count(min(total, 200))
    first_in_overlay = rows.first.locator("td").first.inner_text()
    page.keyboard.press("Escape")
    expect(page.locator("#overlay")).to_have_count(0)

    # The activity report lists the first outstanding invoices itself, each opening its PDF.
    items = page.locator("#activity-invoices-items .activity-item")
    expect(items).to_have_count(min(total, 5))
    assert items.first.locator("a").inner_text() == first_in_overlay
    href = items.first.locator("a").get_attribute("href")
    assert re.fullmatch(r"/files/invoice/\d+", href)
    got = page.request.get(f"{app_server}{href}")
    assert got.status == 200 and got.body().startswith(b"%PDF")
    if total > 5:
        expect(page.locator("#activity-invoices-all")).to_be_visible()

    # The monthly report for the month shown in the selector downloads, and reads back.
    with page.expect_download() as info:
        page.locator("#monthly-pdf").click()
    download = info.value
    assert re.fullmatch(r"activity-report-\d{4}-\d{2}\.pdf", download.suggested_filename)
    from pypdf import PdfReader

    text = "\n".join(p.extract_text() for p in PdfReader(download.path()).pages)
    year, month = map(int, download.suggested_filename[16:23].split("-"))
    from sqlmodel import Session, select

    import pool_portal.models as m
    from pool_portal.presentation.display import money
    from pool_portal.services.core.scope import Viewer, portal_client_ids
    from pool_portal.services.infra import pdf

    with Session(app_server.engine()) as s:
        u = s.exec(select(m.PortalUser).where(m.PortalUser.email == "group@aquademo.example.com")).one()
        v = Viewer(
            kind="portal",
            tenant_id=u.tenant_id,
            user_id=u.id,
            session_id=0,
            name=u.name,
            email=u.email,
            client_ids=frozenset(portal_client_ids(s, u.tenant_id, u.id)),
        )
        lines = pdf.monthly_lines(s, v, year, month)
    invoiced = sum(x.cents for d in lines.values() for x in d["invoices"])
    assert f"Total invoiced: {money(invoiced, 'EUR', 'en')}" in text

    # The Routine Activity Report for the year shown.
    with page.expect_download() as info:
        page.locator("#routine-pdf").click()
    assert info.value.suggested_filename.startswith("routine-activities-")
    routine_text = "\n".join(p.extract_text() for p in PdfReader(info.value.path()).pages)
    assert "Routine Activity Report" in routine_text

    # Routine activities: go back a year and forth.
    year = int(re.search(r"\d{4}", page.locator("#routine-year").inner_text()).group(0))
    page.get_by_role("link", name=re.compile("Previous year")).click()
    expect(page.locator("#routine-year")).to_contain_text(str(year - 1))


def test_client_opens_a_property_and_downloads_its_certificate(app_server, page):
    sign_in(page, app_server, "/portal/login", "client@aquademo.example.com")
    page.locator("#properties-table").get_by_role("link", name=re.compile("Costa Azul")).first.click()
    expect(page.locator("#overlay")).to_be_visible()
    expect(page.locator("#detail-assets tbody tr").first).to_be_visible()
    expect(page.locator("#detail-tasks tbody tr").first).to_be_visible()
    files = page.locator("#detail-files a")
    expect(files).to_have_count(1)  # the published certificate; the internal notes never show
    with page.expect_download() as info:
        files.first.click()
    assert info.value.suggested_filename == "pool-safety-certificate.pdf"
    with open(info.value.path(), "rb") as fh:
        assert fh.read(4) == b"%PDF"
    page.keyboard.press("Escape")
    expect(page.locator("#overlay")).to_have_count(0)


def test_search_lists_only_the_users_own_things(app_server, page):
    sign_in(page, app_server, "/portal/login", "client@aquademo.example.com")
    page.locator("#search-q").fill("pool")
    page.locator("#search-go").click()
    expect(page).to_have_url(re.compile(r"show=search&q=pool"))
    results = page.locator("#search-results tbody tr")
    expect(results.first).to_be_visible()
    for i in range(results.count()):
        expect(results.nth(i)).to_contain_text("Costa Azul")
    page.go_back()
    expect(page.locator("#overlay")).to_have_count(0)


def test_a_bar_opens_the_defects_it_counts_and_defects_can_be_searched(app_server, page):
    sign_in(page, app_server, "/portal/login", "group@aquademo.example.com")
    click_bar(page, "#panel-defects", re.compile(r"show=defects&month=\d{4}-\d{2}&bucket="))
    expect(page.locator("#overlay-table tbody tr").first).to_be_visible()
    page.go_back()
    expect(page.locator("#overlay")).to_have_count(0)

    page.locator("#search-defects").click()
    rows = page.locator("#overlay-table tbody tr")
    expect(rows.first).to_be_visible()
    word = max(rows.first.locator("td").nth(2).inner_text().split(), key=len)
    page.locator("#defects-filter").fill(word)
    page.locator("#defects-filter").press("Enter")
    expect(page).to_have_url(re.compile(rf"q={word}"))
    expect(rows.first).to_contain_text(word)
    expect(rows.filter(has_not_text=re.compile(word, re.I))).to_have_count(0)
