"""Websocket load: N concurrent portal sessions against ONE backend worker.

Each simulated session does what a browser tab does, over a real websocket speaking
Reflex's event protocol (socket.io on /_event, `event` messages with name, payload and
router_data):

  1. signs in over HTTP (POST /auth/login with the password; the session cookie),
  2. opens the websocket with that cookie (all N stay connected until the end),
  3. loads the dashboard (PortalHomeState.load_home on /portal),
  4. opens an overlay (load_home on /portal?show=..., as a click on a number does),
  5. sends a no-op event (Reflex's own set_is_hydrated): the framework's floor.

A call is complete when the echo of a sentinel event sent right after it arrives (a
tab's events are processed in order). Each session checks it really got its data (the
properties of its dashboard, the overlay's rows); a session that does not, or whose
call fails or times out, counts in ws_errors.

Load model: every session signs in and connects first (all at once, and all stay
connected); then their journeys start spread evenly over --ramp seconds (60), with
--think seconds (5) between a session's steps, as people reading a page do. Both are
in the results next to the figures. The sessions are 200 different customers: the
large demo's 200 MegaPools clients, each signed in as its own contact
(contact001@megapools.example.com ..., 5 properties each, every dashboard its own
data). The worst case runs after it, for the ws_group_* figures: all 200 sessions as
the group contact, each building the 1,000-property dashboard of the whole group.

Figures merged into bench/results.json:
  ws_sessions          sessions that completed every step without error
  ws_p95_ms            p95 round trip of the dashboard and overlay events
  ws_errors            sessions that failed
  ws_noop_p95_ms       p95 round trip of the no-op event in the same run
  rss_mb_per_session   (RSS of the app's process tree with every session connected and
                       its dashboard loaded - RSS after the sign-ins, before any
                       websocket) / N. The sign-ins' argon2 hashing (19 MiB a hash, a few
                       at once) leaves the allocator holding memory that does not grow
                       with N, so "before" is taken after them.
  ws_group_*           the same, every session signed in as the 200-client group contact

Usage: python bench/ws_load.py [--sessions 200] [--ramp 60] [--think 5] [--base URL --pgid PID]
Without --base it loads the large demo into a temporary directory and starts
`reflex run --env prod --backend-only` with GRANIAN_WORKERS=1 itself.
"""

from __future__ import annotations

import argparse
import asyncio
import statistics
import sys
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

import aiohttp
import socketio

from bench.common import (
    CONTACT_USERS,
    DEMO_PASSWORD,
    GROUP_USER,
    large_demo,
    process_group_rss_mb,
    publish,
    start_app,
    workdir,
)

NAMESPACE = "/_event"
ROOT_STATE = "reflex___state____state"
HYDRATED = "is_hydrated_rx_state_"
HOME_STATE = (
    f"{ROOT_STATE}.pool_portal___states___shell____app_state"
    ".pool_portal___states___portal___page____portal_state.pool_portal___states___portal___home____portal_home_state"
)
LOAD_HOME = f"{HOME_STATE}.load_home"
OVERLAYS = ("overdue_invoices", "open_defects", "open_quotes", "property")  # one per session, in turn
TIMEOUT_S = 120.0
RAMP_S = 60.0  # the journeys start spread over this long
THINK_S = 5.0  # between a session's steps


def p95(values: list[float]) -> float:
    if not values:
        return float("nan")
    values = sorted(values)
    return values[min(len(values) - 1, round(0.95 * (len(values) - 1)))]


class SessionError(Exception):
    pass


