"""Serve the installed package: the prebuilt frontend and the app's ASGI on one port,
with Granian, as `reflex run --env prod --single-port` serves them once it has built the
frontend, but without building anything and so without Node (`portal serve`).

Reflex reads its configuration from ``rxconfig.py`` in the working directory, and an
installed package has none: the server runs in a private directory of its own, made at
start and removed at exit, holding an ``rxconfig.py`` that takes the config from
``pool_portal.app_config``, and Reflex's working folders (states, its upload folder). Its
web dir is the package's ``_web`` (the frontend, read only). Every path and URL is
made absolute first, so nothing depends on that working directory.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from pathlib import Path

from reflex.utils import exec as reflex_exec
from reflex_base import constants
from reflex_base.environment import environment

RXCONFIG = '''"""Written by `portal serve`: Reflex's config, from the installed package."""

from pool_portal.app_config import config

__all__ = ["config"]
'''


def prepare(web_dir: Path, workers: int | None) -> Path:
    """Set Reflex's production switches and make the private working directory; return it."""
    runtime = Path(tempfile.mkdtemp(prefix="pool-portal-serve-"))
    (runtime / "rxconfig.py").write_text(RXCONFIG)
    environment.REFLEX_ENV_MODE.set(constants.Env.PROD)
    environment.REFLEX_SKIP_COMPILE.set(True)  # the frontend is built: never compile
    environment.REFLEX_WEB_WORKDIR.set(web_dir)
    environment.REFLEX_STATES_WORKDIR.set(runtime / "states")
    environment.REFLEX_UPLOADED_FILES_DIR.set(runtime / "uploaded_files")
    environment.REFLEX_USE_GRANIAN.set(True)
    environment.REFLEX_CHECK_LATEST_VERSION.set(False)
    if workers:
        os.environ["GRANIAN_WORKERS"] = str(workers)
    return runtime


def serve(web_dir: Path, host: str, port: int, workers: int | None) -> None:
    """Run Granian until it is stopped (SIGTERM, SIGINT); the frontend is mounted on the
    backend (Reflex's ``get_frontend_mount``), so one port serves both."""
    runtime = prepare(web_dir, workers)
    previous = Path.cwd()
    os.chdir(runtime)
    try:
        from reflex_base.config import get_config  # lazy: reads rxconfig.py from the working directory

        loglevel = get_config().loglevel.subprocess_level()
        reflex_exec.run_backend_prod(host, port, loglevel, mount_frontend_compiled_app=True)
    finally:
        os.chdir(previous)
        shutil.rmtree(runtime, ignore_errors=True)
