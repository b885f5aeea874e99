"""Where the files the app reads at run time are: in a checkout (`make run`, the
tests) at the project root, in an installed package (the wheel, the zipapp) inside
``pool_portal/`` where setup.py's build_py copied them.

| what | checkout | installed |
|---|---|---|
| migrations (alembic) | ``alembic/``, ``alembic.ini`` | ``pool_portal/_alembic/`` |
| map outlines | ``assets/topojson/`` | ``pool_portal/_assets/topojson/`` |
| the built frontend | (``make run`` builds it into ``.web``) | ``pool_portal/_web/build/client/`` |
"""

from __future__ import annotations

from pathlib import Path

PACKAGE_DIR = Path(__file__).resolve().parent
PROJECT_ROOT = PACKAGE_DIR.parent
PACKAGED_ALEMBIC = PACKAGE_DIR / "_alembic"
PACKAGED_ASSETS = PACKAGE_DIR / "_assets"
# Reflex's web dir of the packaged frontend: it serves <web dir>/build/client.
PACKAGED_WEB = PACKAGE_DIR / "_web"


def is_installed() -> bool:
    """Whether this is an installed package (its migrations inside), not a checkout."""
    return (PACKAGED_ALEMBIC / "alembic.ini").is_file()


def alembic_dir() -> Path:
    return PACKAGED_ALEMBIC if is_installed() else PROJECT_ROOT / "alembic"


def alembic_ini() -> Path:
    return PACKAGED_ALEMBIC / "alembic.ini" if is_installed() else PROJECT_ROOT / "alembic.ini"


def topojson_dir() -> Path:
    return PACKAGED_ASSETS / "topojson" if is_installed() else PROJECT_ROOT / "assets" / "topojson"


def packaged_frontend() -> Path | None:
    """Reflex's web dir holding the packaged production frontend, or None (a checkout,
    or a wheel built without it)."""
    return PACKAGED_WEB if (PACKAGED_WEB / "build" / "client" / "index.html").is_file() else None


def default_data_dir() -> Path:
    """PORTAL_DATA_DIR's default: ``var/`` of the checkout, or ``var/`` in the working
    directory for an installed package."""
    return Path.cwd() / "var" if is_installed() else PROJECT_ROOT / "var"
