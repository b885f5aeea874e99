"""Reflex's configuration, built from the settings object: the project's ``rxconfig.py``
and the ``rxconfig.py`` that `portal serve` writes for an installed package both take
``config`` from here.

The frontend reaches its backend on its own origin: ``SameOriginPlugin`` makes the
compiled ``getBackendURL`` take the scheme, host and port of the page it runs in, so one
build (the packaged one, or `make run`'s) works on whatever port, host or public URL it
is served from. Only ``make dev`` (the backend on another port: ``PORTAL_BACKEND_URL``)
builds the absolute ``api_url`` in.
"""

from __future__ import annotations

import os

import reflex as rx
from reflex_base.plugins.base import Plugin

from pool_portal.settings import Settings, SettingsError, get_settings

# The line of Reflex's utils/state.js (0.10) after which the patch goes.
STATE_JS = "utils/state.js"
ANCHOR = "  const endpoint = new URL(url_str);\n"
PATCH = """  if (typeof window !== "undefined" && env.PORTAL_SAME_ORIGIN) {
    // Pool Portal: the backend is on the page's own origin, whatever it is.
    const socket = endpoint.protocol === "ws:" || endpoint.protocol === "wss:";
    const secure = window.location.protocol === "https:";
    endpoint.protocol = socket ? (secure ? "wss:" : "ws:") : window.location.protocol;
    endpoint.host = window.location.host;
    return endpoint;
  }
"""


def same_origin_state_js(source: str) -> str:
    """Reflex's state.js with ``getBackendURL`` answering the page's own origin when
    env.json says ``PORTAL_SAME_ORIGIN``. Fails loudly if Reflex's file changed shape."""
    if "env.PORTAL_SAME_ORIGIN" in source:
        return source
    if source.count(ANCHOR) != 1:
        raise RuntimeError(f"{STATE_JS}: the line {ANCHOR.strip()!r} is not there once: Reflex changed getBackendURL")
    return source.replace(ANCHOR, ANCHOR + PATCH, 1)


class SameOriginPlugin(Plugin):
    """Builds a frontend that talks to the backend on the origin it was loaded from."""

    def __init__(self, enabled: bool = True):
        self.enabled = enabled

    def pre_compile(self, **context) -> None:
        context["add_modify_task"](STATE_JS, same_origin_state_js)

    def update_env_json(self, **context) -> dict[str, object]:
        return {"PORTAL_SAME_ORIGIN": self.enabled}

    def __repr__(self) -> str:
        return f"SameOriginPlugin(enabled={self.enabled})"


def make_config(settings: Settings) -> rx.Config:
    # `reflex run --backend-only` (REFLEX_BACKEND_ONLY=true) refuses any frontend port.
    backend_only = os.environ.get("REFLEX_BACKEND_ONLY", "").strip().lower() in ("1", "true", "yes")
    return rx.Config(
        app_name="pool_portal",
        db_url=settings.db_url,
        redis_url=settings.redis_url,
        telemetry_enabled=False,
        show_built_with_reflex=False,
        # One port: pages and backend together (`make run`'s --single-port, `portal serve`).
        frontend_port=None if backend_only else settings.port,
        api_url=settings.backend_url or settings.public_url,
        deploy_url=settings.public_url,
        # Reflex's CORS middleware and the websocket's (python-socketio) origin check: only
        # the portal's own origins, never Reflex's default "*" (any site could then read
        # with the user's cookie and drive the websocket). docs/security.md, "Origins".
        cors_allowed_origins=list(settings.allowed_origins),
        plugins=[
            rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="cyan", radius="medium")),
            SameOriginPlugin(enabled=settings.backend_url is None),
        ],
        disable_plugins=[rx.plugins.SitemapPlugin],
    )


def checked(config: rx.Config, settings: Settings) -> rx.Config:
    if tuple(config.cors_allowed_origins) != settings.allowed_origins:
        # REFLEX_CORS_ALLOWED_ORIGINS overrides the origins above: refuse it, it would reopen the door.
        raise SettingsError("REFLEX_CORS_ALLOWED_ORIGINS: not used by Pool Portal; set PORTAL_EXTRA_ORIGINS instead")
    return config


config = checked(make_config(get_settings()), get_settings())
