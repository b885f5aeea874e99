"""What the portal's and the staff's incident states share: the live watcher of an
open incident page, the pager's links and reading uploaded photos.

Live updates: an open thread (portal or admin) and the admin bell run a background
task that asks the database every few seconds whether anything changed (a short
version string) and reloads when it did. The database is what every backend worker
shares, so a reply written through one worker reaches a page served by another.
Each round re-checks the caller from the server-side session (guard.recheck), so a
signed-out, disabled or demoted user stops getting data. The task ends then, when the
browser disconnects or leaves the page, or after a few hours.
"""

from __future__ import annotations

import asyncio
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

import reflex as rx
from reflex.utils.prerequisites import get_app

from pool_portal.services.core.params import parse_id
from pool_portal.services.core.scope import Viewer
from pool_portal.services.incidents.common import MAX_PHOTO_BYTES, MAX_PHOTOS
from pool_portal.states.guard import recheck

WATCH_INTERVAL_S = 2.0  # how often an open page asks the database for changes
WATCH_MAX_S = 4 * 3600


def connected(token: str) -> bool:
    """Whether the browser tab with ``token`` is still connected to this worker."""
    namespace = get_app().app.event_namespace
    return namespace is None or token in namespace.token_to_sid


def page_links(path: str, filters: dict[str, str], page: int, pages: int) -> tuple[str, str]:
    """The previous and next page's URLs ("" at either end), keeping the filters."""

    def href(number: int) -> str:
        query = {k: v for k, v in filters.items() if v} | ({"page": str(number)} if number > 1 else {})
        return path + ("?" + urlencode(query) if query else "")

    return (href(page - 1) if page > 1 else "", href(page + 1) if page < pages else "")


def int_param(raw) -> int | None:
    return parse_id(str(raw or ""))


async def read_photos(files) -> list[tuple[str, bytes]]:
    """(name, bytes) of the uploaded files, reading at most one byte past the size
    limit of each (the service refuses anything larger, by size and by content)."""
    out = []
    for f in (files or [])[: MAX_PHOTOS + 1]:
        data = await asyncio.to_thread(f.file.read, MAX_PHOTO_BYTES + 1)
        out.append((f.name or "photo", data))
    return out


def on_page(state, route: str, incident_id: int | None = None) -> bool:
    """Whether the tab is still on ``route`` (showing ``incident_id``): the router data
    is that of the tab's latest event, and every navigation sends one (the new page's
    on_load), so a tab that moved on shows another route here."""
    router = state.router
    if not (router.route_id == route or router.route_id.startswith(route + "/")):
        return False
    return incident_id is None or int_param(router.url.query_parameters.get("id")) == incident_id


async def watch(
    state,
    version: Callable[[Viewer], Awaitable[str | None]],
    read: Callable[[Viewer], Awaitable[object]],
    route: str,
    incident_id: int,
):
    """The live refresh of an open incident page (``state`` has ``_watch_gen``,
    ``_stamp``, ``_apply`` and ``_on_refused``): every few seconds check the caller
    again from the server-side session (guard.recheck) and ask ``version(viewer)``;
    when it differs from the page's stamp, ``read(viewer)`` and apply. Ends when the
    tab disconnects, leaves the page, the page is loaded again (a newer watcher takes
    over) or after WATCH_MAX_S; when the caller is no longer allowed (signed out,
    disabled, demoted) it clears the page and sends the tab to sign in, as the guard
    does for any refused call."""
    async with state:
        gen, token = state._watch_gen, state.router.session.client_token
    deadline = time.monotonic() + WATCH_MAX_S
    while time.monotonic() < deadline:
        await asyncio.sleep(WATCH_INTERVAL_S)
        if not connected(token):
            return None
        v = await recheck(state)
        async with state:
            if state._watch_gen != gen or not on_page(state, route, incident_id):
                return None
            if v is None:
                state._on_refused()
                return rx.redirect("/admin/login" if route.startswith("/admin") else "/portal/login")
            stamp = state._stamp
        if await version(v) == stamp:
            continue
        data = await read(v)
        async with state:
            if state._watch_gen != gen:
                return None
            state._apply(data)
    return None
