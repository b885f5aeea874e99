"""Admin → Clients → "Invite the listed clients' contacts": who a bulk invitation goes
to, and sending it in batches (ADMIN and OFFICE).

``bulk_invite`` is a long job: it takes a unit-of-work factory and opens one unit per
batch (each commits on its own, then its invitations are mailed), so it can run in a
background thread while others read and write. It never commits itself.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Iterable
from contextlib import AbstractContextManager
from dataclasses import dataclass
from datetime import datetime

from sqlmodel import Session, col, select

from pool_portal.db import session_scope
from pool_portal.models import PortalUser
from pool_portal.services.core.audit import by_staff
from pool_portal.services.core.roles import OFFICE_WORK
from pool_portal.services.identity.acting import acting_staff, staff_viewer
from pool_portal.services.identity.contacts import invite_contacts
from pool_portal.services.staff.clients import STATUS, ContactStatus, filtered_clients

log = logging.getLogger(__name__)

BATCH_SIZE = 25
INVITABLE = (ContactStatus.NEVER_INVITED, ContactStatus.EXPIRED)

UnitOfWork = Callable[[], AbstractContextManager[Session]]


@dataclass(frozen=True)
class BulkResult:
    total: int  # contacts asked for
    invited: int
    skipped: int  # another tenant's, disabled, or already with a password


def invitable_contacts(
    session: Session,
    tenant_id: int,
    staff_user_id: int,
    text: str = "",
    group_id: int | None = None,
    access: str = "all",
    *,
    now: datetime | None = None,
) -> list[int]:
    """The contacts a bulk invitation from the filtered client list goes to: every
    contact reaching one of the listed clients (directly or through a group) who was
    never invited or whose invitation expired (not those signed up, disabled, or with
    a live invitation), by id."""
    staff = acting_staff(session, tenant_id, staff_user_id, OFFICE_WORK)
    listed = filtered_clients(session, tenant_id, staff, text, group_id, access, now)
    ids = {
        uid
        for c in listed.clients
        for uid in listed.reach.get(c.id, {})
        if uid in listed.contacts and STATUS[listed.contacts[uid].status] in INVITABLE
    }
    return sorted(ids)


def bulk_invite(
    tenant_id: int,
    staff_user_id: int,
    contact_ids: Iterable[int],
    progress: Callable[[int, int], object] | None = None,
    *,
    units: UnitOfWork = session_scope,
    batch_size: int = BATCH_SIZE,
) -> BulkResult:
    """Invite many contacts, ``batch_size`` at a time, each batch in its own unit of work
    from ``units`` (``db.session_scope`` by default): its invitations are mailed once it
    has committed. ``progress(done, total)`` is called after each batch. Contacts of
    another tenant, disabled ones and those who already have a password are skipped."""
    ids = list(dict.fromkeys(int(i) for i in contact_ids))
    total, invited = len(ids), 0
    with units() as db:
        acting_staff(db, tenant_id, staff_user_id, OFFICE_WORK)
    for start in range(0, total, max(1, batch_size)):
        batch = ids[start : start + batch_size]
        with units() as db:
            staff = acting_staff(db, tenant_id, staff_user_id, OFFICE_WORK)
            wanted = db.exec(
                select(PortalUser.id).where(
                    PortalUser.tenant_id == tenant_id, col(PortalUser.id).in_(batch), PortalUser.password_hash.is_(None)
                )
            ).all()
            invited += invite_contacts(db, staff_viewer(staff), list(wanted)) if wanted else 0
        if progress is not None:
            try:
                progress(min(start + len(batch), total), total)
            except Exception:  # a closed browser tab must not stop the invitations
                log.exception("bulk invite progress callback failed")
    with units() as db:
        by_staff(
            db,
            "admin.bulk_invite",
            tenant_id,
            staff_user_id,
            "portal_user",
            None,
            total=total,
            invited=invited,
            skipped=total - invited,
        )
    return BulkResult(total=total, invited=invited, skipped=total - invited)
