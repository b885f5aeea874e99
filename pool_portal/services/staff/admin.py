"""The admin control panel's services: portal settings, the logo, per-client
customisation and "view as client". Plain Python, no Reflex.

Conventions for every function here and in ``admin_clients`` / ``admin_staff``:

- They take the tenant id and the acting staff user's id (from the staff session)
  and never read or change another tenant's rows: an id of another tenant answers
  exactly like an unknown id ("not found").
- The acting staff user must be an active member of the tenant with a role allowed
  to do it, else ``PermissionError`` (the UI guard checks roles first; this is the
  second line).
- Validation errors come back as ``{field: translation key}`` and nothing is
  written; successful changes are written to the audit log. Nothing commits: the
  caller's ``session_scope`` does (except ``admin_clients.bulk_invite``, which
  commits per batch on its own sessions).

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

import re
from collections.abc import Iterable, Mapping
from dataclasses import replace

from sqlmodel import Session, col, select

from pool_portal.models import (
    Client,
    ClientPortalSettings,
    JobStage,
    PortalSettings,
    StaffRole,
    StaffUser,
    Tenant,
    UserSession,
    utcnow,
)
from pool_portal.models.portal_settings import DEFAULT_ASSET_COLUMNS
from pool_portal.services.core import audit
from pool_portal.services.core.scope import Viewer

PANELS = ("map", "activity_report", "defect_analytics", "routine_activities", "service_calls", "spend_tracking")
DOCUMENTS = ("quotes", "invoices", "reports")
MAX_LOGO_BYTES = 2 * 1024 * 1024
LOGO_FOLDER = "logos"
MAX_PAYMENT_INSTRUCTIONS = 2000
MAX_ASSET_ID_LABEL = 40
BRAND_COLOUR = re.compile(r"^#[0-9A-Fa-f]{6}$")

ADMINS = (StaffRole.ADMIN,)
OFFICE = (StaffRole.ADMIN, StaffRole.OFFICE)

NOT_FOUND = "admin.error.not_found"
_TRUE = {"1", "true", "on", "yes"}
_FALSE = {"0", "false", "off", "no", ""}


# -- shared helpers ------------------------------------------------------------------------------
def acting_staff(
    session: Session, tenant_id: int, staff_user_id: int, roles: Iterable[StaffRole] = ADMINS
) -> StaffUser:
    """The acting staff user, active, of ``tenant_id`` and with one of ``roles``; else
    PermissionError."""
    staff = session.get(StaffUser, staff_user_id)
    if staff is None or staff.tenant_id != tenant_id or not staff.is_active or staff.role not in tuple(roles):
        raise PermissionError("not an allowed staff user of this tenant")
    return staff


def staff_viewer(staff: StaffUser, session_id: int = 0) -> Viewer:
    """A staff Viewer for reusing services that take one (services.access)."""
    return Viewer(
        kind="staff",
        tenant_id=staff.tenant_id,
        user_id=staff.id,
        session_id=session_id,
        name=staff.name,
        email=staff.email,
        language=staff.language,
        role=staff.role,
    )


def record(
    session: Session,
    action: str,
    tenant_id: int,
    staff_user_id: int,
    target_type: str | None = None,
    target_id: object = None,
    **detail: object,
) -> None:
    audit.record(
        session,
        action,
        tenant_id=tenant_id,
        actor_kind="staff",
        actor_id=staff_user_id,
        target_type=target_type,
        target_id=target_id,
        **detail,
    )


def parse_bool(value: object) -> bool | None:
    """A form value as a bool (True/False, "on"/"off", "true"/"false", "1"/"0"...); None
    when it is none of those."""
    if isinstance(value, bool):
        return value
    if isinstance(value, int) and value in (0, 1):
        return bool(value)
    if isinstance(value, str):
        v = value.strip().lower()
        if v in _TRUE:
            return True
        if v in _FALSE:
            return False
    return None


def tenant_client(session: Session, tenant_id: int, client_id: object) -> Client | None:
    try:
        client = session.get(Client, int(client_id))
    except (TypeError, ValueError):
        return None
    return client if client is not None and client.tenant_id == tenant_id else None


# -- settings resolution ----------------------------------------------------------------------------
def _tenant_settings(session: Session, tenant_id: int) -> PortalSettings | None:
    return session.exec(select(PortalSettings).where(PortalSettings.tenant_id == tenant_id)).first()


def default_panels(session: Session, tenant_id: int) -> dict[str, bool]:
    s = _tenant_settings(session, tenant_id)
    return {p: bool(getattr(s, f"show_{p}")) if s else True for p in PANELS}


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


def document_switches(session: Session, tenant_id: int) -> dict[str, bool]:
    """Which document types (quotes, invoices, reports) the portal shows: tenant-wide."""
    s = _tenant_settings(session, tenant_id)
    return {k: bool(getattr(s, f"show_{k}")) if s else True for k in DOCUMENTS}


def _asset_column_keys() -> tuple[str, ...]:
    from pool_portal.services.portal.lists import ASSET_COLUMN_KEYS  # lists imports dashboard, which imports us

    return ASSET_COLUMN_KEYS


def get_portal_settings(session: Session, tenant_id: int) -> dict:
    """The tenant's settings for the settings form (defaults when never saved):
    show_<panel>, show_<document>, incidents_enabled, asset_columns (list, in the list's
    order), asset_column_choices, asset_id_label, brand_colour, payment_instructions
    ("" when none), default_job_stage (value), job_stage_choices, has_logo."""
    s = _tenant_settings(session, tenant_id) or PortalSettings(tenant_id=tenant_id)
    tenant = session.get(Tenant, tenant_id)
    if tenant is None:
        raise LookupError("no such tenant")
    keys = _asset_column_keys()
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
        keys = _asset_column_keys()
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


def update_portal_settings(
    session: Session, tenant_id: int, staff_user_id: int, form: Mapping[str, object]
) -> dict[str, str]:
    """Save the fields present in ``form`` (a partial form changes only those). Returns
    {} or {field: error key} (then nothing is written). ADMIN only."""
    acting_staff(session, tenant_id, staff_user_id)
    clean, errors = _validate_settings(form)
    if errors:
        return errors
    s = _tenant_settings(session, tenant_id) or PortalSettings(tenant_id=tenant_id)
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
        record(
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
def set_logo(session: Session, tenant_id: int, staff_user_id: int, data: bytes, filename: str = "") -> dict[str, str]:
    """Store a new logo: a PNG, JPEG or WebP image by CONTENT (the name and the browser's
    type are ignored), at most 2 MB, as a private file (served by an authorising route
    via ``logo_bytes``). Returns {} or {"logo": error key}. The previous file is kept
    (a rolled-back transaction must not leave the tenant pointing at a deleted file)."""
    from pool_portal.services.infra import storage, uploads

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
    previous = tenant.logo_path
    tenant.logo_path = key
    session.add(tenant)
    record(
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
    record(session, "admin.logo.removed", tenant_id, staff_user_id, "tenant", tenant_id, previous=previous)
    return True


def logo_bytes(session: Session, tenant_id: int) -> tuple[bytes, str] | None:
    """(bytes, content type) of the tenant's logo, or None when it has none (or the file
    is missing)."""
    from pool_portal.services.infra import storage, uploads

    tenant = session.get(Tenant, tenant_id)
    if tenant is None or not tenant.logo_path:
        return None
    try:
        data = storage.read(tenant.logo_path)
    except storage.StorageError:
        return None
    ext = uploads.sniff(data)
    return (data, uploads.IMAGE_TYPES[ext]) if ext else None


# -- customise per client ---------------------------------------------------------------------------
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


def _override_row(session: Session, tenant_id: int, client_id: int) -> ClientPortalSettings | None:
    return session.exec(
        select(ClientPortalSettings).where(
            ClientPortalSettings.tenant_id == tenant_id, ClientPortalSettings.client_id == client_id
        )
    ).first()


def set_client_override(
    session: Session, tenant_id: int, staff_user_id: int, client_id: int, panel: str, value: bool | None
) -> dict[str, str]:
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
    record(session, "admin.customise.set", tenant_id, staff_user_id, "client", client.id, panel=panel, value=value)
    return {}


def reset_client_overrides(session: Session, tenant_id: int, staff_user_id: int, client_id: int) -> dict[str, str]:
    """Every panel of the client back to the tenant default."""
    acting_staff(session, tenant_id, staff_user_id)
    client = tenant_client(session, tenant_id, client_id)
    if client is None:
        return {"client_id": NOT_FOUND}
    row = _override_row(session, tenant_id, client.id)
    if row is not None:
        session.delete(row)
        record(session, "admin.customise.reset", tenant_id, staff_user_id, "client", client.id)
    return {}


# -- view as client ---------------------------------------------------------------------------------
# A staff session carries "viewing as client X" in UserSession.impersonating_client_id
# (already in the schema). While it is set, ``view_as_viewer`` turns the staff viewer
# into a read-only portal Viewer of that one client: portal pages render the client's
# portal, and the guard (states/guard.py) refuses every handler declared as a write
# (allow_read_only=False) because ``read_only`` is True. ``user_id`` is 0 (no portal
# user: nothing personal to a contact, such as their views or notifications, is
# shown); ``acting_staff_id`` says who is looking.
def _read_only_viewer(staff: StaffUser, client: Client, session_id: int) -> Viewer:
    return Viewer(
        kind="portal",
        tenant_id=staff.tenant_id,
        user_id=0,
        session_id=session_id,
        name=staff.name,
        email=staff.email,
        language=staff.language,
        role=staff.role,
        client_ids=frozenset({client.id}),
        view=f"client:{client.id}",
        read_only=True,
        acting_staff_id=staff.id,
    )


def start_view_as(
    session: Session, tenant_id: int, staff_user_id: int, client_id: int, session_id: int | None = None
) -> tuple[Viewer | None, dict[str, str]]:
    """Start viewing the portal as one client (ADMIN and OFFICE). With ``session_id``
    (the staff session's UserSession id, ``Viewer.session_id``) the session remembers
    it until ``end_view_as``. Returns (the read-only Viewer, {}) or (None, errors)."""
    staff = acting_staff(session, tenant_id, staff_user_id, OFFICE)
    client = tenant_client(session, tenant_id, client_id)
    if client is None or not client.is_active:
        return None, {"client_id": NOT_FOUND}
    if session_id is not None:
        row = session.get(UserSession, session_id)
        if row is None or row.tenant_id != tenant_id or row.staff_user_id != staff.id or row.revoked_at is not None:
            raise PermissionError("not this staff user's session")
        row.impersonating_client_id = client.id
        session.add(row)
    record(session, "admin.view_as", tenant_id, staff.id, "client", client.id)
    return _read_only_viewer(staff, client, session_id or 0), {}


def end_view_as(session: Session, tenant_id: int, staff_user_id: int, session_id: int) -> bool:
    """Back to the staff view; True when the session was viewing as a client."""
    row = session.get(UserSession, session_id)
    if row is None or row.tenant_id != tenant_id or row.staff_user_id != staff_user_id:
        return False
    if row.impersonating_client_id is None:
        return False
    client_id, row.impersonating_client_id = row.impersonating_client_id, None
    session.add(row)
    record(session, "admin.view_as.ended", tenant_id, staff_user_id, "client", client_id)
    return True


def view_as_viewer(session: Session, staff: Viewer) -> Viewer | None:
    """For a resolved staff Viewer (auth.resolve_viewer): the read-only portal Viewer of
    the client its session is viewing as, or None when it is not viewing as one (or the
    client is gone, inactive or not this tenant's, or the staff member may no longer
    do it). The portal side of the guard uses this in place of the staff viewer."""
    if not staff.is_staff or staff.role not in OFFICE:
        return None
    row = session.get(UserSession, staff.session_id)
    if row is None or row.staff_user_id != staff.user_id or row.impersonating_client_id is None:
        return None
    client = tenant_client(session, staff.tenant_id, row.impersonating_client_id)
    user = session.get(StaffUser, staff.user_id)
    if client is None or not client.is_active or user is None or not user.is_active:
        return None
    return replace(_read_only_viewer(user, client, staff.session_id), tenant_logo=staff.tenant_logo)
