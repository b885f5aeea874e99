"""setuptools' build_py, extended (everything else is in pyproject.toml): a built (not
editable) package also carries what a checkout keeps at its root and the app reads at
run time (pool_portal/resources.py): the migrations, the map outlines and, when
PORTAL_FRONTEND_DIR names Reflex's production build (``scripts/build_dist.py``, `make
dist`), the frontend."""

import os
import shutil
from pathlib import Path

from setuptools import setup
from setuptools.command.build_py import build_py

ROOT = Path(__file__).resolve().parent
SKIP = shutil.ignore_patterns("__pycache__", "*.pyc")


class BuildPy(build_py):
    def run(self):
        super().run()
        if getattr(self, "editable_mode", False):
            return  # an editable install reads them from the checkout
        package = Path(self.build_lib) / "pool_portal"
        for name in ("_alembic", "_assets", "_web"):
            shutil.rmtree(package / name, ignore_errors=True)
        shutil.copytree(ROOT / "alembic", package / "_alembic", ignore=SKIP)
        shutil.copy2(ROOT / "alembic.ini", package / "_alembic" / "alembic.ini")
        shutil.copytree(ROOT / "assets" / "topojson", package / "_assets" / "topojson", ignore=SKIP)
        frontend = os.environ.get("PORTAL_FRONTEND_DIR")
        if frontend:
            client = Path(frontend)
            if not (client / "index.html").is_file():
                raise SystemExit(f"PORTAL_FRONTEND_DIR: {client} holds no built frontend (index.html)")
            shutil.copytree(client, package / "_web" / "build" / "client")


setup(cmdclass={"build_py": BuildPy})
