"""The rows of the portal's lists as typed read models, one per list: amounts in
integer cents, days as dates, kinds, stages and statuses as their enums (an invoice's
status as shown: OVERDUE when an unpaid one is past its due date). A field is a column
of ``list_columns.COLUMNS`` (or the row's id); None is an empty cell."""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from dataclasses import dataclass

from pool_portal.models import JobKind, JobStage, QuoteKind, QuoteStatus, RemarkStatus, Severity


@dataclass(frozen=True, slots=True)
class JobRow:
    id: int
    number: str
    date: datetime.date | None  # scheduled, else due
    site: str
    address: str | None
    kind: JobKind
    stage: JobStage
    description: str
    po: str | None

    @classmethod
    def of(cls, r: Mapping) -> JobRow:
        return cls(
            r["id"],
            r["number"],
            r["date"],
            r["site"],
            r["address"],
            JobKind(r["kind"]),
            JobStage(r["stage"]),
            r["description"],
            r["po"],
        )


@dataclass(frozen=True, slots=True)
class QuoteRow:
    id: int
    number: str
    site: str
    title: str
    kind: QuoteKind
    issued: datetime.date | None
    expires: datetime.date | None
    status: QuoteStatus
    total_cents: int
    approver: str | None
    reference: str | None
    comment: str | None

    @classmethod
    def of(cls, r: Mapping) -> QuoteRow:
        return cls(
            r["id"],
            r["number"],
            r["site"],
            r["title"],
            QuoteKind(r["kind"]),
            r["issued"],
            r["expires"],
            QuoteStatus(r["status"]),
            r["total_cents"],
            r["approver"],
            r["reference"],
            r["comment"],
        )


@dataclass(frozen=True, slots=True)
class InvoiceRow:
    id: int
    number: str
    site: str
    issued: datetime.date | None
    due: datetime.date | None
    status: str  # an InvoiceStatus value, or OVERDUE
    total_cents: int
    po: str | None

    @classmethod
    def of(cls, r: Mapping) -> InvoiceRow:
        return cls(r["id"], r["number"], r["site"], r["issued"], r["due"], r["status"], r["total_cents"], r["po"])


@dataclass(frozen=True, slots=True)
class ReportRow:
    id: int
    number: str
    date: datetime.date | None
    site: str
    title: str
    summary: str | None

    @classmethod
    def of(cls, r: Mapping) -> ReportRow:
        return cls(r["id"], r["number"], r["date"], r["site"], r["title"], r["summary"])


@dataclass(frozen=True, slots=True)
class AssetRow:
    id: int
    site_id: int
    asset_code: str
    asset_type: str
    model: str | None
    serial_number: str | None
    customer_ref: str | None
    location: str | None
    last_test_number: str | None
    last_test_date: datetime.date | None
    next_service_due: datetime.date | None
    site: str

    @classmethod
    def of(cls, r: Mapping) -> AssetRow:
        return cls(
            r["id"],
            r["site_id"],
            r["asset_code"],
            r["asset_type"],
            r["model"],
            r["serial_number"],
            r["customer_ref"],
            r["location"],
            r["last_test_number"],
            r["last_test_date"],
            r["next_service_due"],
            r["site"],
        )


@dataclass(frozen=True, slots=True)
class DefectRow:
    id: int
    number: str  # "D-<id>", the defect's reference
    raised: datetime.date
    site: str
    asset: str | None  # its asset's code
    severity: Severity
    status: RemarkStatus
    title: str
    resolved: datetime.date | None
    description: str | None

    @classmethod
    def of(cls, r: Mapping) -> DefectRow:
        return cls(
            r["id"],
            f"D-{r['id']}",
            r["raised"],
            r["site"],
            r["asset"],
            Severity(r["severity"]),
            RemarkStatus(r["status"]),
            r["title"],
            r["resolved"],
            r["description"],
        )


ListRow = JobRow | QuoteRow | InvoiceRow | ReportRow | AssetRow | DefectRow
ROWS: dict[str, type] = {
    "jobs": JobRow,
    "quotes": QuoteRow,
    "invoices": InvoiceRow,
    "reports": ReportRow,
    "assets": AssetRow,
    "defects": DefectRow,
}


def row_of(kind: str, mapping: Mapping) -> ListRow:
    """A row of the list ``kind`` from its SQL row (columns labelled by key)."""
    return ROWS[kind].of(mapping)
