"""Reflex configuration. Values come from pool_portal.settings (one typed object)."""

import os

import reflex as rx

from pool_portal.settings import get_settings

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
    plugins=[rx.plugins.RadixThemesPlugin(theme=rx.theme(accent_color="cyan", radius="medium"))],
    disable_plugins=[rx.plugins.SitemapPlugin],
)
