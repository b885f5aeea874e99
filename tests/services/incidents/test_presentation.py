"""Incidents' read models as the pages show them (presentation.incidents): the keys the
pages read, codes left as codes, and the times as the pages have always shown them."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime

import pool_portal.models as m
from pool_portal.presentation import incidents as present
from pool_portal.services.incidents.common import Status
from pool_portal.services.incidents.detail import PlannedVisit, StaffIncident, Task
from pool_portal.services.incidents.history import StaffRow
from pool_portal.services.incidents.portal import PortalIncident, PortalRow
from pool_portal.services.incidents.thread import Attachment, Entry

AT = datetime(2026, 3, 5, 14, 7, 9)  # stored naive (UTC) on SQLite
MESSAGE = Entry(
    "message",
    7,
    m.MessageAuthor.CLIENT,
    "Pat",
    "It <b>leaks</b>",
    False,
    AT,
    [Attachment(3, "a.jpg", "image/jpeg", 10), Attachment(4, "b.png", "image/png", 20)],
)
NOTE = Entry("message", 8, m.MessageAuthor.STAFF, "Ana", "secret", True, AT.replace(tzinfo=UTC))
CLOSURE = Entry("resolution", None, m.MessageAuthor.STAFF, "", "Replaced the seal", False, None)


def test_list_rows_keep_the_iso_instant_the_page_cuts_to_minutes():
    row = PortalRow(12, "INC-2026-AAAAAA", m.IncidentCategory.LEAK, "My pool", Status.IN_PROCESS, AT, "Water")
    assert present.portal_rows([row]) == [
        {
            "id": "12",
            "reference": "INC-2026-AAAAAA",
            "category": "LEAK",
            "site": "My pool",
            "status": "IN_PROCESS",
            "created": "2026-03-05T14:07:09",
            "description": "Water",
        }
    ]
    staff_row = StaffRow(
        12,
        "INC-2026-AAAAAA",
        m.IncidentCategory.LEAK,
        m.Priority.HIGH,
        m.IncidentState.OPEN,
        Status.RECEIVED,
        "My pool",
        "Mine",
        None,
        "Water",
        None,
    )
    [shown] = present.staff_rows([staff_row])
    assert (shown["priority"], shown["state"], shown["client"], shown["created"], shown["assigned_staff_id"]) == (
        "HIGH",
        "OPEN",
        "Mine",
        "",
        "",
    )
    assert present.staff_rows([replace(staff_row, assigned_staff_id=5)])[0]["assigned_staff_id"] == "5"


def test_the_thread_is_plain_strings_with_minutes_and_photo_ids():
    assert present.timeline([MESSAGE, NOTE, CLOSURE]) == [
        {
            "kind": "message",
            "author": "CLIENT",
            "name": "Pat",
            "body": "It <b>leaks</b>",
            "internal": "",
            "at": "2026-03-05 14:07",
            "photos": "3,4",
        },
        {
            "kind": "message",
            "author": "STAFF",
            "name": "Ana",
            "body": "secret",
            "internal": "1",
            "at": "2026-03-05 14:07",
            "photos": "",
        },
        {
            "kind": "resolution",
            "author": "STAFF",
            "name": "",
            "body": "Replaced the seal",
            "internal": "",
            "at": "",
            "photos": "",
        },
    ]


def test_the_incident_pages_headers_tasks_and_visits():
    portal = PortalIncident(12, "INC-2026-AAAAAA", m.IncidentCategory.WATER, "My pool", Status.SOLVED, AT, [], "v")
    assert present.portal_incident(portal) == {
        "id": "12",
        "reference": "INC-2026-AAAAAA",
        "category": "WATER",
        "site": "My pool",
        "status": "SOLVED",
        "created": "2026-03-05 14:07",
    }
    staff = StaffIncident(
        id=12,
        reference="INC-2026-AAAAAA",
        category=m.IncidentCategory.WATER,
        priority=m.Priority.LOW,
        state=m.IncidentState.SOLVED,
        status=Status.SOLVED,
        site="My pool",
        client="Mine",
        description="Green water",
        resolution="Shocked the pool",
        assigned="Ana",
        thread=[],
        tasks=[Task(1, "Order a seal", True, AT, None), Task(2, "Call", False, None, 3)],
        visits=[
            PlannedVisit(5, m.VisitStatus.SCHEDULED, AT, 3, "Tom"),
            PlannedVisit(6, m.VisitStatus.PENDING, None, None, ""),
        ],
        technicians=[(3, "Tom")],
        version="v",
    )
    assert present.staff_incident(staff) == {
        "id": "12",
        "reference": "INC-2026-AAAAAA",
        "category": "WATER",
        "priority": "LOW",
        "state": "SOLVED",
        "status": "SOLVED",
        "site": "My pool",
        "client": "Mine",
        "description": "Green water",
        "resolution": "Shocked the pool",
        "assigned": "Ana",
    }
    assert present.tasks(staff.tasks) == [
        {"id": "1", "title": "Order a seal", "done": "1"},
        {"id": "2", "title": "Call", "done": ""},
    ]
    assert present.visits(staff.visits) == [
        {"id": "5", "status": "SCHEDULED", "when": "2026-03-05 14:07", "technician": "Tom"},
        {"id": "6", "status": "PENDING", "when": "", "technician": ""},
    ]
    assert present.choices(staff.technicians) == [["3", "Tom"]]
