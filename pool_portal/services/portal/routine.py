"""A routine job's status against its due date and tolerance, as the dashboard's
routine panel, its listing and the Routine Activity Report count it."""

from __future__ import annotations

from datetime import date

ROUTINE_STATUSES = ("on_time", "within_tolerance", "late", "missed", "pending")


def routine_status(due: date, completed: date | None, tolerance: int, today: date) -> str:
    """Done on time (by the due date), within tolerance (up to ``tolerance`` days
    late), late, missed (not done and past the tolerance), or pending."""
    if completed is not None:
        if completed <= due:
            return "on_time"
        return "within_tolerance" if (completed - due).days <= tolerance else "late"
    return "missed" if (today - due).days > tolerance else "pending"
