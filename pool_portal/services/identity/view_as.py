"""View the portal as a client (ADMIN and OFFICE): read-only, and recorded."""

from __future__ import annotations

from dataclasses import replace

from sqlmodel import Session

from pool_portal.models import Client, StaffUser, UserSession
from pool_portal.services.core.audit import by_staff
from pool_portal.services.core.outcome import NOT_FOUND
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.core.scope import Viewer, tenant_client
from pool_portal.services.identity.acting import acting_staff


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
    staff = acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    client = tenant_client(session, tenant_id, client_id)
    if client is None or not client.is_active:
        return None, {"client_id": NOT_FOUND}
    if session_id is not None:
        row = session.get(UserSession, session_id)
        if row is None or row.tenant_id != tenant_id or row.staff_user_id != staff.id or row.revoked_at is not None:
            raise PermissionError("not this staff user's session")
        row.impersonating_client_id = client.id
        session.add(row)
    by_staff(session, "admin.view_as", tenant_id, staff.id, "client", client.id)
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
    by_staff(session, "admin.view_as.ended", tenant_id, staff_user_id, "client", client_id)
    return True


def view_as_viewer(session: Session, staff: Viewer) -> Viewer | None:
    """For a resolved staff Viewer (auth.resolve_viewer): the read-only portal Viewer of
    the client its session is viewing as, or None when it is not viewing as one (or the
    client is gone, inactive or not this tenant's, or the staff member may no longer
    do it). The portal side of the guard uses this in place of the staff viewer."""
    if not staff.is_staff or staff.role not in OFFICE_WORK:
        return None
    row = session.get(UserSession, staff.session_id)
    if row is None or row.staff_user_id != staff.user_id or row.impersonating_client_id is None:
        return None
    client = tenant_client(session, staff.tenant_id, row.impersonating_client_id)
    user = session.get(StaffUser, staff.user_id)
    if client is None or not client.is_active or user is None or not user.is_active:
        return None
    return replace(_read_only_viewer(user, client, staff.session_id), tenant_logo=staff.tenant_logo)


def end_view_as_of(session: Session, staff: Viewer) -> int | None:
    """End the view-as of the staff viewer's session: the client it was viewing as (the
    banner goes back to that client's page), or None."""
    row = session.get(UserSession, staff.session_id)
    client_id = row.impersonating_client_id if row else None
    end_view_as(session, staff.tenant_id, staff.user_id, staff.session_id)
    return client_id
