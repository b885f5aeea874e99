"""Talk to the app the way a browser's websocket does, without the UI: sign in over
HTTP to get the session cookie, then send any event to any handler."""

from __future__ import annotations

import queue
import uuid
from urllib.parse import parse_qsl

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


NAMESPACE = "/_event"
_DISCONNECTED = {"disconnected": True}  # put on the queue when the socket drops
ROOT = "reflex___state____state"


class EventClient:
    """One websocket connection (one browser tab) with an optional session cookie."""

    def __init__(
        self, base: str, session_cookie: str | None = None, token: str | None = None, origin: str | None = None
    ):
        """``token`` is the tab's client token (its state's key): pass the token of an
        earlier connection to come back as the same tab, e.g. through another worker.
        ``origin``: the handshake's Origin header, as a browser page sends it; by default
        the websocket library's (the base URL's own origin), ``""`` for none at all."""
        self.token = token or str(uuid.uuid4())
        self.updates: queue.Queue = queue.Queue()
        self.raw: list[str] = []
        options = {"origin": origin} if origin else {"suppress_origin": True} if origin == "" else {}
        self.sio = socketio.Client(reconnection=False, websocket_extra_options=options)
        # python-engineio hands each message to a new thread, so a big update can reach
        # the queue after a small one sent later (a sentinel's echo before the delta it
        # follows). Handle messages in the reading thread, in the order they came.
        eio_trigger = self.sio.eio._trigger_event

        def in_order(event, *args, **kwargs):
            if event == "message":
                kwargs["run_async"] = False
            return eio_trigger(event, *args, **kwargs)

        self.sio.eio._trigger_event = in_order
        self.sio.on("event", self._received, namespace=NAMESPACE)
        self.sio.on("disconnect", self._disconnected, namespace=NAMESPACE)
        headers = {"Cookie": f"pp_session={session_cookie}"} if session_cookie else {}
        self.sio.connect(
            f"{base}?token={self.token}",
            socketio_path="_event",
            transports=["websocket"],
            namespaces=[NAMESPACE],
            headers=headers,
            wait_timeout=30,
        )

    def _emit(self, handler: str, payload: dict, path: str) -> None:
        """``path`` may carry a query (``/portal/quotes?status=awaiting``), as a page's URL does."""
        pathname, _, query = path.partition("?")
        router_data = {"pathname": pathname, "asPath": path}
        if query:
            router_data["query"] = dict(parse_qsl(query))
        self.sio.emit("event", {"name": handler, "payload": payload, "router_data": router_data}, namespace=NAMESPACE)

    def call(self, handler: str, payload: dict | None = None, path: str = "/", timeout: float = 30) -> dict:
        """Send one event; return {"delta": merged delta, "events": [...]} of everything
        it produced. Updates carry no end marker, so a sentinel event follows (a
        client's events are processed in order): Reflex's own set_is_hydrated,
        flipping the root state's is_hydrated; its echo means the call is complete."""
        self._emit(handler, payload or {}, path)
        self._hydrated = not getattr(self, "_hydrated", False)
        self._emit(f"{ROOT}.set_is_hydrated", {"value": self._hydrated}, path)
        delta: dict = {}
        events: list = []
        while True:
            update = self.updates.get(timeout=timeout)
            if update is _DISCONNECTED:
                raise ConnectionError("the server closed the websocket before the call completed")
            root = (update.get("delta") or {}).get(ROOT, {})
            for state, vals in (update.get("delta") or {}).items():
                delta.setdefault(state, {}).update(vals)
            events.extend(update.get("events") or [])
            if root.get("is_hydrated_rx_state_") is self._hydrated:
                return {"delta": delta, "events": events}

    def settle(self, path: str = "/", timeout: float = 30) -> dict:
        """What events chained by the last call (a handler returning another handler,
        run by the server after it) produced: one more sentinel round trip."""
        return self.call(f"{ROOT}.set_is_hydrated", {"value": getattr(self, "_hydrated", False)}, path, timeout)

    def collect(self, until, timeout: float = 30) -> dict:
        """Updates arriving later (a background task's), merged, until ``until(result)``
        holds; the result so far when the deadline passes."""
        import time

        delta: dict = {}
        events: list = []
        deadline = time.monotonic() + timeout
        while not until({"delta": delta, "events": events}):
            left = deadline - time.monotonic()
            if left <= 0:
                break
            try:
                update = self.updates.get(timeout=left)
            except queue.Empty:
                break
            for state, vals in (update.get("delta") or {}).items():
                delta.setdefault(state, {}).update(vals)
            events.extend(update.get("events") or [])
        return {"delta": delta, "events": events}

    def _received(self, update) -> None:
        import json

        self.raw.append(json.dumps(update, default=str))
        self.updates.put(update)

    def _disconnected(self, *_reason) -> None:
        self.updates.put(_DISCONNECTED)

    def close(self) -> None:
        self.sio.disconnect()


def redirects(result: dict) -> list[str]:
    return [str((e.get("payload") or {}).get("path", "")) for e in result["events"] if e.get("name") == "_redirect"]


def handler_name(state_cls, name: str) -> str:
    """The event name of a state's handler, as a page sends it."""
    return f"{state_cls.get_full_name()}.{name}"


def state_vars(result: dict, state_cls) -> dict:
    """The state's vars in a call's delta, without Reflex's name suffix."""
    raw = result["delta"].get(state_cls.get_full_name(), {})
    return {k.removesuffix("_rx_state_"): v for k, v in raw.items()}
