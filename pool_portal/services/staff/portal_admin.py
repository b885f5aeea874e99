"""The admin control panel's writes to the portal's settings: the settings form, the
logo and the per-client customisation of panels (ADMIN). Reading them is
``services.portal.portal_settings``.

Conventions (here and in the other staff services): they take the tenant id and the
acting staff user's id (from the staff session) and never read or change another
tenant's rows: an id of another tenant answers exactly like an unknown id
(``NOT_FOUND``). The acting staff user must be an active member of the tenant with a
role allowed to do it, else ``PermissionError`` (the guard checks roles first; this is
the second line). Validation errors come back as ``{field: translation key}`` and
nothing is written; changes are written to the audit log. Nothing commits.
"""

from __future__ import annotations

import re
from collections.abc import Mapping

from sqlmodel import Session

from pool_portal.models import ClientPortalSettings, JobStage, PortalSettings, Tenant, utcnow
from pool_portal.models.portal_settings import DEFAULT_ASSET_COLUMNS
from pool_portal.services.core import uow
from pool_portal.services.core.audit import by_staff
from pool_portal.services.core.outcome import NOT_FOUND, Errors
from pool_portal.services.core.params import parse_bool
from pool_portal.services.core.scope import tenant_client
from pool_portal.services.identity.acting import acting_staff
from pool_portal.services.identity.auth import logo_stamp
from pool_portal.services.infra import storage, uploads
from pool_portal.services.payments import config as payments_config
from pool_portal.services.portal.portal_settings import (
    ASSET_COLUMN_KEYS,
    DOCUMENTS,
    PANELS,
    _override_row,
    default_panels,
    resolve_panels,
    settings_row,
)

MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_FOLDER = "logos"
MAX_PAYMENT_INSTRUCTIONS = 2000
MAX_ASSET_ID_LABEL = 40
BRAND_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")


def get_portal_settings(session: Session, tenant_id: int) -> dict:
    """The tenant's settings for the settings form (defaults when never saved):
    show_<panel>, show_<document>, incidents_enabled, asset_columns (list, in the list's
    order), asset_column_choices, asset_id_label, brand_colour, payment_instructions
    ("" when none), default_job_stage (value), job_stage_choices, has_logo and
    logo_stamp (``auth.logo_stamp``: the logo as it is now, for the header)."""
    s = settings_row(session, tenant_id) or PortalSettings(tenant_id=tenant_id)
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError("no such tenant")
    keys = ASSET_COLUMN_KEYS
    chosen = set((s.asset_columns or DEFAULT_ASSET_COLUMNS).split(","))
    out: dict = {f"show_{p}": bool(getattr(s, f"show_{p}")) for p in PANELS + DOCUMENTS}
    out.update(
        incidents_enabled=bool(s.incidents_enabled),
        asset_columns=[k for k in keys if k in chosen],
        asset_column_choices=list(keys),
        asset_id_label=s.asset_id_label,
        brand_colour=tenant.brand_colour,
        payment_instructions=s.payment_instructions or "",
        default_job_stage=JobStage(s.default_job_stage).value,
        job_stage_choices=[j.value for j in JobStage],
        has_logo=bool(tenant.logo_path),
        logo_stamp=logo_stamp(tenant),
    )
    return out


BOOL_FIELDS = tuple(f"show_{p}" for p in PANELS + DOCUMENTS) + ("incidents_enabled",)
SETTINGS_FIELDS = BOOL_FIELDS + (
    "asset_columns",
    "asset_id_label",
    "brand_colour",
    "payment_instructions",
    "default_job_stage",
)


