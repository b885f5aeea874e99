"""One guard for every event handler.

Any connected browser can call any handler of any state with any arguments, so each
handler declares who may call it, and this module checks it server-side from the
session cookie before the handler body runs:

    @portal_event            # a signed-in portal user (scope in viewer())
    @staff_event(OFFICE_WORK)  # a role set of services/core/roles.py
    @public_event            # anyone (sign-in pages); says so explicitly

A refused call changes nothing, returns nothing private, is written to the audit log
and sends the browser to the right sign-in page. A staff session viewing the portal as
a client (admin "view as") is, for portal handlers, that client's read-only Viewer:
reads work, and every handler declared ``@portal_event(write=True)`` is refused with a
message (the page stays as it is). Every handler must carry one of
these: the authorisation matrix test fails for a handler that does not.
"""

from __future__ import annotations

import asyncio
import contextvars
import functools
import inspect
from collections.abc import Awaitable, Callable, Iterable
from dataclasses import dataclass

import reflex as rx

from pool_portal.db import in_unit_of_work
from pool_portal.models import StaffRole
from pool_portal.services.core import audit, i18n
from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import auth

_current: contextvars.ContextVar[Viewer | None] = contextvars.ContextVar("viewer", default=None)
_current_rule: contextvars.ContextVar[Rule | None] = contextvars.ContextVar("rule", default=None)


@dataclass(frozen=True)
class Rule:
    kind: str  # "public" | "portal" | "staff"
    roles: frozenset[StaffRole] = frozenset()
    allow_read_only: bool = True  # False: a write, refused while viewing as a client
    allow_password_change_pending: bool = False


RULES: dict[Callable, Rule] = {}


def viewer() -> Viewer:
    """The caller of the handler being run (set by the guard)."""
    v = _current.get()
    if v is None:
        raise RuntimeError("viewer() called outside a guarded handler")
    return v


def refuse_reason(v: Viewer | None, rule: Rule) -> str | None:
    """Why ``v`` may not call a handler with ``rule``; None when it may."""
    if rule.kind == "public":
        return None
    if v is None:
        return "anonymous"
    if v.kind != rule.kind:
        return "wrong-side"
    if rule.kind == "staff" and rule.roles and v.role not in rule.roles:
        return "role"
    if v.read_only and not rule.allow_read_only:
        return "read-only"
    if v.must_change_password and not rule.allow_password_change_pending:
        return "password-change-required"
    return None


def resolve(state: rx.State, portal_side: bool = False, touch: bool = True) -> Viewer | None:
    """The caller from the session cookie of the websocket handshake. On the portal side
    a staff session viewing the portal as a client is that client's read-only Viewer."""
    headers = state.router.headers.raw_headers
    token = auth.token_from_cookie_header(headers.get("cookie"))
    return in_unit_of_work(auth.resolve_viewer, token, portal_side=portal_side, touch=touch)


async def recheck(state: rx.State) -> Viewer | None:
    """For a handler that runs on (a background watcher): the caller again, from the
    server-side session, as the guard would judge them now. None when the guard would
    now refuse (signed out, session expired or idle, user or membership disabled, role
    changed, view-as ended) or when it is no longer the same user. Leaves the idle timer
    alone. Call it on every round; a None ends the watcher."""
    rule, first = _current_rule.get(), _current.get()
    if rule is None or first is None:
        return None
    v = await asyncio.to_thread(resolve, state, rule.kind == "portal", False)
    if refuse_reason(v, rule) is not None or (v.kind, v.user_id, v.session_id) != (
        first.kind,
        first.user_id,
        first.session_id,
    ):
        return None
    return v


def _record_refusal(state: rx.State, v: Viewer | None, handler: str, reason: str) -> None:
    in_unit_of_work(
        audit.record,
        "call.refused",
        tenant_id=v.tenant_id if v else None,
        actor_kind=v.kind if v else "anonymous",
        actor_id=v.user_id if v else None,
        ip=state.router.session.client_ip or None,
        handler=handler,
        reason=reason,
        **(
            {"viewing_as_client": sorted(v.client_ids), "acting_staff_id": v.acting_staff_id}
            if v and v.read_only
            else {}
        ),
    )


