"""Reflex configuration: built from pool_portal.settings in pool_portal/app_config.py
(shared with the `rxconfig.py` that `portal serve` writes for an installed package)."""

from pool_portal.app_config import config

__all__ = ["config"]
