"""What every Admin → Data page's state shares (the lists in ``data_lists``, a site in
``data_site``, a job or a report in ``data_records``, a quote or an invoice in
``data_billing``): messages, the record that is missing, reading the URL and a
submitted form, and saving a record.

Thin: every rule is in the services (``services.staff.*``), every figure becomes
text in ``presentation.staff_data`` / ``staff_lists``; a handler runs a service with
``call`` and stores the display values. A list's query and the record being edited
live in the URL, so Back, reload and copied links work.
"""

from __future__ import annotations

import reflex as rx
from sqlalchemy.exc import IntegrityError

from pool_portal.services.core.params import parse_id
from pool_portal.services.staff.editing import E_NUMBER_TAKEN
from pool_portal.states.shell import call

SAVED = ("1", "asset", "remark", "document", "visit", "sent", "issued", "paid", "void", "expired", "approved")
MAX_FORM_VALUE = 10_000


def as_id(raw) -> int | None:
    """A row id from the URL or an event argument (None for anything else)."""
    return parse_id(str(raw or ""))


def submitted(form_data, limit: int = 80) -> dict[str, str]:
    """A submitted form as {str: str}, each value capped (the services check lengths)."""
    if not isinstance(form_data, dict):
        return {}
    return {
        str(k)[:60]: str(v)[:MAX_FORM_VALUE]
        for k, v in list(form_data.items())[:limit]
        if isinstance(v, (str, int, float, bool))
    }


def url_params(state: rx.State) -> dict[str, str]:
    """The query parameters of the page's URL."""
    return {str(k): str(v) for k, v in state.router.url.query_parameters.items()}


class DataPage(rx.State, mixin=True):
    """What every data page has: messages (``errors`` next to fields, a ``notice``),
    ``missing`` for an id that is not the tenant's, and a ``version`` that re-mounts
    the form fields when new values arrive."""

    errors: dict[str, str] = {}
    notice: str = ""
    missing: bool = False
    loaded: bool = False
    version: int = 0

    def _saved_notice(self) -> None:
        saved = url_params(self).get("saved", "")
        self.notice = f"data.saved.{saved}" if saved in SAVED else ""

    async def _save_record(self, path: str, save, *args: object):
        """``save(db, *args)`` -> (id, errors); on success open the saved record at ``path``."""
        try:
            new_id, errors = await call(save, *args)
        except IntegrityError:  # two people took the same number at once
            new_id, errors = None, {"number": E_NUMBER_TAKEN}
        self.errors = errors
        return None if errors else rx.redirect(f"{path}?id={new_id}&saved=1")
