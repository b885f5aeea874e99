"""Incidents as the pages show them: the read models of ``services.incidents`` turned
into the rows of plain strings the portal's and the staff's incident pages use. Codes
(category, status, priority, author) stay codes: the pages translate them. Text is
never HTML.

Times as the pages have always shown them: a list's ``created`` is the ISO instant
(the page shows its first 16 characters, "T" as a space), an incident's ``created``,
a thread entry's ``at`` and a visit's ``when`` are "YYYY-MM-DD HH:MM" as stored (UTC)."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import datetime

from pool_portal.services.incidents.detail import PlannedVisit, StaffIncident, Task
from pool_portal.services.incidents.history import StaffRow
from pool_portal.services.incidents.portal import PortalIncident, PortalRow
from pool_portal.services.incidents.thread import Entry

MINUTE = "%Y-%m-%d %H:%M"


def _minute(when: datetime | None) -> str:
    return when.strftime(MINUTE) if when else ""


def _iso(when: datetime | None) -> str:
    return when.isoformat() if when else ""


def _id(value: int | None) -> str:
    return str(value or "")


def portal_rows(rows: Iterable[PortalRow]) -> list[dict[str, str]]:
    """The portal's list of incidents."""
    return [
        {
            "id": str(r.id),
            "reference": r.reference,
            "category": r.category.value,
            "site": r.site,
            "status": r.status.value,
            "created": _iso(r.created),
            "description": r.description,
        }
        for r in rows
    ]


def staff_rows(rows: Iterable[StaffRow]) -> list[dict[str, str]]:
    """Incidents → History."""
    return [
        {
            "id": str(r.id),
            "reference": r.reference,
            "category": r.category.value,
            "priority": r.priority.value,
            "state": r.state.value,
            "status": r.status.value,
            "site": r.site,
            "client": r.client,
            "created": _iso(r.created),
            "description": r.description,
            "assigned_staff_id": _id(r.assigned_staff_id),
        }
        for r in rows
    ]


def choices(options: Iterable[tuple[int, str]]) -> list[list[str]]:
    """[id, label] pairs for a select."""
    return [[str(i), label] for i, label in options]


def timeline(entries: Iterable[Entry]) -> list[dict[str, str]]:
    """The thread: ``internal`` is "1" or "", ``photos`` the photos' ids, comma-separated."""
    return [
        {
            "kind": e.kind,
            "author": e.author.value,
            "name": e.author_name,
            "body": e.body,
            "internal": "1" if e.internal else "",
            "at": _minute(e.at),
            "photos": ",".join(str(a.id) for a in e.attachments),
        }
        for e in entries
    ]


def portal_incident(i: PortalIncident) -> dict[str, str]:
    """The header of the portal's incident page."""
    return {
        "id": str(i.id),
        "reference": i.reference,
        "category": i.category.value,
        "site": i.site,
        "status": i.status.value,
        "created": _minute(i.created),
    }


def staff_incident(i: StaffIncident) -> dict[str, str]:
    """The header of the staff's incident page."""
    return {
        "id": str(i.id),
        "reference": i.reference,
        "category": i.category.value,
        "priority": i.priority.value,
        "state": i.state.value,
        "status": i.status.value,
        "site": i.site,
        "client": i.client,
        "description": i.description,
        "resolution": i.resolution,
        "assigned": i.assigned,
    }


def tasks(items: Iterable[Task]) -> list[dict[str, str]]:
    return [{"id": str(t.id), "title": t.title, "done": "1" if t.done else ""} for t in items]


def visits(items: Iterable[PlannedVisit]) -> list[dict[str, str]]:
    return [
        {"id": str(v.id), "status": v.status.value, "when": _minute(v.scheduled_for), "technician": v.technician}
        for v in items
    ]
