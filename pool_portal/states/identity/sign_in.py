"""Signing in: the sign-in pages, the pages a mailed link opens, and changing the
password."""

from __future__ import annotations

import reflex as rx

from pool_portal.models import TokenPurpose
from pool_portal.services.core.i18n import t
from pool_portal.services.core.params import parse_int
from pool_portal.services.core.roles import ANY_STAFF
from pool_portal.services.identity import access
from pool_portal.states.guard import portal_event, public_event, staff_event, viewer
from pool_portal.states.shell import AppState, call

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
        outcome = await call(access.request_link, email, purpose, ip=ip)  # mailed once committed
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
        self.link_valid = bool(token) and await call(access.link_is_valid, purposes, token)
        self.link_token = token if self.link_valid else ""
        self.checked = True


PASSWORD_ERRORS = ("password.too_short", "password.too_long", "password.mismatch", "link.invalid")
# What the change-password route may send back besides those.
CHANGE_ERRORS = (*PASSWORD_ERRORS, "password.wrong_current", "password.same_as_current", "password.throttled")
MAX_DEVICES = 10_000


class PasswordState(AppState):
    """/portal/password and /admin/password: change the password (required at first
    sign-in after a staff-set one). The form posts to /auth/change-password, which
    comes back here with ``?error=<key>`` or ``?changed=<other devices signed out>``."""

    error: str = ""
    required: bool = False  # the password was set by staff and must be changed first
    changed: bool = False
    signed_out: int = 0
    home: str = "/portal"

    @rx.var
    def signed_out_message(self) -> str:
        key = {0: "password.signed_out_none", 1: "password.signed_out_one"}.get(
            self.signed_out, "password.signed_out_many"
        )
        return t(key, self.lang, count=self.signed_out)

    def _load(self, home: str) -> None:
        params = self.router.url.query_parameters
        error = str(params.get("error", ""))
        self.error = error if error in CHANGE_ERRORS else ""
        count = parse_int(params.get("changed"), 0, MAX_DEVICES)
        self.changed = count is not None and not self.error
        self.signed_out = count or 0
        self.required = viewer().must_change_password
        self.home = home

    @portal_event(password_change=True)
    def load_portal_password(self):
        self._load("/portal")

    @staff_event(ANY_STAFF, password_change=True)
    def load_admin_password(self):
        self._load("/admin")