# The tab rules (states/tabs.py) plug in here: they work on the base state, which itself
# uses this guard. ``allowed(state, viewer)`` binds the tab to the caller's session after
# an allowed call; ``refused(state)`` wipes the tab after a refused one.
TabHook = Callable[..., Awaitable[None]]
_tab_hooks: dict[str, TabHook] = {}


def use_tab_rules(*, allowed: TabHook, refused: TabHook) -> None:
    _tab_hooks.update(allowed=allowed, refused=refused)


_NOTHING = object()  # a refusal that sends nothing back (the page already says why)


def _login_page(rule: Rule) -> str:
    return "/admin/login" if rule.kind == "staff" else "/portal/login"


def _guard(rule: Rule, background: bool = False):
    def decorate(fn):
        name = fn.__qualname__

        async def check(self) -> tuple[Viewer | None, object]:
            """(viewer, None) when allowed; (None, the refusal to send back) when not."""
            v = None if rule.kind == "public" else await asyncio.to_thread(resolve, self, rule.kind == "portal")
            reason = refuse_reason(v, rule)
            if reason is None:
                if v is not None and not background and "allowed" in _tab_hooks:
                    await _tab_hooks["allowed"](self, v)
                return v, None
            await asyncio.to_thread(_record_refusal, self, v, name, reason)
            if reason == "read-only":  # a legitimate reader: the page stays as it is, and says why
                if not background:
                    # A message in the page, not a toast: a toast sent from the server is
                    # a script the browser would have to eval, which the CSP forbids.
                    self.refused_write = i18n.t("view.read_only", v.language)
                return None, _NOTHING
            if not background:  # a background task may not touch state unlocked
                on_refused = getattr(self, "_on_refused", None)
                if on_refused is not None:
                    on_refused()
                if "refused" in _tab_hooks:
                    await _tab_hooks["refused"](self)
            if reason == "password-change-required":
                return None, rx.redirect("/portal/password" if v and v.is_portal else "/admin/password")
            return None, rx.redirect(_login_page(rule))

        if inspect.isasyncgenfunction(fn):

            @functools.wraps(fn)
            async def wrapper(self, *args, **kwargs):
                v, refusal = await check(self)
                if refusal is not None:
                    if refusal is not _NOTHING:
                        yield refusal
                    return
                token, rule_token = _current.set(v), _current_rule.set(rule)
                try:
                    async for update in fn(self, *args, **kwargs):
                        yield update
                finally:
                    try:
                        _current.reset(token)
                        _current_rule.reset(rule_token)
                    except ValueError:  # closed from another context
                        pass

        else:

            @functools.wraps(fn)
            async def wrapper(self, *args, **kwargs):
                v, refusal = await check(self)
                if refusal is not None:
                    return None if refusal is _NOTHING else refusal
                token, rule_token = _current.set(v), _current_rule.set(rule)
                try:
                    result = fn(self, *args, **kwargs)
                    if inspect.isawaitable(result):
                        result = await result
                    return result
                finally:
                    _current.reset(token)
                    _current_rule.reset(rule_token)

        wrapper.__signature__ = inspect.signature(fn)
        RULES[wrapper] = rule
        wrapper._guard_rule = rule
        return rx.event(wrapper, background=True) if background else rx.event(wrapper)

    return decorate


def public_event(fn):
    return _guard(Rule("public"))(fn)


def portal_event(fn=None, *, write: bool = False, password_change: bool = False, background: bool = False):
    rule = Rule("portal", allow_read_only=not write, allow_password_change_pending=password_change)
    return _guard(rule, background)(fn) if fn is not None else _guard(rule, background)


def staff_event(roles: Iterable[StaffRole], *, password_change: bool = False, background: bool = False):
    """A staff handler for the roles of ``roles`` (a set of services/core/roles.py)."""
    return _guard(Rule("staff", frozenset(roles), allow_password_change_pending=password_change), background)