def _validate_settings(form: Mapping[str, object]) -> tuple[dict, dict[str, str]]:
    """(clean values, errors) for the fields present in ``form``."""
    clean: dict = {}
    errors: dict[str, str] = {}
    for key in form:
        if key not in SETTINGS_FIELDS:
            errors[str(key)] = "admin.settings.error.unknown_field"
    for key in BOOL_FIELDS:
        if key in form:
            value = parse_bool(form[key])
            if value is None:
                errors[key] = "admin.settings.error.on_off"
            else:
                clean[key] = value
    if "asset_columns" in form:
        raw = form["asset_columns"]
        items = (
            raw.split(",") if isinstance(raw, str) else list(raw or []) if isinstance(raw, (list, tuple, set)) else None
        )
        keys = ASSET_COLUMN_KEYS
        picked = {str(i).strip() for i in items or [] if str(i).strip()}
        if items is None or not picked or not picked <= set(keys):
            errors["asset_columns"] = "admin.settings.error.asset_columns"
        else:
            clean["asset_columns"] = ",".join(k for k in keys if k in picked)
    if "asset_id_label" in form:
        label = str(form["asset_id_label"] or "").strip()
        if not 1 <= len(label) <= MAX_ASSET_ID_LABEL:
            errors["asset_id_label"] = "admin.settings.error.asset_id_label"
        else:
            clean["asset_id_label"] = label
    if "brand_colour" in form:
        colour = str(form["brand_colour"] or "").strip()
        if not BRAND_COLOUR.fullmatch(colour):
            errors["brand_colour"] = "admin.settings.error.brand_colour"
        else:
            clean["brand_colour"] = colour.lower()
    if "payment_instructions" in form:
        text = str(form["payment_instructions"] or "").strip()
        if len(text) > MAX_PAYMENT_INSTRUCTIONS:
            errors["payment_instructions"] = "admin.settings.error.payment_instructions"
        else:
            clean["payment_instructions"] = text or None
    if "default_job_stage" in form:
        raw = form["default_job_stage"]
        try:
            clean["default_job_stage"] = JobStage(raw.value if isinstance(raw, JobStage) else str(raw).strip().upper())
        except ValueError:
            errors["default_job_stage"] = "admin.settings.error.job_stage"
    return clean, errors


def update_portal_settings(session: Session, tenant_id: int, staff_user_id: int, form: Mapping[str, object]) -> Errors:
    """Save the fields present in ``form`` (a partial form changes only those). Returns
    {} or {field: error key} (then nothing is written). ADMIN only."""
    acting_staff(session, tenant_id, staff_user_id)
    clean, errors = _validate_settings(form)
    if errors:
        return errors
    s = settings_row(session, tenant_id) or PortalSettings(tenant_id=tenant_id)
    changed = {}
    tenant = session.get(Tenant, tenant_id)
    for key, value in clean.items():
        target = tenant if key == "brand_colour" else s
        if getattr(target, key) != value:
            setattr(target, key, value)
            changed[key] = value.value if isinstance(value, JobStage) else value
    if changed:
        s.updated_at = utcnow()
        session.add(s)
        session.add(tenant)
        by_staff(
            session,
            "admin.settings.updated",
            tenant_id,
            staff_user_id,
            "portal_settings",
            tenant_id,
            fields=sorted(changed),
        )
    return {}


# -- the logo ---------------------------------------------------------------------------------------
def set_logo(session: Session, tenant_id: int, staff_user_id: int, data: bytes, filename: str = "") -> Errors:
    """Store a new logo: a PNG, JPEG or WebP image by CONTENT (the name and the browser's
    type are ignored), at most 2 MB, as a private file (served by an authorising route
    via ``logo_bytes``). Returns {} or {"logo": error key}. The previous file is kept
    (a rolled-back transaction must not leave the tenant pointing at a deleted file);
    the new one is deleted again if the transaction rolls back."""
    acting_staff(session, tenant_id, staff_user_id)
    data = bytes(data or b"")
    if not data:
        return {"logo": "admin.logo.error.empty"}
    if len(data) > MAX_LOGO_BYTES:
        return {"logo": "admin.logo.error.size"}
    ext = uploads.sniff(data)
    if ext is None:
        return {"logo": "admin.logo.error.type"}
    tenant = session.get(Tenant, tenant_id)
    key = storage.save(data, LOGO_FOLDER, ext)
    uow.on_rollback(session, lambda: storage.delete_local(key))
    previous = tenant.logo_path
    tenant.logo_path = key
    session.add(tenant)
    by_staff(
        session,
        "admin.logo.updated",
        tenant_id,
        staff_user_id,
        "tenant",
        tenant_id,
        size=len(data),
        type=ext,
        name=str(filename or "")[:120],
        previous=previous,
    )
    return {}


def remove_logo(session: Session, tenant_id: int, staff_user_id: int) -> bool:
    """Back to no logo (the portal shows the tenant's name). True when there was one."""
    acting_staff(session, tenant_id, staff_user_id)
    tenant = session.get(Tenant, tenant_id)
    if not tenant.logo_path:
        return False
    previous, tenant.logo_path = tenant.logo_path, None
    session.add(tenant)
    by_staff(session, "admin.logo.removed", tenant_id, staff_user_id, "tenant", tenant_id, previous=previous)
    return True


