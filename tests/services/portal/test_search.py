"""Search finds what the viewer may see, and nothing else."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

import pool_portal.models as m
from pool_portal.presentation.listings import search_hits
from pool_portal.services.core.i18n import catalogue
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal.search import search


@pytest.fixture
def viewer(db):
    t, o = m.Tenant(name="T", slug="t"), m.Tenant(name="O", slug="o")
    db.add_all([t, o])
    db.flush()
    mine, theirs, foreign = (
        m.Client(tenant_id=t.id, name="Mine"),
        m.Client(tenant_id=t.id, name="Theirs"),
        m.Client(tenant_id=o.id, name="F"),
    )
    db.add_all([mine, theirs, foreign])
    db.flush()
    a = m.Site(tenant_id=t.id, client_id=mine.id, name="Lagoon pool", address="Calle Sol 1", city="Dénia")
    b = m.Site(tenant_id=t.id, client_id=theirs.id, name="Lagoon spa", city="Dénia")
    f = m.Site(tenant_id=o.id, client_id=foreign.id, name="Lagoon foreign")
    db.add_all([a, b, f])
    db.flush()
    today = date.today()
    db.add_all(
        [
            m.Asset(
                tenant_id=t.id,
                site_id=a.id,
                asset_code="AQ-1",
                asset_type="Heat pump",
                model="Zodiac Z550",
                serial_number="SN100%",
            ),
            m.Asset(tenant_id=t.id, site_id=b.id, asset_code="AQ-2", asset_type="Heat pump"),
            m.Report(
                tenant_id=t.id,
                number="R-1",
                site_id=a.id,
                title="Heat pump inspection",
                status=m.ReportStatus.APPROVED,
                report_date=today,
            ),
            m.Report(
                tenant_id=t.id,
                number="R-2",
                site_id=a.id,
                title="Heat pump draft",
                status=m.ReportStatus.DRAFT,
                report_date=today,
            ),
            m.Quote(
                tenant_id=t.id,
                number="Q-1",
                site_id=a.id,
                kind=m.QuoteKind.DEFECT,
                status=m.QuoteStatus.AWAITING_ACCEPTANCE,
                title="Heat pump repair",
            ),
            m.Quote(
                tenant_id=t.id,
                number="Q-2",
                site_id=a.id,
                kind=m.QuoteKind.SERVICE,
                status=m.QuoteStatus.DRAFT,
                title="Heat pump plan",
            ),
            m.Quote(
                tenant_id=t.id,
                number="Q-3",
                site_id=a.id,
                kind=m.QuoteKind.SERVICE,
                status=m.QuoteStatus.AWAITING_ACCEPTANCE,
                title="Heat pump expired",
                expires_on=today - timedelta(days=2),
            ),
            m.Quote(
                tenant_id=t.id,
                number="Q-4",
                site_id=a.id,
                kind=m.QuoteKind.SERVICE,
                status=m.QuoteStatus.APPROVED,
                title="Heat pump service",
            ),
            m.Job(
                tenant_id=t.id,
                number="J-1",
                site_id=a.id,
                kind=m.JobKind.SERVICE_CALL,
                description="Heat pump noisy",
                customer_po="PO-77",
            ),
        ]
    )
    db.commit()
    return Viewer(
        kind="portal", tenant_id=t.id, user_id=1, session_id=1, name="", email="", client_ids=frozenset({mine.id})
    )


def test_finds_each_kind_within_the_view_only(db, viewer):
    hits = search(db, viewer, "heat pump")
    got = {(h.kind, h.title.split(" · ")[0]) for h in hits}
    assert got == {
        ("asset", "AQ-1"),
        ("report", "R-1"),
        ("defect_quote", "Q-1"),
        ("service_quote", "Q-4"),
        ("task", "J-1"),
    }
    assert {h.site for h in hits} == {"Lagoon pool"}


def test_properties_by_name_city_and_accents(db, viewer):
    assert [h.title for h in search(db, viewer, "lagoon")] == ["Lagoon pool"]
    assert [h.kind for h in search(db, viewer, "Dénia")] == ["property"]


def test_wildcards_in_the_query_are_literal(db, viewer):
    assert [h.title for h in search(db, viewer, "100%")] == ["AQ-1 · Heat pump"]
    assert search(db, viewer, "%%") == []
    assert search(db, viewer, "_") == []


def test_short_or_empty_queries_find_nothing(db, viewer):
    assert search(db, viewer, "") == [] and search(db, viewer, " h ") == []
    assert search(db, viewer, "x" * 10_000) == []


def test_switched_off_document_types_are_not_searched(db, viewer):
    db.add(m.PortalSettings(tenant_id=viewer.tenant_id, show_quotes=False, show_reports=False))
    db.commit()
    kinds = {h.kind for h in search(db, viewer, "heat pump")}
    assert kinds == {"asset", "task"}
    assert search(db, viewer, "Q-4") == [] and search(db, viewer, "R-1") == []
    db.execute(m.PortalSettings.__table__.update().values(show_quotes=True))
    db.commit()
    assert {h.kind for h in search(db, viewer, "heat pump")} == {"asset", "task", "defect_quote", "service_quote"}


def test_statuses_are_catalogue_keys_not_codes(db, viewer):
    """As the page shows the hits (presentation.listings.search_hits)."""
    hits = {h["title"].split(" · ")[0]: h for h in search_hits(search(db, viewer, "heat pump"))}
    assert (hits["Q-1"]["detail_key"], hits["Q-4"]["detail_key"]) == (
        "docstatus.AWAITING_ACCEPTANCE",
        "docstatus.APPROVED",
    )
    assert hits["J-1"]["detail_key"] == f"stage.{m.Job.model_fields['stage'].default.value}"
    assert all(h["detail"] == "" for k, h in hits.items() if h["detail_key"])
    assert hits["AQ-1"] == {**hits["AQ-1"], "detail": "Zodiac Z550", "detail_key": ""}
    for lang in ("en", "es"):
        tr = catalogue(lang)
        assert all(h["detail_key"] in tr for h in hits.values() if h["detail_key"])
        for status in m.QuoteStatus:
            assert f"docstatus.{status.value}" in tr
        for stage in m.JobStage:
            assert f"stage.{stage.value}" in tr
    assert catalogue("es")["docstatus.AWAITING_ACCEPTANCE"] != catalogue("en")["docstatus.AWAITING_ACCEPTANCE"]
