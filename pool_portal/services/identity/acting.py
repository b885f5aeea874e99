"""The acting staff user: the services' second line behind the guard. A staff service
checks that the user it acts for is an active member of the tenant with an allowed
role (a set of ``core.roles``), else ``PermissionError``."""

from __future__ import annotations

from collections.abc import Iterable

from sqlmodel import Session

from pool_portal.models import StaffRole, StaffUser
from pool_portal.services.core.roles import PORTAL_ADMINISTRATION
from pool_portal.services.core.scope import Viewer


def acting_staff(
    session: Session, tenant_id: int, staff_user_id: int, roles: Iterable[StaffRole] = PORTAL_ADMINISTRATION
) -> StaffUser:
    """The acting staff user, active, of ``tenant_id`` and with one of ``roles``; else
    PermissionError."""
    staff = session.get(StaffUser, staff_user_id)
    if staff is None or staff.tenant_id != tenant_id or not staff.is_active or staff.role not in tuple(roles):
        raise PermissionError("not an allowed staff user of this tenant")
    return staff


def staff_viewer(staff: StaffUser, session_id: int = 0) -> Viewer:
    """A staff Viewer for reusing services that take one (identity.contacts)."""
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