@dataclass
class Session:
    """One browser tab of a signed-in portal user."""

    base: str
    index: int
    token: str = field(default_factory=lambda: str(uuid.uuid4()))
    cookie: str = ""
    sio: socketio.AsyncClient | None = None
    updates: asyncio.Queue = field(default_factory=asyncio.Queue)
    hydrated: bool = False
    timings: dict[str, list[float]] = field(default_factory=dict)
    seen: dict[str, object] = field(default_factory=dict)  # what it got: properties, overlay and its rows

    async def sign_in(self, http: aiohttp.ClientSession, email: str, password: str) -> None:
        started = time.perf_counter()
        async with http.post(
            f"{self.base}/auth/login",
            data={"kind": "portal", "email": email, "password": password},
            allow_redirects=False,
        ) as r:
            await r.read()
            morsel = r.cookies.get("pp_session")
            if r.status != 303 or morsel is None or not morsel.value:
                raise SessionError(f"sign-in refused: {r.status} {r.headers.get('location')}")
            self.cookie = morsel.value
        self._time("signin", started)

    async def connect(self) -> None:
        started = time.perf_counter()
        self.sio = socketio.AsyncClient(reconnection=False)
        self.sio.on("event", self._received, namespace=NAMESPACE)
        self.sio.on("disconnect", self._disconnected, namespace=NAMESPACE)
        await self.sio.connect(
            f"{self.base}?token={self.token}",
            socketio_path="_event",
            transports=["websocket"],
            namespaces=[NAMESPACE],
            headers={"Cookie": f"pp_session={self.cookie}"},
            wait_timeout=TIMEOUT_S,
        )
        self._time("connect", started)

    async def _received(self, update) -> None:
        self.updates.put_nowait(update)

    async def _disconnected(self, *_reason) -> None:
        self.updates.put_nowait(None)

    def _time(self, kind: str, started: float) -> None:
        self.timings.setdefault(kind, []).append((time.perf_counter() - started) * 1000)

    async def _emit(self, name: str, payload: dict, path: str) -> None:
        pathname, _, query = path.partition("?")
        router_data: dict = {"pathname": pathname, "asPath": path}
        if query:
            from urllib.parse import parse_qsl

            router_data["query"] = dict(parse_qsl(query))
        await self.sio.emit(
            "event", {"name": name, "payload": payload, "router_data": router_data}, namespace=NAMESPACE
        )

    async def _until_hydrated_echo(self) -> dict:
        """Merge updates until the sentinel's echo: everything the call produced."""
        delta: dict = {}
        while True:
            update = await asyncio.wait_for(self.updates.get(), TIMEOUT_S)
            if update is None:
                raise SessionError("the server closed the websocket")
            for state, values in (update.get("delta") or {}).items():
                delta.setdefault(state, {}).update(values)
            if (update.get("delta") or {}).get(ROOT_STATE, {}).get(HYDRATED) is self.hydrated:
                return delta

    async def call(self, kind: str, name: str, payload: dict, path: str) -> dict:
        """Send one event, then the sentinel; the merged delta, timed as ``kind``."""
        started = time.perf_counter()
        await self._emit(name, payload, path)
        self.hydrated = not self.hydrated
        await self._emit(f"{ROOT_STATE}.set_is_hydrated", {"value": self.hydrated}, path)
        try:
            delta = await self._until_hydrated_echo()
        finally:  # a call that timed out counts too, at the time it was given up
            self._time(kind, started)
        return delta

    async def noop(self, path: str = "/portal") -> None:
        started = time.perf_counter()
        self.hydrated = not self.hydrated
        await self._emit(f"{ROOT_STATE}.set_is_hydrated", {"value": self.hydrated}, path)
        try:
            await self._until_hydrated_echo()
        finally:
            self._time("noop", started)

    async def journey(self, think_s: float) -> None:
        await self.noop()
        home = (await self.call("dashboard", LOAD_HOME, {}, "/portal")).get(HOME_STATE, {})
        properties = home.get("properties_rx_state_") or []
        if not home.get("loaded_rx_state_") or not properties:
            raise SessionError(f"no dashboard data (got {sorted(home)[:6]})")
        self.seen["properties"] = len(properties)
        await asyncio.sleep(think_s)
        kind = OVERLAYS[self.index % len(OVERLAYS)]
        path = f"/portal?show=property&site={properties[0]['id']}" if kind == "property" else f"/portal?show={kind}"
        overlay = (await self.call("overlay", LOAD_HOME, {}, path)).get(HOME_STATE, {})
        if overlay.get("overlay_rx_state_") != kind:
            raise SessionError(f"overlay {kind} not opened (overlay={overlay.get('overlay_rx_state_')!r})")
        if kind == "property" and overlay.get("detail_name_rx_state_") != properties[0]["name"]:
            raise SessionError("property overlay without the property")
        if kind != "property" and not overlay.get("overlay_rows_rx_state_"):
            raise SessionError(f"overlay {kind} has no rows")
        self.seen.update(overlay=kind, overlay_rows=len(overlay.get("overlay_rows_rx_state_") or []))
        await asyncio.sleep(think_s)
        await self.noop(path)

    async def close(self) -> None:
        if self.sio is not None and self.sio.connected:
            await self.sio.disconnect()


