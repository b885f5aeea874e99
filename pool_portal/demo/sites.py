"""A site (a pool) and everything on it: assets, service reports, remarks, routine
and other jobs, quotes and invoices."""

from __future__ import annotations

import string
from datetime import UTC, date, datetime, time, timedelta

import pool_portal.models as m
from pool_portal.demo import money
from pool_portal.demo.builder import Builder, Density
from pool_portal.demo.vocabulary import ASSET_TYPES, REMARKS, SERVICE_CALLS, SEVERITY_WEIGHTS, STREETS


def site(b: Builder, tid: int, client_id: int, name: str, town: tuple, *, coords: bool = True) -> int:
    town_name, postcode, lat, lon = town
    return b.add(
        m.Site,
        tenant_id=tid,
        external_id=f"ERP-S-{b.next_id.get(m.Site, 1):05d}",
        client_id=client_id,
        name=name,
        address=f"{b.rng.choice(STREETS)}, {b.rng.randint(1, 180)}",
        city=town_name,
        postcode=postcode,
        latitude=round(lat + b.rng.uniform(-0.015, 0.015), 6) if coords else None,
        longitude=round(lon + b.rng.uniform(-0.015, 0.015), 6) if coords else None,
        notes=None,
        is_active=True,
        created_at=b.at(600),
    )


def fill_site(b: Builder, tid: int, site_id: int, d: Density, technicians: list[int]) -> None:
    assets = [asset(b, tid, site_id) for _ in range(b.between(d.assets))]
    reports = [report(b, tid, site_id) for _ in range(b.between(d.reports))]
    for _ in range(b.between(d.remarks)):
        remark(b, tid, site_id, assets, reports)
    routine_jobs(b, tid, site_id, assets, d.routine_months, technicians)
    for kind, bounds in (
        (m.JobKind.SERVICE_CALL, d.service_calls),
        (m.JobKind.DEFECT_REPAIR, d.repairs),
        (m.JobKind.FIXED_PRICE, d.fixed_price),
    ):
        for _ in range(b.between(bounds)):
            other_job(b, tid, site_id, assets, kind, technicians)
    for _ in range(b.between(d.quotes)):
        money.quote(b, tid, site_id, d.lines)
    for _ in range(b.between(d.invoices)):
        money.invoice(b, tid, site_id, d.lines)


def asset(b: Builder, tid: int, site_id: int) -> int:
    kind = b.rng.choice(list(ASSET_TYPES))
    tested = b.today - timedelta(days=b.rng.randint(10, 400))
    return b.add(
        m.Asset,
        tenant_id=tid,
        external_id=None,
        site_id=site_id,
        asset_code=f"AQ-{b.next_id.get(m.Asset, 1):06d}",
        asset_type=kind,
        model=b.rng.choice(ASSET_TYPES[kind]),
        serial_number="".join(b.rng.choices(string.ascii_uppercase + string.digits, k=10)),
        customer_ref=f"REF-{b.rng.randint(100, 999)}",
        location=b.rng.choice(["Plant room", "Pool deck", "Basement", "Roof"]),
        description=None,
        last_test_number=f"T{b.rng.randint(10000, 99999)}",
        last_test_date=tested,
        next_service_due=tested + timedelta(days=365),
        is_active=True,
        created_at=b.at(600),
    )


def report(b: Builder, tid: int, site_id: int) -> int:
    days_ago = b.rng.randint(0, 540)
    approved = b.rng.random() < 0.8
    return b.add(
        m.Report,
        tenant_id=tid,
        external_id=None,
        number=b.number("R", tid),
        site_id=site_id,
        job_id=None,
        title=b.rng.choice(["Annual safety inspection", "Quarterly water quality report", "Equipment service report"]),
        summary="Inspection of the pool installation, its equipment and its safety features.",
        status=m.ReportStatus.APPROVED if approved else m.ReportStatus.DRAFT,
        report_date=b.today - timedelta(days=days_ago),
        approved_at=b.at(days_ago) if approved else None,
        created_at=b.at(days_ago),
    )


