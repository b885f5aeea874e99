"""The columns of the portal's lists (jobs, quotes, invoices, reports, assets, defects)
and the status selector above each; the asset columns the tenant chose."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.orm import Session

from pool_portal.models import JobKind, JobStage, QuoteKind, RemarkStatus, Severity
from pool_portal.services.core.scope import Viewer
from pool_portal.services.portal.portal_settings import ASSET_COLUMN_KEYS, ASSET_FIXED, portal_settings

LISTS = ("jobs", "quotes", "invoices", "reports", "assets", "defects")


@dataclass(frozen=True)
class Column:
    """A column of a list. ``kind``: text (filter: contains), choice (filter: one of
    ``choices``), date (filter: a year, a month or a day), money (cents; sort only).
    ``shown`` False: in the rows (and the CSV) but not a table column."""

    key: str
    label: str
    kind: str = "text"
    choices: tuple[str, ...] = ()
    prefix: str = ""
    sortable: bool = True
    filterable: bool = True
    shown: bool = True


def _choices(enum, *skip) -> tuple[str, ...]:
    return tuple(e.value for e in enum if e.value not in skip)


COLUMNS: dict[str, tuple[Column, ...]] = {
    "jobs": (
        Column("number", "overlay.number"),
        Column("date", "overlay.date", "date"),
        Column("site", "overlay.site"),
        Column("address", "detail.address", shown=False),
        Column("kind", "detail.kind", "choice", _choices(JobKind), "kind."),
        Column("stage", "overlay.status", "choice", _choices(JobStage), "stage."),
        Column("description", "overlay.title"),
        Column("po", "jobs.po"),
    ),
    "quotes": (
        Column("number", "overlay.number"),
        Column("site", "overlay.site"),
        Column("title", "overlay.title"),
        Column("kind", "detail.kind", "choice", _choices(QuoteKind), "quotekind."),
        Column("issued", "pdf.issued", "date"),
        Column("expires", "pdf.expires", "date"),
        Column("status", "overlay.status", "choice", ("AWAITING_ACCEPTANCE", "APPROVED", "DECLINED"), "docstatus."),
        Column("total_cents", "overlay.amount", "money", filterable=False),
        Column("approver", "quote.name", shown=False),
        Column("reference", "quote.reference", shown=False),
        Column("comment", "quote.comment", shown=False),
    ),
    "invoices": (
        Column("number", "overlay.number"),
        Column("site", "overlay.site"),
        Column("issued", "pdf.issued", "date"),
        Column("due", "pdf.due", "date"),
        Column("status", "overlay.status", "choice", ("AWAITING_PAYMENT", "OVERDUE", "PAID", "VOID"), "docstatus."),
        Column("total_cents", "overlay.amount", "money", filterable=False),
        Column("po", "jobs.po", shown=False),
    ),
    "reports": (
        Column("number", "overlay.number"),
        Column("date", "overlay.date", "date"),
        Column("site", "overlay.site"),
        Column("title", "overlay.title"),
        Column("summary", "reports.summary", shown=False),
    ),
    "assets": (
        Column("asset_code", "assets.asset_code"),
        Column("asset_type", "assets.asset_type"),
        Column("site", "overlay.site"),
        Column("model", "assets.model"),
        Column("serial_number", "assets.serial_number"),
        Column("customer_ref", "assets.customer_ref"),
        Column("location", "assets.location"),
        Column("last_test_number", "assets.last_test_number"),
        Column("last_test_date", "assets.last_test_date", "date"),
        Column("next_service_due", "assets.next_service_due", "date"),
    ),
    "defects": (
        Column("number", "overlay.number", filterable=False),
        Column("raised", "defects.raised_on", "date"),
        Column("site", "overlay.site"),
        Column("asset", "assets.asset_code"),
        Column("severity", "defects.severity", "choice", _choices(Severity), "severity."),
        Column("status", "overlay.status", "choice", _choices(RemarkStatus), "remark."),
        Column("title", "overlay.title"),
        Column("resolved", "defects.resolved", "date"),
    ),
}

# The status selector above each list (besides the per-column filters).
STATUSES: dict[str, tuple[str, ...]] = {
    "jobs": ("all", "future", "past"),
    "quotes": ("all", "awaiting", "approved", "declined"),
    "invoices": ("all", "awaiting", "overdue", "paid"),
    "reports": ("all",),
    "assets": ("all",),
    "defects": ("all", "open", "resolved"),
}

assert tuple(c.key for c in COLUMNS["assets"]) == ASSET_COLUMN_KEYS  # one list of asset columns


def asset_columns(session: Session, tenant_id: int) -> tuple[list[str], str]:
    """The asset columns the tenant shows (in the list's order) and its "Asset ID" label."""
    settings = portal_settings(session, tenant_id)
    chosen = set(settings.asset_columns) | set(ASSET_FIXED)
    return [k for k in ASSET_COLUMN_KEYS if k in chosen], settings.asset_id_label


def shown_columns(session: Session, viewer: Viewer, kind: str) -> list[Column]:
    """The table's columns (for assets, the ones the tenant shows)."""
    cols = [c for c in COLUMNS[kind] if c.shown]
    if kind == "assets":
        keys = asset_columns(session, viewer.tenant_id)[0]
        cols = [c for c in cols if c.key in keys]
    return cols
