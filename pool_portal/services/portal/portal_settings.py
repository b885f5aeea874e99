"""The tenant's portal settings, read in one place (``portal_settings``): which
dashboard panels and document types the portal shows, whether incidents are on, the
asset columns and their "Asset ID" label, the payment instructions and the default
stage of a requested job. Every reader of ``PortalSettings`` goes through here.

Panel resolution (the one place; the dashboard calls ``resolve_panels``):

1. the tenant default (``PortalSettings.show_*``; all shown when there is no row),
2. per client, its override (``ClientPortalSettings.show_*``; None = the default),
3. a view of several clients (a group, or "all") shows a panel only when it is shown
   for EVERY client of the view. A panel's figures cover every site of the view, so
   showing it when one client's is hidden would show that client exactly what the
   admin hid for it; a group user sees the panel again by choosing a single client
   whose portal shows it. An empty view uses the tenant defaults.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from sqlmodel import Session, col, select

from pool_portal.models import ClientPortalSettings, JobStage, PortalSettings
from pool_portal.models.portal_settings import DEFAULT_ASSET_COLUMNS

PANELS = ("map", "activity_report", "defect_analytics", "routine_activities", "service_calls", "spend_tracking")
DOCUMENTS = ("quotes", "invoices", "reports")
# The asset list's columns, in its order (services.portal.lists.COLUMNS["assets"]), and
# those it always has whatever the tenant chose.
ASSET_COLUMN_KEYS = (
    "asset_code",
    "asset_type",
    "site",
    "model",
    "serial_number",
    "customer_ref",
    "location",
    "last_test_number",
    "last_test_date",
    "next_service_due",
)
ASSET_FIXED = ("asset_code", "site")


@dataclass(frozen=True)
class Settings:
    """A tenant's portal settings (the defaults when it never saved any)."""

    panels: dict[str, bool]
    documents: dict[str, bool]
    incidents_enabled: bool
    asset_columns: tuple[str, ...]  # chosen, in the list's order (without the fixed ones added)
    asset_id_label: str
    payment_instructions: str
    default_job_stage: JobStage


def settings_row(db: Session, tenant_id: int) -> PortalSettings | None:
    """The tenant's ``PortalSettings`` row (None when never saved): the one query."""
    return db.exec(select(PortalSettings).where(PortalSettings.tenant_id == tenant_id)).first()


def portal_settings(db: Session, tenant_id: int) -> Settings:
    s = settings_row(db, tenant_id)
    chosen = set((s.asset_columns if s else DEFAULT_ASSET_COLUMNS).split(","))
    return Settings(
        panels={p: bool(getattr(s, f"show_{p}")) if s else True for p in PANELS},
        documents={k: bool(getattr(s, f"show_{k}")) if s else True for k in DOCUMENTS},
        incidents_enabled=s is None or bool(s.incidents_enabled),
        asset_columns=tuple(k for k in ASSET_COLUMN_KEYS if k in chosen),
        asset_id_label=((s.asset_id_label if s else "") or "").strip(),
        payment_instructions=(s.payment_instructions or "") if s else "",
        default_job_stage=JobStage(s.default_job_stage) if s else JobStage.ON_HOLD,
    )


def default_panels(db: Session, tenant_id: int) -> dict[str, bool]:
    return portal_settings(db, tenant_id).panels


def document_switches(db: Session, tenant_id: int) -> dict[str, bool]:
    """Which document types (quotes, invoices, reports) the portal shows: tenant-wide."""
    return portal_settings(db, tenant_id).documents


def incidents_enabled(db: Session, tenant_id: int) -> bool:
    """Whether the tenant has the portal's incidents (report a fault) switched on."""
    return portal_settings(db, tenant_id).incidents_enabled


def resolve_panels(session: Session, tenant_id: int, client_ids: Iterable[int]) -> dict[str, bool]:
    """Which dashboard panels a view of ``client_ids`` shows: tenant default, then each
    client's override; several clients show a panel only when all of them show it
    (see the module docstring). Clients of another tenant count as "no override"."""
    defaults = default_panels(session, tenant_id)
    ids = sorted({int(c) for c in client_ids})
    if not ids:
        return defaults
    overrides = {
        o.client_id: o
        for o in session.exec(
            select(ClientPortalSettings).where(
                ClientPortalSettings.tenant_id == tenant_id, col(ClientPortalSettings.client_id).in_(ids)
            )
        ).all()
    }
    shown = {}
    for panel in PANELS:
        values = []
        for cid in ids:
            value = getattr(overrides[cid], f"show_{panel}") if cid in overrides else None
            values.append(defaults[panel] if value is None else bool(value))
        shown[panel] = all(values)
    return shown


def _override_row(session: Session, tenant_id: int, client_id: int) -> ClientPortalSettings | None:
    return session.exec(
        select(ClientPortalSettings).where(
            ClientPortalSettings.tenant_id == tenant_id, ClientPortalSettings.client_id == client_id
        )
    ).first()
