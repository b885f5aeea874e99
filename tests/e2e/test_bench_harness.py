"""The benchmark harness cannot rot: bench/ws_load.py's client, with four sessions (one per overlay kind)
against the test app, signs in, loads each dashboard and opens each overlay, and every
session gets its own data (the benchmark itself runs in `make bench`, not here)."""

from __future__ import annotations

import asyncio
from concurrent.futures import ThreadPoolExecutor

from sqlmodel import Session, select

import pool_portal.models as m
from bench.ws_load import OVERLAYS, run
from pool_portal.services.core.scope import Viewer, portal_client_ids
from pool_portal.services.portal import visibility

EMAIL = "group@aquademo.example.com"


def test_ws_load_client_three_sessions(app_server):
    # A thread of its own: the browser tests' Playwright keeps an event loop in this one.
    with ThreadPoolExecutor(1) as pool:
        result = pool.submit(asyncio.run, run(app_server, 4, EMAIL, "demo-portal-2026", ramp_s=0, think_s=0)).result()

    assert result["errors"] == []
    figures = result["figures"]
    assert figures["ws_sessions"] == 4 and figures["ws_errors"] == 0
    with Session(app_server.engine()) as s:
        user = s.exec(select(m.PortalUser).where(m.PortalUser.email == EMAIL)).one()
        viewer = Viewer(
            kind="portal",
            tenant_id=user.tenant_id,
            user_id=user.id,
            session_id=0,
            name=user.name,
            email=user.email,
            client_ids=frozenset(portal_client_ids(s, user.tenant_id, user.id)),
        )
        sites = len(visibility.view_sites(s, viewer))
    for session in result["sessions"]:
        # Its dashboard listed the view's properties; its overlay (one kind per session) opened.
        assert session.seen["properties"] == sites
        assert session.seen["overlay"] == OVERLAYS[session.index % len(OVERLAYS)]
        assert len(session.timings["dashboard"]) == len(session.timings["overlay"]) == 1
        assert len(session.timings["noop"]) == 2
    assert figures["ws_p95_ms"] > 0 and figures["ws_noop_p95_ms"] > 0