def get_client_overrides(session: Session, tenant_id: int, client_id: int) -> dict | None:
    """For the "Customise" form of one client: per panel its override (True/False, or
    None = tenant default), the tenant default and what the client's portal shows.
    None when the client is not this tenant's."""
    client = tenant_client(session, tenant_id, client_id)
    if client is None:
        return None
    row = _override_row(session, tenant_id, client.id)
    defaults = default_panels(session, tenant_id)
    effective = resolve_panels(session, tenant_id, [client.id])
    return {
        "client_id": client.id,
        "client_name": client.name,
        "panels": {
            p: {"override": getattr(row, f"show_{p}") if row else None, "default": defaults[p], "shown": effective[p]}
            for p in PANELS
        },
    }


def set_client_override(
    session: Session, tenant_id: int, staff_user_id: int, client_id: int, panel: str, value: bool | None
) -> Errors:
    """Show (True) or hide (False) ``panel`` for one client, or None to follow the tenant
    default again. Returns {} or {field: error key}."""
    acting_staff(session, tenant_id, staff_user_id)
    if panel not in PANELS:
        return {"panel": "admin.customise.error.panel"}
    if value is not None and not isinstance(value, bool):
        return {"value": "admin.settings.error.on_off"}
    client = tenant_client(session, tenant_id, client_id)
    if client is None:
        return {"client_id": NOT_FOUND}
    row = _override_row(session, tenant_id, client.id)
    if row is None:
        if value is None:
            return {}
        row = ClientPortalSettings(tenant_id=tenant_id, client_id=client.id)
    if getattr(row, f"show_{panel}") == value:
        return {}
    setattr(row, f"show_{panel}", value)
    row.updated_at = utcnow()
    session.add(row)
    by_staff(session, "admin.customise.set", tenant_id, staff_user_id, "client", client.id, panel=panel, value=value)
    return {}


CUSTOMISE_CHOICES: dict[str, bool | None] = {"default": None, "show": True, "hide": False}


def set_client_overrides(
    session: Session, tenant_id: int, staff_user_id: int, client_id: int, choices: Mapping[str, str]
) -> Errors:
    """The "Customise" form of one client, all or nothing: per panel "default" (follow
    the tenant), "show" or "hide". Returns {} or {"panel_<panel>" / field: error key}
    having written nothing."""
    errors: Errors = {
        f"panel_{p}": "admin.settings.error.on_off" for p, c in choices.items() if c not in CUSTOMISE_CHOICES
    }
    wanted = {p: CUSTOMISE_CHOICES[c] for p, c in choices.items() if c in CUSTOMISE_CHOICES}
    if wanted:
        acting_staff(session, tenant_id, staff_user_id)
        if any(p not in PANELS for p in wanted):
            errors["panel"] = "admin.customise.error.panel"
        if tenant_client(session, tenant_id, client_id) is None:
            errors["client_id"] = NOT_FOUND
    if errors:
        return errors
    for panel, value in wanted.items():
        set_client_override(session, tenant_id, staff_user_id, client_id, panel, value)
    return {}


def reset_client_overrides(session: Session, tenant_id: int, staff_user_id: int, client_id: int) -> Errors:
    """Every panel of the client back to the tenant default."""
    acting_staff(session, tenant_id, staff_user_id)
    client = tenant_client(session, tenant_id, client_id)
    if client is None:
        return {"client_id": NOT_FOUND}
    row = _override_row(session, tenant_id, client.id)
    if row is not None:
        session.delete(row)
        by_staff(session, "admin.customise.reset", tenant_id, staff_user_id, "client", client.id)
    return {}


# -- online payments (the rules: services/payments/config.py) -----------------------------------------
def get_payment_settings(session: Session, tenant_id: int, staff_user_id: int) -> payments_config.PaymentConfig:
    """The Payments section of the form: never a key, only its last four characters."""
    acting_staff(session, tenant_id, staff_user_id)
    return payments_config.payment_config(session, tenant_id)


def update_payment_settings(session: Session, tenant_id: int, staff_user_id: int, form: Mapping[str, object]) -> Errors:
    """Save the Payments section (ADMIN); {} or {field: key}, nothing written then."""
    return payments_config.save_payment_settings(session, tenant_id, staff_user_id, form)
