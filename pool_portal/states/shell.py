"""The base state: language, translation and the caller's identity for display.

Identity is never taken from the browser's state: every handler goes through the
guard (states/guard.py), which resolves the HttpOnly session cookie from the
websocket handshake headers against the sessions table.
"""

from __future__ import annotations

import asyncio

import reflex as rx

from pool_portal.db import session_scope
from pool_portal.models import TokenPurpose
from pool_portal.services.core.i18n import LANGUAGES, catalogue, normalise_language
from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import access, auth
from pool_portal.states.guard import ALL_STAFF, portal_event, public_event, staff_event


class AppState(rx.State):
    lang: str = rx.LocalStorage("en", name="pp_lang", sync=True)
    signed_in: bool = False
    user_name: str = ""
    tenant_name: str = ""
    brand_colour: str = "#0e7490"
    logo_url: str = ""  # the tenant's logo (an authorising route), "" when it has none
    staff_role: str = ""  # ADMIN / OFFICE / TECHNICIAN for staff (what the admin menu shows; the guard decides)

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
            await asyncio.to_thread(self._store_language, token, self.lang)

    @staticmethod
    def _store_language(token: str, lang: str) -> None:
        with session_scope() as db:
            auth.set_session_language(db, token, lang)

    def _apply_identity(self, viewer: Viewer, tenant_name: str, brand_colour: str) -> None:
        self.signed_in = True
        self.user_name = viewer.name
        self.tenant_name = tenant_name
        self.brand_colour = brand_colour
        self.logo_url = f"/files/logo?v={viewer.tenant_logo}" if viewer.tenant_logo else ""
        self.staff_role = viewer.role.value if viewer.is_staff and viewer.role else ""
        if viewer.language and self.lang != viewer.language:
            self.lang = viewer.language

    def _on_refused(self) -> None:
        self.signed_in = False
        self.user_name = ""
        self.tenant_name = ""
        self.logo_url = ""
        self.staff_role = ""


LINK_STATUSES = ("sent", "invalid_email", "rate_limited")


class LoginState(AppState):
    """The sign-in pages: the error the sign-in route redirected with, and the
    "email me a link" forms (sign-in link, or a link to set a new password)."""

    error: str = ""
    link_status: str = ""
    reset_status: str = ""
    show_reset: bool = False

    @public_event
    def load_login(self):
        code = self.router.url.query_parameters.get("error", "")
        self.error = code if code in ("invalid", "missing", "throttled") else ""
        # link_status/reset_status are left alone: a quick click may be handled
        # before this on_load, and its answer must not be wiped.

    @public_event
    def toggle_reset(self):
        self.show_reset = not self.show_reset

    @public_event
    async def request_link(self, form_data: dict):
        self.link_status = await self._request(form_data, TokenPurpose.MAGIC_LINK)

    @public_event
    async def request_reset(self, form_data: dict):
        self.reset_status = await self._request(form_data, TokenPurpose.PASSWORD_RESET)

    async def _request(self, form_data: dict, purpose: TokenPurpose) -> str:
        email = str((form_data or {}).get("email") or "")[:254]
        ip = self.router.session.client_ip or None

        def work():
            with session_scope() as db:
                return access.request_link(db, email, purpose, ip=ip)

        outcome, mails = await asyncio.to_thread(work)
        access.send(mails)  # queued: sent on the mail worker threads
        return outcome if outcome in LINK_STATUSES else "sent"


class LinkState(AppState):
    """/portal/magic and /portal/set-password: whether the link in the URL is still
    good. Opening the page uses nothing up; the button posts to the backend."""

    link_token: str = ""
    link_valid: bool = False
    checked: bool = False
    error: str = ""

    @public_event
    async def load_magic(self):
        await self._check((TokenPurpose.MAGIC_LINK,))

    @public_event
    async def load_set_password(self):
        await self._check(access.SET_PASSWORD_PURPOSES)

    @public_event
    async def load_staff_set_password(self):
        """/admin/set-password: the staff invitation link (Admin → Staff users)."""
        await self._check((TokenPurpose.STAFF_INVITATION,))

    async def _check(self, purposes) -> None:
        params = self.router.url.query_parameters
        token = str(params.get("token", ""))[:500]
        error = str(params.get("error", ""))
        self.error = error if error in PASSWORD_ERRORS else ""

        def work() -> bool:
            with session_scope() as db:
                return any(access.peek_link(db, p, token) for p in purposes)

        self.link_valid = bool(token) and await asyncio.to_thread(work)
        self.link_token = token if self.link_valid else ""
        self.checked = True


PASSWORD_ERRORS = ("password.too_short", "password.too_long", "password.mismatch", "link.invalid")


class PasswordState(AppState):
    """/portal/password and /admin/password: change the password (required at first
    sign-in after a staff-set one)."""

    error: str = ""

    def _load_error(self) -> None:
        error = str(self.router.url.query_parameters.get("error", ""))
        self.error = error if error in PASSWORD_ERRORS else ""

    @portal_event(password_change=True)
    def load_portal_password(self):
        self._load_error()

    @staff_event(*ALL_STAFF, password_change=True)
    def load_admin_password(self):
        self._load_error()
