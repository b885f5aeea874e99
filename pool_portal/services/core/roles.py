"""Staff role sets, named by what they permit. Every check of a staff role (the guard's
``@staff_event(...)`` and the services' second line) uses one of these, so "who may do
this" reads the same everywhere and changes in one place."""

from __future__ import annotations

from pool_portal.models import StaffRole

ANY_STAFF: frozenset[StaffRole] = frozenset(StaffRole)
"""Signed-in staff of any role: the staff home, the bell, their own password and visits."""

OFFICE_WORK: frozenset[StaffRole] = frozenset({StaffRole.ADMIN, StaffRole.OFFICE})
"""The office's work: clients, groups and invitations, the service data (sites, assets,
remarks, documents, jobs, visits, quotes, invoices, reports), incidents, imports and
viewing the portal as a client."""

PORTAL_ADMINISTRATION: frozenset[StaffRole] = frozenset({StaffRole.ADMIN})
"""Running the portal itself: its settings and logo, per-client customisation and the
staff users."""

NO_STAFF: frozenset[StaffRole] = frozenset()
"""Things of the customer's portal only (a view's list exports and panel reports): no
staff page shows them; staff get them only while viewing the portal as a client."""


def may(role: StaffRole | None, allowed: frozenset[StaffRole]) -> bool:
    return role is not None and role in allowed
