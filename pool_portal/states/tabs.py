"""A tab's id is never a credential: the Reflex side of ``services.identity.tabs``.

Reflex stores each tab's state under its client token and answers its built-in events
(``hydrate``, ``hydrate_and_load``, ``update_vars_internal``, ``setvar``, the page's
``on_load_internal``) with that stored state, to whichever connection presents the
token. So:

- the guard binds a tab to the session of its first allowed call (``bind``): the hash
  of that session's cookie lives in the tab's state (``AppState._session_hash``), the
  tab's token and session id in ``session_tab``;
- ``TabGuard`` looks at every event before it runs, built-in ones included: when the
  connection's cookie is not the one the tab was bound with (no cookie, another
  user's, a new sign-in), the tab's state is wiped first; before a hydrate the session
  is checked to be still alive as well;
- a refused call wipes the tab (the guard calls ``wipe``);
- when sessions end (sign-out, password change, a disabled user, staff ending them) the
  state of their tabs is wiped wherever it is stored (memory, disk, Redis: through the
  state manager, so on every worker), and a sweep does the same for sessions that
  expired (``sweep``, a lifespan task of the app).

Wiping resets every state of ours in the tab to its defaults; only the language the
browser chose stays.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging

import reflex as rx
from reflex.istate.manager.token import BaseStateToken
from reflex.middleware import Middleware

from pool_portal.services.core.scope import Viewer
from pool_portal.services.identity import auth, tabs
from pool_portal.services.identity.tabs import ended_with_tabs
from pool_portal.states.guard import use_tab_rules
from pool_portal.states.shell import AppState, call

log = logging.getLogger(__name__)

SWEEP_EVERY_S = 30.0
# Built-in events that answer with the stored state: the session must still be alive.
_SNAPSHOTS = ("hydrate", "hydrate_and_load", "update_vars_internal")


def cookie_hash(state: rx.State) -> str:
    """The hash of the session cookie this event's connection carries ("" for none)."""
    token = auth.token_from_cookie_header(state.router.headers.raw_headers.get("cookie"))
    return auth.hash_token(token) if token else ""


def _ours(cls: type[rx.State]) -> list[type[rx.State]]:
    found, todo = [], [cls]
    while todo:
        current = todo.pop()
        found.append(current)
        todo.extend(current.get_substates())
    return found


async def wipe(state: rx.State) -> None:
    """Every state of ours in the tab of ``state`` back to its defaults, the language
    excepted; the tab belongs to no session any more."""
    root = state._get_root_state()
    shell = await root.get_state(AppState)
    lang = shell.lang
    for cls in _ours(AppState):
        await root.get_state(cls)  # load it into the tree, so reset reaches it
    shell.reset()
    shell.lang = lang
    shell._session_hash = ""


async def bind(state: rx.State, v: Viewer) -> None:
    """After the guard allowed a call: the tab belongs to the caller's session."""
    shell = await state.get_state(AppState)
    current = cookie_hash(state)
    if shell._session_hash == current:
        return
    if shell._session_hash:  # it showed another session's data: start clean
        await wipe(state)
    await call(tabs.bind, state.router.session.client_token, v.session_id)
    shell._session_hash = current


def _session_alive(db, cookie_token: str | None) -> bool:
    return auth.resolve_viewer(db, cookie_token, touch=False) is not None


class TabGuard(Middleware):
    """Before every event, built-in ones included (see the module docstring)."""

    async def preprocess(self, app, state, event):
        root = state._get_root_state()
        shell = await root.get_state(AppState)
        if not shell._session_hash:
            return None  # nothing private in it
        if cookie_hash(root) != shell._session_hash:
            await wipe(root)
            return None
        if event.name.rpartition(".")[2] in _SNAPSHOTS:
            token = auth.token_from_cookie_header(root.router.headers.raw_headers.get("cookie"))
            if not await call(_session_alive, token):
                await wipe(root)
        return None


async def forget_sessions(app: rx.App, session_ids: list[int]) -> None:
    """Wipe the stored state of every tab of these sessions, on whatever worker or in
    whichever store it is, and forget the tabs."""
    tokens = await call(tabs.tabs_of, session_ids)
    for token in tokens:
        try:
            async with app.state_manager.modify_state(BaseStateToken(ident=token, cls=AppState)) as state:
                await wipe(state)
        except Exception:  # one tab's store failing never stops the others
            log.exception("could not wipe the state of a tab of an ended session")
    await call(tabs.forget, tokens)


async def sweep(app: rx.App) -> None:
    """A lifespan task: every little while, wipe the tabs of sessions that ended without
    anyone signing out (expired, idle)."""
    while True:
        await asyncio.sleep(SWEEP_EVERY_S)
        try:
            ended = await call(ended_with_tabs)
            if ended:
                await forget_sessions(app, ended)
        except Exception:
            log.exception("the sweep of ended sessions' tabs failed")


def install(app: rx.App) -> None:
    """Wire the tab rules into the app: the middleware, the sweep, and the wipe of the
    tabs of every session that ends (run on the app's event loop, whichever thread
    ended the session)."""
    app.add_middleware(TabGuard())
    use_tab_rules(allowed=bind, refused=wipe)

    async def sweep_task():
        loop = asyncio.get_running_loop()

        def ended(session_ids: list[int]) -> None:
            coro = forget_sessions(app, session_ids)
            try:
                running = asyncio.get_running_loop()
            except RuntimeError:
                running = None
            if running is loop:
                loop.create_task(coro)
            else:
                asyncio.run_coroutine_threadsafe(coro, loop)

        tabs.on_sessions_ended(ended)
        with contextlib.suppress(asyncio.CancelledError):
            await sweep(app)

    app.register_lifespan_task(sweep_task)
