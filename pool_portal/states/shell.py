"""The base state of every page (language, translation, the caller's identity and the
tenant's branding for display), the staff pages' base, and ``call``: the one way a
state runs service work.

Identity is never taken from the browser's state: every handler goes through the
guard (states/guard.py), which resolves the HttpOnly session cookie from the
websocket handshake headers against the sessions table.

``await call(service_fn, *args)`` runs ``service_fn(db, *args)`` off the event loop in
one unit of work (``db.in_unit_of_work``): it commits once, and effects the service
registered (mail, file deletions) run only after that commit succeeded. States never
open sessions or query models themselves; a service that answers with errors has
written nothing (so the commit has nothing to keep).
"""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import ParamSpec, TypeVar

import reflex as rx

from pool_portal.db import in_unit_of_work
from pool_portal.presentation import palette
from pool_portal.services.core.i18n import LANGUAGES, catalogue, normalise_language
from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import auth
from pool_portal.services.portal import branding
from pool_portal.states.guard import public_event, viewer

P = ParamSpec("P")
R = TypeVar("R")


async def call(fn: Callable[..., R], *args: object, **kwargs: object) -> R:
    """``fn(db, *args, **kwargs)`` in one unit of work, off the event loop: committed once
    when it returns, its after-commit effects run; rolled back (and re-raised) when it
    raises. The answer should be plain data (ints, dates, dataclasses), not rows."""
    return await asyncio.to_thread(in_unit_of_work, fn, *args, **kwargs)


class AppState(rx.State):
    lang: str = rx.LocalStorage("en", name="pp_lang", sync=True)
    signed_in: bool = False
    user_name: str = ""
    tenant_name: str = ""
    brand_colour: str = palette.BRAND_DEFAULT
    logo_url: str = ""  # the tenant's logo (an authorising route), "" when it has none
    staff_role: str = ""  # ADMIN / OFFICE / TECHNICIAN for staff (what the admin menu shows; the guard decides)
    # A write the guard refused because the caller only reads (staff viewing the portal
    # as a client): the page shows it until the next page load.
    refused_write: str = ""
    # The hash of the session cookie this tab's data was loaded for (states/tabs.py): a
    # backend var, never sent to the browser.
    _session_hash: str = ""

    @rx.var
    def tr(self) -> dict[str, str]:
        return catalogue(normalise_language(self.lang))

    @rx.var
    def language_options(self) -> list[list[str]]:
        return [[code, name] for code, name in LANGUAGES.items()]

    @public_event
    async def set_language(self, lang: str):
        self.lang = normalise_language(lang)
        token = auth.token_from_cookie_header(self.router.headers.raw_headers.get("cookie"))
        if token:
            await call(auth.set_session_language, token, self.lang)

    def _apply_identity(self, viewer: Viewer, tenant_name: str, brand_colour: str) -> None:
        self.signed_in = True
        self.user_name = viewer.name
        self.tenant_name = tenant_name
        self.brand_colour = brand_colour
        self._show_logo(viewer.tenant_logo)
        self.staff_role = viewer.role.value if viewer.is_staff and viewer.role else ""
        if viewer.language and self.lang != viewer.language:
            self.lang = viewer.language

    def _show_logo(self, stamp: str) -> None:
        """The header's logo: the tenant's logo by its stamp (auth.logo_stamp), or none."""
        self.logo_url = f"/files/logo?v={stamp}" if stamp else ""

    def _on_refused(self) -> None:
        self.signed_in = False
        self.user_name = ""
        self.tenant_name = ""
        self.logo_url = ""
        self.staff_role = ""


class StaffPage(AppState):
    """The base of the staff side's pages: ``_load_shell`` (in a page's on_load, after
    the guard) shows the caller and the tenant's branding in the header."""

    async def _load_shell(self) -> Viewer:
        v = viewer()
        name, colour = await call(branding.tenant_branding, v)
        self._apply_identity(v, name, colour)
        return v
