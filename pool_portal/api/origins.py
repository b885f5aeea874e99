"""The origin gate: which other web pages may talk to the portal with the user's cookie.

None but the portal's own (``Settings.allowed_origins``: the public URL's origin, the
split-off backend's, ``PORTAL_EXTRA_ORIGINS``). The same list is Reflex's
``cors_allowed_origins`` (rxconfig.py), which drives Starlette's CORS middleware and
python-socketio's origin check; this gate is the layer around everything Reflex
builds (``PortalApp`` in pool_portal.py), so that it holds whatever Reflex adds inside:

- **The websocket** (``/_event``, every event handler): a handshake whose ``Origin``
  is not ours is refused (403) before Socket.IO sees it. A handshake without one passes:
  browsers always send one, so only a non-browser client lacks it (the tests,
  bench/ws_load.py), and a program can write any ``Origin`` it likes anyway: the check
  protects a user's browser from other sites' pages, not the server from programs
  (the guard does that, from the session).
- **HTTP answers**: Reflex adds Starlette's CORS middleware with
  ``allow_credentials=True``, which answers ``Access-Control-Allow-Credentials: true``
  to every request that carries an ``Origin``, ours or not. The gate removes every
  ``Access-Control-*`` header from answers to a foreign origin, and from every answer
  of the integration API (it authenticates by key, never by cookie; no page needs to
  read it across origins).
"""

from __future__ import annotations

from collections.abc import Iterable

from starlette.datastructures import Headers
from starlette.types import ASGIApp, Message, Receive, Scope, Send

_CORS_PREFIX = b"access-control-"


def _without_cors(message: Message) -> Message:
    headers = [(k, v) for k, v in message.get("headers", []) if not k.lower().startswith(_CORS_PREFIX)]
    return {**message, "headers": headers}


def origin_gate(app: ASGIApp, allowed: Iterable[str], no_cors_prefix: str) -> ASGIApp:
    """``app`` behind the gate: only ``allowed`` origins (exact ``scheme://host[:port]``
    strings, as browsers send them) get the websocket and CORS answers; nothing under
    ``no_cors_prefix`` ever answers with CORS headers."""
    allowed = frozenset(allowed)
    no_cors = no_cors_prefix.rstrip("/")

    async def gate(scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await app(scope, receive, send)
            return
        origin = Headers(scope=scope).get("origin")
        foreign = origin is not None and origin not in allowed
        if scope["type"] == "websocket":
            if foreign:
                await receive()  # websocket.connect
                # Closing before accepting: the server answers the handshake with 403.
                await send({"type": "websocket.close", "code": 1008})
                return
            await app(scope, receive, send)
            return
        path = scope.get("path", "")
        if not foreign and path != no_cors and not path.startswith(no_cors + "/"):
            await app(scope, receive, send)
            return

        async def send_without_cors(message: Message) -> None:
            await send(_without_cors(message) if message["type"] == "http.response.start" else message)

        await app(scope, receive, send_without_cors)

    return gate
