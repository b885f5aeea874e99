"""The base of the admin control panel's client and group pages: the staff shell
(``StaffPage``), a notice, errors by field, and ids read from the URL and forms."""

from __future__ import annotations

from pool_portal.services.core.params import parse_id
from pool_portal.states.shell import StaffPage


def form_id(raw: object) -> int | None:
    """A row id from a URL parameter, a form field or an event argument; None when it
    is not one."""
    return parse_id(str(raw if raw is not None else ""))


class AdminPage(StaffPage):
    """Shared by the admin pages: a notice and errors by field (translation keys)."""

    errors: dict[str, str] = {}
    notice: str = ""
