"""The installed package's version (``portal --version``, ``/_health``)."""

from __future__ import annotations

from functools import lru_cache
from importlib import metadata


@lru_cache(maxsize=1)
def package_version() -> str:
    try:
        return metadata.version("pool_portal")
    except metadata.PackageNotFoundError:  # a checkout on PYTHONPATH, never installed
        return "0+unknown"
