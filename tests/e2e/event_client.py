"""Talk to the app the way a browser's websocket does, without the UI: sign in over
HTTP to get the session cookie, then send any event to any handler."""

from __future__ import annotations

import queue
import uuid

import requests
import socketio


def sign_in(base: str, email: str, password: str, kind: str = "portal") -> str:
    """The session cookie value after a password sign-in."""
    r = requests.post(
        f"{base}/auth/login",
        data={"kind": kind, "email": email, "password": password},
        allow_redirects=False,
        timeout=30,
    )
    assert r.status_code == 303, r.text
    token = r.cookies.get("pp_session")
    assert token, f"sign-in of {email} failed: {r.headers.get('location')}"
    return token


class EventClient:
    """One websocket connection (one browser tab) with an optional session cookie."""

    def __init__(self, base: str, session_cookie: str | None = None):
        self.updates: queue.Queue = queue.Queue()
        self.sio = socketio.Client(reconnection=False)
        self.sio.on("event", self.updates.put)
        headers = {"Cookie": f"pp_session={session_cookie}"} if session_cookie else {}
        self.sio.connect(
            f"{base}?token={uuid.uuid4()}",
            socketio_path="_event",
            transports=["websocket"],
            headers=headers,
            wait_timeout=30,
        )

    def call(self, handler: str, payload: dict | None = None, path: str = "/", timeout: float = 30) -> dict:
        """Send one event; return {"delta": merged delta, "events": [...]} once final."""
        self.sio.emit(
            "event",
            {"name": handler, "payload": payload or {}, "router_data": {"pathname": path, "asPath": path}},
        )
        delta: dict = {}
        events: list = []
        while True:
            update = self.updates.get(timeout=timeout)
            for state, values in (update.get("delta") or {}).items():
                delta.setdefault(state, {}).update(values)
            events.extend(update.get("events") or [])
            if update.get("final", True):
                return {"delta": delta, "events": events}

    def close(self) -> None:
        self.sio.disconnect()


def redirects(result: dict) -> list[str]:
    return [
        str((e.get("payload") or {}).get("path", ""))
        for e in result["events"]
        if e.get("name") == "_redirect"
    ]
