"""The list machinery: per-column filters that combine, sorting, paging, visibility
(reports approved only, published defects only, the view), tenant asset columns,
asset detail, CSV export of the current filter, and URL parsing that never errors."""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

import pytest

import pool_portal.models as m
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal import assets, export, jobs, list_columns, list_query, lists, reports

NOW = datetime(2026, 3, 15, 10, tzinfo=UTC)
TODAY = date(2026, 3, 15)


@pytest.fixture
def world(db):
    t, o = m.Tenant(name="T", slug="t"), m.Tenant(name="O", slug="o")
    db.add_all([t, o])
    db.flush()
    db.add(m.PortalSettings(tenant_id=t.id, asset_columns="asset_type,serial_number", asset_id_label="Tag"))
    mine, other = m.Client(tenant_id=t.id, name="Mine"), m.Client(tenant_id=t.id, name="Other")
    foreign = m.Client(tenant_id=o.id, name="Foreign")
    db.add_all([mine, other, foreign])
    db.flush()
    s1 = m.Site(tenant_id=t.id, client_id=mine.id, name="Alpha pool", address="1 Sea Road")
    s2 = m.Site(tenant_id=t.id, client_id=mine.id, name="Beta pool", address="2 Hill Road")
    s3 = m.Site(tenant_id=t.id, client_id=other.id, name="Their pool")
    s4 = m.Site(tenant_id=o.id, client_id=foreign.id, name="Foreign pool")
    db.add_all([s1, s2, s3, s4])
    db.flush()
    pump = m.Asset(
        tenant_id=t.id,
        site_id=s1.id,
        asset_code="P-1",
        asset_type="pump",
        serial_number="SN1",
        next_service_due=TODAY + timedelta(days=20),
    )
    heater = m.Asset(tenant_id=t.id, site_id=s2.id, asset_code="H-1", asset_type="heater", serial_number="SN2")
    gone = m.Asset(tenant_id=t.id, site_id=s1.id, asset_code="X-9", asset_type="pump", is_active=False)
    theirs = m.Asset(tenant_id=t.id, site_id=s3.id, asset_code="T-1", asset_type="pump")
    db.add_all([pump, heater, gone, theirs])
    db.flush()
    R = m.ReportStatus
    approved = m.Report(
        tenant_id=t.id,
        number="R1",
        site_id=s1.id,
        title="March service",
        status=R.APPROVED,
        report_date=TODAY - timedelta(days=3),
        summary="All good apart from the pump",
    )
    draft = m.Report(tenant_id=t.id, number="R2", site_id=s1.id, title="Draft visit", status=R.DRAFT, report_date=TODAY)
    their_report = m.Report(
        tenant_id=t.id, number="R3", site_id=s3.id, title="Theirs", status=R.APPROVED, report_date=TODAY
    )
    db.add_all([approved, draft, their_report])
    db.flush()
    S = m.Severity

    def remark(
        title, severity, *, site=s1, asset=None, published=True, report=None, status=m.RemarkStatus.OPEN, days=0
    ):
        r = m.Remark(
            tenant_id=t.id,
            site_id=site.id,
            asset_id=asset.id if asset else None,
            severity=severity,
            title=title,
            raised_on=TODAY - timedelta(days=days),
            is_published=published,
            report_id=report.id if report else None,
            status=status,
        )
        db.add(r)
        return r

    remark("Pump seal leaking", S.CRITICAL, asset=pump, days=1)
    remark("Heater scale", S.NON_CRITICAL, site=s2, asset=heater, days=40)
    remark("Unpublished finding", S.CRITICAL, published=False)
    remark("Via approved report", S.RECOMMENDATION, published=False, report=approved, days=3)
    remark("Via draft report", S.CRITICAL, published=False, report=draft)
    remark("Old crack fixed", S.NON_CONFORMANCE, status=m.RemarkStatus.RESOLVED, days=100)
    remark("Their defect", S.CRITICAL, site=s3)
    for n in range(30):
        db.add(
            m.Job(
                tenant_id=t.id,
                number=f"J{n:02d}",
                site_id=(s1 if n % 2 else s2).id,
                asset_id=pump.id if n < 3 else None,
                kind=m.JobKind.ROUTINE if n % 3 else m.JobKind.SERVICE_CALL,
                description=f"Visit {n}",
                scheduled_date=TODAY - timedelta(days=n),
                customer_po='=HYPERLINK("x")' if n == 0 else None,
            )
        )
    pat = m.PortalUser(tenant_id=t.id, email="p@x.test", name="Pat")
    db.add(pat)
    db.commit()
    v = Viewer(
        kind="portal",
        tenant_id=t.id,
        user_id=pat.id,
        session_id=1,
        name="Pat",
        email="p@x",
        client_ids=frozenset({mine.id}),
    )
    return dict(
        t=t,
        v=v,
        s1=s1,
        s2=s2,
        s3=s3,
        pump=pump,
        theirs=theirs,
        approved=approved,
        draft=draft,
        their_report=their_report,
    )


