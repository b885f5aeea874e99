"""Rules across a record's fields, each written once and used by every way a record
comes in: staff editing (services/staff_data.py, staff_billing.py) and the integration
API / CSV import (the pydantic models of services/integration.py).

Each function takes the values and returns the rules they break (empty: fine): the
field to show the error at, a code, the catalogue key of the message, and the fields the
rule read (a form that already has an error on one of them does not add this one).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from pool_portal.models import JobKind, RemarkStatus
from pool_portal.services.core import i18n

# Each rule's code (the API's and the CSV report's) -> the catalogue key of its message.
KEYS = {
    "routine_needs_due_date": "data.error.routine_due",
    "tolerance_needs_due_date": "data.error.tolerance_needs_due",
    "resolved_while_open": "data.error.resolved_open",
    "resolved_before_raised": "data.error.resolved_before",
    "expires_before_issued": "data.error.expires_before",
    "due_before_issued": "data.error.due_before",
}


@dataclass(frozen=True)
class Broken:
    field: str
    code: str
    inputs: tuple[str, ...]

    @property
    def key(self) -> str:
        return KEYS[self.code]

    @property
    def message(self) -> str:
        """The English text (the API's and the CSV report's language)."""
        return i18n.t(self.key)


def _not_before(later: date | None, earlier: date | None) -> bool:
    return later is None or earlier is None or later >= earlier


def job(kind: JobKind | None, due_date: date | None, tolerance_days: int | None) -> list[Broken]:
    """A routine job needs a due date; so does a tolerance (days either side of it)."""
    out = []
    if kind == JobKind.ROUTINE and due_date is None:
        out.append(Broken("due_date", "routine_needs_due_date", ("kind", "due_date")))
    if tolerance_days is not None and due_date is None:
        out.append(Broken("tolerance_days", "tolerance_needs_due_date", ("tolerance_days", "due_date")))
    return out


def remark(status: RemarkStatus | None, raised_on: date | None, resolved_on: date | None) -> list[Broken]:
    """An open remark has no resolved date; a remark is not resolved before it was raised."""
    if status == RemarkStatus.OPEN and resolved_on is not None:
        return [Broken("resolved_on", "resolved_while_open", ("status", "resolved_on"))]
    if not _not_before(resolved_on, raised_on):
        return [Broken("resolved_on", "resolved_before_raised", ("raised_on", "resolved_on"))]
    return []


def quote(issued_on: date | None, expires_on: date | None) -> list[Broken]:
    """A quote does not expire before it is issued."""
    if not _not_before(expires_on, issued_on):
        return [Broken("expires_on", "expires_before_issued", ("issued_on", "expires_on"))]
    return []


def invoice(issued_on: date | None, due_on: date | None) -> list[Broken]:
    """An invoice is not due before it is issued."""
    if not _not_before(due_on, issued_on):
        return [Broken("due_on", "due_before_issued", ("issued_on", "due_on"))]
    return []
