"""What every incidents module shares: the fields' choices and limits, the error keys
(translation keys, ``{field: key}``), whether a viewer has the portal's incidents,
incident references and the pages' paths."""

from __future__ import annotations

import secrets
import string
from dataclasses import dataclass
from enum import StrEnum
from typing import Generic, TypeVar

from sqlalchemy import select
from sqlalchemy.orm import Session

from pool_portal.models import Incident, IncidentCategory, Priority
from pool_portal.services.core.scope import Viewer
from pool_portal.services.infra import uploads
from pool_portal.services.portal.portal_settings import incidents_enabled
from pool_portal.settings import get_settings


class Status(StrEnum):
    """The status a customer sees (derived, never stored: see ``status``)."""

    RECEIVED = "RECEIVED"
    IN_PROCESS = "IN_PROCESS"
    SCHEDULED_VISIT = "SCHEDULED_VISIT"
    SOLVED = "SOLVED"


CUSTOMER_STATUSES = tuple(s.value for s in Status)
CATEGORIES = tuple(c.value for c in IncidentCategory)
PRIORITIES = tuple(p.value for p in Priority)
MIN_DESCRIPTION = 10
MAX_DESCRIPTION = 5000
MAX_MESSAGE = 5000
MAX_RESOLUTION = 5000
MAX_TASK_TITLE = 200
MAX_PHOTO_BYTES = uploads.MAX_PHOTO_BYTES
MAX_PHOTOS = uploads.MAX_PHOTOS
PER_PAGE = 25

REFERENCE_ALPHABET = string.ascii_uppercase + string.digits
REFERENCE_ATTEMPTS = 20

E_NOT_ALLOWED = "incident.error.not_allowed"
E_NOT_FOUND = "incident.error.not_found"
E_DISABLED = "incident.error.disabled"
E_SITE = "incident.error.site"
E_CATEGORY = "incident.error.category"
E_PRIORITY = "incident.error.priority"
E_SHORT = "incident.error.description_short"
E_LONG = "incident.error.description_long"
E_BODY_EMPTY = "incident.error.body_empty"
E_BODY_LONG = "incident.error.body_long"
E_STORAGE = "incident.error.storage"
E_SOLVED = "incident.error.solved"
E_NOT_SOLVED = "incident.error.not_solved"
E_RESOLUTION = "incident.error.resolution_required"
E_TASK_TITLE = "incident.error.task_title"
E_TECHNICIAN = "incident.error.technician"
E_DATE = "incident.error.date"

T = TypeVar("T")

PORTAL_PAGE = "/portal/incident"  # the pages' routes (pool_portal.py adds them)
ADMIN_PAGE = "/admin/incident"


@dataclass(frozen=True)
class Listing(Generic[T]):
    """A page of a list: its rows, how many there are in all, the page and the pages."""

    rows: list[T]
    total: int
    page: int
    pages: int


def portal_enabled(session: Session, viewer: Viewer) -> bool:
    """Whether the viewer has the portal's incidents: a portal viewer of a tenant that
    has not switched them off (admin settings). Switched off, every portal function
    acts as if there were no incidents (nothing listed, read, reported or posted);
    staff functions are not affected: staff keep the whole history."""
    return viewer.is_portal and incidents_enabled(session, viewer.tenant_id)


def check_body(body: str, *, field: str = "body") -> tuple[str, dict[str, str]]:
    """A message's text, trimmed, and its error (empty, too long) if any."""
    body = (body or "").strip()
    if not body:
        return body, {field: E_BODY_EMPTY}
    if len(body) > MAX_MESSAGE:
        return body, {field: E_BODY_LONG}
    return body, {}


# -- references -------------------------------------------------------------------------------
def _random_code() -> str:
    return "".join(secrets.choice(REFERENCE_ALPHABET) for _ in range(6))


def new_reference(session: Session, year: int) -> str:
    """``INC-<year>-<6 upper-case letters/digits>`` not used yet (references are unique
    across tenants); a taken one is drawn again, up to REFERENCE_ATTEMPTS times."""
    for _ in range(REFERENCE_ATTEMPTS):
        ref = f"INC-{int(year)}-{_random_code()}"
        if session.execute(select(Incident.id).where(Incident.reference == ref)).first() is None:
            return ref
    raise RuntimeError("no free incident reference after several attempts")


# -- the pages' paths -------------------------------------------------------------------------
def portal_path(incident_id: int) -> str:
    """The client's page of an incident (notifications and mails link here)."""
    return f"{PORTAL_PAGE}?id={int(incident_id)}"


def admin_path(incident_id: int) -> str:
    """The staff page of an incident."""
    return f"{ADMIN_PAGE}?id={int(incident_id)}"


def link(path: str) -> str:
    """A page's full address, for mails."""
    return f"{get_settings().public_url}{path}"