def q(kind, **params):
    return list_query.parse_query(kind, {k: str(v) for k, v in params.items()})


def col(page, key):
    return [getattr(r, key) for r in page.rows]


def test_reports_are_approved_only_and_of_the_view(db, world):
    page = lists.fetch(db, world["v"], "reports", q("reports"), now=NOW)
    assert col(page, "number") == ["R1"]
    assert reports.get_report(db, world["v"], world["draft"].id) is None
    assert reports.get_report(db, world["v"], world["their_report"].id) is None
    assert reports.get_report(db, world["v"], world["approved"].id).number == "R1"
    assert col(lists.fetch(db, world["v"], "reports", q("reports", q="apart from the pump"), now=NOW), "number") == [
        "R1"
    ]


def test_defects_are_published_or_on_an_approved_report(db, world):
    page = lists.fetch(db, world["v"], "defects", q("defects"), now=NOW)
    assert col(page, "title") == ["Pump seal leaking", "Via approved report", "Heater scale", "Old crack fixed"]
    assert col(lists.fetch(db, world["v"], "defects", q("defects", status="open"), now=NOW), "title") == [
        "Pump seal leaking",
        "Via approved report",
        "Heater scale",
    ]
    # Sorting by severity puts the most severe first (descending) and last (ascending).
    by_sev = lists.fetch(db, world["v"], "defects", q("defects", sort="severity", dir="desc"), now=NOW)
    assert col(by_sev, "severity")[0] == "CRITICAL" and col(by_sev, "severity")[-1] == "RECOMMENDATION"
    asc = lists.fetch(db, world["v"], "defects", q("defects", sort="severity", dir="asc"), now=NOW)
    assert col(asc, "severity") == list(reversed(col(by_sev, "severity")))
    assert col(lists.fetch(db, world["v"], "defects", q("defects", f_asset="P-1"), now=NOW), "title") == [
        "Pump seal leaking"
    ]


def test_column_filters_combine_with_search_and_status(db, world):
    v = world["v"]
    page = lists.fetch(db, v, "jobs", q("jobs", f_site="Alpha", f_kind="ROUTINE"), now=NOW)
    assert page.total == 10 and set(col(page, "site")) == {"Alpha pool"}
    assert set(col(page, "kind")) == {m.JobKind.ROUTINE}
    narrowed = lists.fetch(db, v, "jobs", q("jobs", f_site="Alpha", f_kind="ROUTINE", q="Visit 1"), now=NOW)
    assert sorted(col(narrowed, "number")) == ["J01", "J11", "J13", "J17", "J19"]
    month = (TODAY - timedelta(days=20)).strftime("%Y-%m")
    in_month = lists.fetch(db, v, "jobs", q("jobs", f_date=month), now=NOW)
    assert in_month.total and all(r.date.strftime("%Y-%m") == month for r in in_month.rows)
    day = lists.fetch(db, v, "jobs", q("jobs", f_date=(TODAY - timedelta(days=4)).isoformat()), now=NOW)
    assert col(day, "number") == ["J04"]


def test_sorting_and_paging(db, world):
    v = world["v"]
    first = lists.fetch(db, v, "jobs", q("jobs", sort="number", dir="asc"), now=NOW)
    assert (first.total, first.pages, first.sort, first.desc) == (30, 2, "number", False)
    assert col(first, "number")[:3] == ["J00", "J01", "J02"]
    second = lists.fetch(db, v, "jobs", q("jobs", sort="number", dir="asc", page=2), now=NOW)
    assert col(second, "number") == [f"J{n}" for n in range(25, 30)]
    desc = lists.fetch(db, v, "jobs", q("jobs", sort="number", dir="desc"), now=NOW)
    assert col(desc, "number")[0] == "J29"
    clamped = lists.fetch(db, v, "jobs", q("jobs", page=99), now=NOW)
    assert clamped.page == 2