async def run(
    base: str, n: int, email: str, password: str, ramp_s: float, think_s: float, rss=lambda: float("nan")
) -> dict:
    """Run the load; return the figures (and the details behind them). ``email`` may
    hold ``{}``: session i then signs in as ``email.format(i + 1)`` (N different users)."""
    sessions = [Session(base, i) for i in range(n)]
    errors: list[str] = []
    failed: set[int] = set()

    def fail(s: Session, exc: BaseException) -> None:
        failed.add(s.index)
        errors.append(f"session {s.index}: {type(exc).__name__}: {exc}")

    async def guarded(s: Session, coro):
        try:
            await coro
        except Exception as exc:  # noqa: BLE001 - any failure of a session is counted and shown
            fail(s, exc)

    connector = aiohttp.TCPConnector(limit=0)
    async with aiohttp.ClientSession(connector=connector, timeout=aiohttp.ClientTimeout(total=TIMEOUT_S)) as http:
        started = time.perf_counter()
        await asyncio.gather(*(guarded(s, s.sign_in(http, email.format(s.index + 1), password)) for s in sessions))
        signin_s = time.perf_counter() - started
    # Memory before: after the sign-ins, whose argon2 hashing (19 MiB a hash, a few at
    # once in the worker's threads) leaves the allocator holding memory that does not
    # grow with the number of sessions.
    rss_before = rss()
    live = [s for s in sessions if s.index not in failed]
    started = time.perf_counter()
    await asyncio.gather(*(guarded(s, s.connect()) for s in live))
    connect_s = time.perf_counter() - started
    rss_connected = rss()

    async def delayed_journey(s: Session) -> None:
        await asyncio.sleep(ramp_s * s.index / max(1, n))
        await s.journey(think_s)

    live = [s for s in sessions if s.index not in failed]
    started = time.perf_counter()
    await asyncio.gather(*(guarded(s, delayed_journey(s)) for s in live))
    journeys_s = time.perf_counter() - started
    rss_loaded = rss()  # every session still connected, its dashboard in the server's state
    await asyncio.gather(*(s.close() for s in sessions), return_exceptions=True)

    def all_of(kind: str) -> list[float]:
        """Every round trip of that kind, those of failed sessions too (a call given up
        after TIMEOUT_S counts at that time): the p95 of those who got an answer alone
        would flatter an overloaded server."""
        return [t for s in sessions for t in s.timings.get(kind, [])]

    events = all_of("dashboard") + all_of("overlay")
    figures = {
        "ws_sessions": n - len(failed),
        "ws_p95_ms": round(p95(events), 1),
        "ws_errors": len(failed),
        "ws_noop_p95_ms": round(p95(all_of("noop")), 1),
        "rss_mb_per_session": round((rss_loaded - rss_before) / n, 2),
    }
    details = {
        "ws_p50_ms": round(statistics.median(events), 1) if events else None,
        "ws_dashboard_p95_ms": round(p95(all_of("dashboard")), 1),
        "ws_overlay_p95_ms": round(p95(all_of("overlay")), 1),
        "ws_noop_p50_ms": round(statistics.median(all_of("noop")), 1) if all_of("noop") else None,
        "ws_signin_p95_ms": round(p95([t for s in sessions for t in s.timings.get("signin", [])]), 1),
        "ws_connect_p95_ms": round(p95([t for s in sessions for t in s.timings.get("connect", [])]), 1),
        "ws_signin_all_s": round(signin_s, 1),
        "ws_connect_all_s": round(connect_s, 1),
        "ws_journeys_s": round(journeys_s, 1),
        "ws_ramp_s": ramp_s,
        "ws_think_s": think_s,
        "ws_user": email,
        "ws_rss_before_mb": round(rss_before, 1),
        "ws_rss_connected_mb": round(rss_connected, 1),
        "ws_rss_loaded_mb": round(rss_loaded, 1),
    }
    return {"figures": figures, "details": details, "errors": errors, "sessions": sessions}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=200)
    parser.add_argument("--ramp", type=float, default=RAMP_S, help="seconds over which the journeys start")
    parser.add_argument("--think", type=float, default=THINK_S, help="seconds between a session's steps")
    parser.add_argument(
        "--email",
        default=CONTACT_USERS,
        help="who the sessions sign in as (the ws_* figures); {} is the session's number",
    )
    parser.add_argument(
        "--group-email", default=GROUP_USER, help="then the same load as this user (ws_group_* figures); '' to skip"
    )
    parser.add_argument("--base", help="an app already running (then --pgid for its memory)")
    parser.add_argument("--pgid", type=int, help="process group of the app at --base")
    parser.add_argument("--db", help="database for the app this script starts (default: a fresh large demo)")
    parser.add_argument("--no-save", action="store_true", help="print only; leave bench/results.json alone")
    args = parser.parse_args()

    app = None
    if args.base:
        base, pgid = args.base.rstrip("/"), args.pgid
    else:
        tmp = workdir("ws")
        db_url = args.db or large_demo(tmp)
        app = start_app(tmp, db_url, backend_only=True)
        base, pgid = app.base, app.proc.pid
        print(f"app (one worker, backend only) at {base}, log {tmp / 'app.log'}", flush=True)
    rss = (lambda: process_group_rss_mb(pgid)) if pgid else (lambda: float("nan"))
    figures: dict = {}
    try:
        # The customers first, the worst case after: a server still working off an
        # overloaded run's queue (events of sessions that gave up are still processed)
        # would slow whatever ran after it.
        print(
            f"{args.sessions} sessions as {args.email.replace('{:03d}', 'NNN')}, journeys starting over {args.ramp:g} s, "
            f"{args.think:g} s between steps",
            flush=True,
        )
        result = asyncio.run(run(base, args.sessions, args.email, DEMO_PASSWORD, args.ramp, args.think, rss))
        for line in result["errors"][:10]:
            print("  ", line)
        figures = {**result["figures"], **result["details"]}
        if args.group_email:
            print(f"{args.sessions} sessions as {args.group_email}", flush=True)
            result = asyncio.run(run(base, args.sessions, args.group_email, DEMO_PASSWORD, args.ramp, args.think))
            for line in result["errors"][:10]:
                print("  ", line)
            group = {**result["figures"], **result["details"]}
            figures.update(
                {
                    f"ws_group_{k.removeprefix('ws_')}": group[k]
                    for k in (
                        "ws_sessions",
                        "ws_p95_ms",
                        "ws_errors",
                        "ws_noop_p95_ms",
                        "ws_p50_ms",
                        "ws_dashboard_p95_ms",
                        "ws_overlay_p95_ms",
                        "ws_signin_p95_ms",
                    )
                }
            )
    finally:
        if app is not None:
            app.stop()
    publish(figures, save=not args.no_save)


if __name__ == "__main__":
    main()