def remark(b: Builder, tid: int, site_id: int, assets: list[int], reports: list[int]) -> None:
    severity = b.rng.choices(list(m.Severity), weights=SEVERITY_WEIGHTS)[0]
    days_ago = b.rng.randint(0, 545)  # 18 months
    resolved = b.rng.random() < 0.4 and days_ago > 7
    b.add(
        m.Remark,
        tenant_id=tid,
        external_id=None,
        site_id=site_id,
        asset_id=b.rng.choice(assets) if assets and b.rng.random() < 0.7 else None,
        report_id=b.rng.choice(reports) if reports and b.rng.random() < 0.3 else None,
        severity=severity,
        status=m.RemarkStatus.RESOLVED if resolved else m.RemarkStatus.OPEN,
        title=b.rng.choice(REMARKS[severity]),
        description=None,
        raised_on=b.today - timedelta(days=days_ago),
        resolved_on=b.today - timedelta(days=b.rng.randint(0, days_ago - 1)) if resolved else None,
        is_published=b.rng.random() < 0.7,
        created_at=b.at(days_ago),
    )


def job(
    b: Builder,
    tid: int,
    site_id: int,
    kind: m.JobKind,
    stage: m.JobStage,
    description: str,
    *,
    created: datetime,
    asset_id: int | None = None,
    scheduled: date | None = None,
    due: date | None = None,
    tolerance: int | None = None,
    completed: date | None = None,
    technician: int | None = None,
) -> int:
    return b.add(
        m.Job,
        tenant_id=tid,
        external_id=None,
        number=b.number("J", tid),
        site_id=site_id,
        asset_id=asset_id,
        kind=kind,
        stage=stage,
        description=description,
        notes=None,
        customer_po=f"PO-{b.rng.randint(1000, 9999)}" if b.rng.random() < 0.3 else None,
        scheduled_date=scheduled,
        technician_id=technician,
        due_date=due,
        tolerance_days=tolerance,
        completed_on=completed,
        requested_by_portal_user_id=None,
        created_at=created,
    )


def routine_jobs(b: Builder, tid: int, site_id: int, assets: list[int], months: int, techs: list[int]) -> None:
    """Monthly maintenance due on the 15th, 5 days' tolerance: done on time, within
    tolerance, late, missed, or pending (future)."""
    first = (b.today.replace(day=1) - timedelta(days=31 * (months - 3))).replace(day=1)
    for i in range(months):
        y, mo = divmod(first.month - 1 + i, 12)
        due = date(first.year + y, mo + 1, 15)
        created = datetime.combine(due - timedelta(days=30), time(8), tzinfo=UTC)
        outcome = b.rng.choices(["on_time", "tolerance", "late", "missed"], weights=[70, 15, 8, 7])[0]
        if due + timedelta(days=5) >= b.today:
            outcome = "pending"
        offset = {
            "on_time": b.rng.randint(-2, 2),
            "tolerance": b.rng.choice([-5, -4, -3, 3, 4, 5]),
            "late": b.rng.randint(6, 20),
        }.get(outcome)
        completed = due + timedelta(days=offset) if offset is not None else None
        if completed and completed > b.today:
            completed, outcome = None, "pending"
        stage = (
            (m.JobStage.COMPLETE if completed and b.rng.random() < 0.85 else m.JobStage.PERFORMED)
            if completed
            else (m.JobStage.READY if outcome == "pending" else b.rng.choice([m.JobStage.READY, m.JobStage.ON_HOLD]))
        )
        job(
            b,
            tid,
            site_id,
            m.JobKind.ROUTINE,
            stage,
            "Monthly pool maintenance",
            created=created,
            asset_id=b.rng.choice(assets) if assets else None,
            scheduled=due,
            due=due,
            tolerance=5,
            completed=completed,
            technician=b.rng.choice(techs) if techs else None,
        )


def other_job(b: Builder, tid: int, site_id: int, assets: list[int], kind: m.JobKind, techs: list[int]) -> None:
    days_ago = b.rng.randint(0, 360)
    stage = b.rng.choice(list(m.JobStage))
    done = stage in (m.JobStage.PERFORMED, m.JobStage.COMPLETE)
    scheduled = b.today - timedelta(days=days_ago - b.rng.randint(1, 10)) if stage != m.JobStage.ON_HOLD else None
    description = {
        m.JobKind.SERVICE_CALL: b.rng.choice(SERVICE_CALLS),
        m.JobKind.DEFECT_REPAIR: "Repair of reported defect",
        m.JobKind.FIXED_PRICE: "Fixed-price equipment upgrade",
    }[kind]
    job(
        b,
        tid,
        site_id,
        kind,
        stage,
        description,
        created=b.at(days_ago),
        asset_id=b.rng.choice(assets) if assets else None,
        scheduled=scheduled,
        completed=min(scheduled or b.today, b.today) if done else None,
        technician=b.rng.choice(techs) if techs and stage != m.JobStage.ON_HOLD else None,
    )