def test_jobs_filter_by_asset(db, world):
    v, pump, theirs = world["v"], world["pump"], world["theirs"]
    s1, s2 = world["s1"], world["s2"]
    page = lists.fetch(db, v, "jobs", q("jobs", asset=pump.id, sort="number", dir="asc"), now=NOW)
    assert col(page, "number") == ["J00", "J01", "J02"]
    # With the property too, and through the records service; the URL keeps the asset.
    both = jobs.list_jobs(db, v, site_id=s1.id, asset_id=pump.id, now=NOW)
    assert sorted(col(both, "number")) == ["J01"]  # of the pump's jobs only J01 is at Alpha (odd numbers)
    assert list_query.query_params(q("jobs", asset=pump.id, site=s1.id))["asset"] == str(pump.id)
    # The page's choices: the property's active assets; an asset brings its property;
    # an asset not on the chosen property, or another client's, is dropped.
    assert jobs.job_asset_filter(db, v, None, pump.id) == (s1.id, pump.id, [jobs.AssetChoice(pump.id, "P-1", "pump")])
    heater_choices = jobs.job_asset_filter(db, v, s2.id, pump.id)
    assert heater_choices[:2] == (s2.id, None) and [(c.code, c.type) for c in heater_choices[2]] == [("H-1", "heater")]
    assert jobs.job_asset_filter(db, v, None, theirs.id) == (None, None, [])
    assert jobs.job_asset_filter(db, v, world["s3"].id, theirs.id) == (world["s3"].id, None, [])
    assert lists.fetch(db, v, "jobs", q("jobs", asset=theirs.id), now=NOW).total == 0


def test_bad_urls_are_dropped_not_errors(db, world):
    query = q(
        "jobs",
        sort="password_hash",
        dir="sideways",
        f_kind="BANANA",
        f_date="2026-13",
        page="-3",
        f_nonsense="x",
        status="everything",
        site="abc",
        **{"from": "yesterday"},
    )
    assert (query.sort, query.desc, query.filters, query.page, query.status, query.site_id, query.date_from) == (
        "",
        None,
        {},
        1,
        "all",
        None,
        None,
    )
    assert lists.fetch(db, world["v"], "jobs", query, now=NOW).total == 30
    # Digits str.isdigit() takes but int() refuses, and ids past the database's integer.
    for bad in ("²", "1²", "٣", "1" * 30, "-1", "0"):
        query = q("jobs", page=bad, site=bad, asset=bad)
        assert (query.page, query.site_id, query.asset_id) == (1, None, None), bad
        assert lists.fetch(db, world["v"], "jobs", query, now=NOW).total == 30
    # A like-wildcard in a filter is taken literally.
    assert lists.fetch(db, world["v"], "jobs", q("jobs", f_description="%"), now=NOW).total == 0


def test_assets_follow_the_tenant_columns_and_label(db, world):
    v = world["v"]
    keys, label = list_columns.asset_columns(db, v.tenant_id)
    assert keys == ["asset_code", "asset_type", "site", "serial_number"] and label == "Tag"
    page = lists.fetch(db, v, "assets", q("assets"), now=NOW)
    assert col(page, "asset_code") == ["H-1", "P-1"]  # not the inactive one, not another client's
    rows = list(csv.reader(io.StringIO("".join(export.export_csv(db, v, "assets", q("assets"), lambda k: k, now=NOW)))))
    assert rows[0] == ["Tag", "assets.asset_type", "overlay.site", "assets.serial_number"]
    assert rows[1:] == [["H-1", "heater", "Beta pool", "SN2"], ["P-1", "pump", "Alpha pool", "SN1"]]


def test_asset_detail(db, world):
    v = world["v"]
    detail = assets.asset_detail(db, v, world["pump"].id)
    assert detail.asset_code == "P-1" and detail.next_service_due == TODAY + timedelta(days=20)
    assert [(d.number, d.title, d.severity) for d in detail.defects] == [
        (f"D-{detail.defects[0].id}", "Pump seal leaking", m.Severity.CRITICAL)
    ]
    assert [j.number for j in detail.jobs] == ["J00", "J01", "J02"]
    assert assets.asset_detail(db, v, world["theirs"].id) is None
    assert assets.asset_detail(db, v, 999999) is None


def test_csv_export_is_the_filtered_list_and_safe_in_spreadsheets(db, world):
    v = world["v"]
    query = q("jobs", f_site="Beta", sort="number", dir="asc")
    text = "".join(export.export_csv(db, v, "jobs", query, lambda k: k.upper(), now=NOW))
    rows = list(csv.reader(io.StringIO(text)))
    assert rows[0][:3] == ["OVERLAY.NUMBER", "OVERLAY.DATE", "OVERLAY.SITE"]
    assert [r[0] for r in rows[1:]] == [f"J{n:02d}" for n in range(0, 30, 2)]  # all 15, not one page
    po = rows[1][rows[0].index("JOBS.PO")]
    assert po.startswith("'=")  # a formula is not run by a spreadsheet
    assert rows[1][rows[0].index("DETAIL.KIND")] == "KIND.SERVICE_CALL"  # choices translated


