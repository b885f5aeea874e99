"""The dashboard's figures as typed read models: each property's counts, the activity
report's outstanding totals, defect analytics, routine activities, service calls and
spend. Amounts are integer cents; months are "YYYY-MM" keys; severities, stages and
routine statuses are their codes (``Severity`` values, ``JobStage`` values,
``routine.ROUTINE_STATUSES``). A hidden panel's figures are None."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date


@dataclass
class PropertyRow:
    site_id: int
    name: str
    address: str
    overdue_invoices: int = 0
    open_quotes: int = 0
    open_defects: int = 0
    highest_severity: str | None = None  # a Severity value; None: no open defect
    latitude: float | None = None
    longitude: float | None = None


@dataclass
class Outstanding:
    count: int = 0
    total_cents: int = 0


@dataclass
class DefectAnalytics:
    tally: dict[str, int] = field(default_factory=dict)  # open, visible, by severity
    months: list[str] = field(default_factory=list)
    # month -> {"RESOLVED": n, "CRITICAL": n, ...}: raised that month, now resolved or open by severity
    per_month: dict[str, dict[str, int]] = field(default_factory=dict)
    asset_types: dict[str, str] = field(default_factory=dict)  # type -> highest open severity


@dataclass
class Spend:
    months: list[str] = field(default_factory=list)
    per_month: dict[str, int] = field(default_factory=dict)  # cents invoiced (issued) per month
    per_property: list[tuple[str, int]] = field(default_factory=list)  # (site name, cents) last 12 months


ACTIVITY_SECTIONS = ("defect_quotes", "service_quotes", "invoices", "overdue_invoices")


@dataclass
class Dashboard:
    today: date
    panels: dict[str, bool]
    documents: dict[str, bool]
    properties: list[PropertyRow]
    activity: dict[str, Outstanding] | None = None  # by ACTIVITY_SECTIONS
    defects: DefectAnalytics | None = None
    routine: dict[str, dict[str, int]] | None = None  # month of the year -> routine status -> jobs
    routine_year: int | None = None
    service_calls: dict[str, dict[str, int]] | None = None  # month -> stage -> calls
    spend: Spend | None = None
