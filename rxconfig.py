"""Reflex configuration. Values come from pool_portal.settings (one typed object)."""

import os

import reflex as rx

from pool_portal.settings import SettingsError, get_settings

_settings = get_settings()
# `reflex run --backend-only` (REFLEX_BACKEND_ONLY=true) refuses any frontend port.
_backend_only = os.environ.get("REFLEX_BACKEND_ONLY", "").strip().lower() in ("1", "true", "yes")

config = rx.Config(
    app_name="pool_portal",
    db_url=_settings.db_url,
    redis_url=_settings.redis_url,
    telemetry_enabled=False,
    show_built_with_reflex=False,
    # One port: `make run` serves pages and backend together (--single-port).
    frontend_port=None if _backend_only else _settings.port,
    api_url=_settings.backend_url or _settings.public_url,
    deploy_url=_settings.public_url,
    # Reflex's CORS middleware and the websocket's (python-socketio) origin check: only
    # the portal's own origins, never Reflex's default "*" (any site could then read
    # with the user's cookie and drive the websocket). docs/security.md, "Origins".
    cors_allowed_origins=list(_settings.allowed_origins),
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="cyan", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)

if tuple(config.cors_allowed_origins) != _settings.allowed_origins:
    # REFLEX_CORS_ALLOWED_ORIGINS overrides the line above: refuse it, it would reopen the door.
    raise SettingsError("REFLEX_CORS_ALLOWED_ORIGINS: not used by Pool Portal; set PORTAL_EXTRA_ORIGINS instead")