def test_switched_off_documents_are_not_listed(db, world):
    from sqlmodel import select

    settings = db.exec(select(m.PortalSettings)).one()
    settings.show_reports = False
    db.add(settings)
    db.commit()
    assert lists.fetch(db, world["v"], "reports", q("reports"), now=NOW) is None
    assert export.export_csv(db, world["v"], "reports", q("reports"), str, now=NOW) is None
    assert reports.get_report(db, world["v"], world["approved"].id) is None


def test_report_pdf_reads_back(db, world):
    from pypdf import PdfReader

    from pool_portal.services.infra import pdf

    data = pdf.service_report(db, world["approved"], "en")
    text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(data)).pages)
    assert "R1" in text and "Alpha pool" in text and "March service" in text
    assert "Via approved report" in text and "Defects in this report: 1" in text and "Page 1 of 1" in text


@pytest.fixture
def many(db):
    """Enough rows for several pages: four sites, two of them with the same name (their
    rows interleave when sorted by site), defects and jobs spread over them."""
    t = m.Tenant(name="P", slug="p")
    db.add(t)
    db.flush()
    c = m.Client(tenant_id=t.id, name="C")
    db.add(c)
    db.flush()
    sites = [
        m.Site(tenant_id=t.id, client_id=c.id, name=n, address=a)
        for n, a in (("Delta", "4 Road"), ("Alpha", "1 Road"), ("Alpha", "1 Road bis"), ("Cove", ""))
    ]
    db.add_all(sites)
    db.flush()
    asset = m.Asset(tenant_id=t.id, site_id=sites[0].id, asset_code="PUMP-1", asset_type="pump")
    db.add(asset)
    db.flush()
    S = list(m.Severity)
    for n in range(41):
        site = sites[(n * 7) % 4]
        db.add(
            m.Remark(
                tenant_id=t.id,
                site_id=site.id,
                severity=S[n % 5],
                title=f"Pump {n}" if n % 3 else f"Leak {n}",
                raised_on=TODAY - timedelta(days=n % 9),
                is_published=True,
                asset_id=asset.id if n % 4 == 0 else None,
                status=m.RemarkStatus.RESOLVED if n % 6 == 0 else m.RemarkStatus.OPEN,
            )
        )
        db.add(
            m.Job(
                tenant_id=t.id,
                number=f"N{n:02d}",
                site_id=site.id,
                kind=list(m.JobKind)[n % 4],
                description=f"Pump visit {n}" if n % 2 else "Visit",
                scheduled_date=TODAY + timedelta(days=n % 11 - 5),
            )
        )
    db.commit()
    return Viewer(
        kind="portal", tenant_id=t.id, user_id=1, session_id=1, name="", email="", client_ids=frozenset({c.id})
    )


@pytest.mark.parametrize("kind", ["defects", "jobs"])
def test_every_sort_pages_through_the_list_in_the_order_of_the_whole_list(db, many, kind):
    """Counting, choosing the page and reading its rows are separate steps (by count,
    by one pass with the total, by a count per site): whatever the path, page after
    page gives exactly the whole list in its SQL order (the CSV export's)."""
    per_page = 4
    sorts = [c.key for c in list_columns.COLUMNS[kind] if c.sortable]
    for sort in sorts:
        for direction in ("asc", "desc"):
            for extra in ({}, {"q": "pump"}, {"status": "open" if kind == "defects" else "future"}):
                query = q(kind, sort=sort, dir=direction, **extra)
                whole = [
                    r[0]
                    for r in csv.reader(io.StringIO("".join(export.export_csv(db, many, kind, query, str, now=NOW))))
                ][1:]
                assert whole, (sort, direction, extra)
                got, page = [], lists.fetch(db, many, kind, query, now=NOW, per_page=per_page)
                assert page.total == len(whole) and page.pages == -(-len(whole) // per_page)
                for n in range(1, page.pages + 1):
                    got += col(
                        lists.fetch(
                            db,
                            many,
                            kind,
                            q(kind, sort=sort, dir=direction, page=n, **extra),
                            now=NOW,
                            per_page=per_page,
                        ),
                        "number",
                    )
                assert got == whole, (sort, direction, extra)
                # Past the last page: the last page, with the same total.
                last = lists.fetch(
                    db, many, kind, q(kind, sort=sort, dir=direction, page=99, **extra), now=NOW, per_page=per_page
                )
                assert (last.page, last.total, col(last, "number")) == (
                    page.pages,
                    len(whole),
                    got[(page.pages - 1) * per_page :],
                )
