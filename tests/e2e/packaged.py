"""The artefacts `make dist` builds, for tests/e2e/test_packaged.py: built once per
version of the sources and kept in a cache directory (the PostgreSQL pass reuses the
SQLite pass's build), a fresh virtualenv with the wheel installed from the local file,
and `portal serve` processes started with no Node on their PATH."""

from __future__ import annotations

import atexit
import functools
import hashlib
import os
import shutil
import signal
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
CACHE = Path(os.environ.get("XDG_CACHE_HOME") or Path.home() / ".cache") / "pool-portal-tests"
# What the artefacts are built from; a change to any of them means a new build.
SOURCES = (
    "pool_portal",
    "alembic",
    "assets",
    "reflex.lock",
    "scripts/build_dist.py",
    "setup.py",
    "pyproject.toml",
    "rxconfig.py",
    "alembic.ini",
)
PYTHON = f"{sys.version_info.major}.{sys.version_info.minor}"
BASE_PYTHON = getattr(sys, "_base_executable", None) or sys.executable


def sources_hash() -> str:
    digest = hashlib.sha256(PYTHON.encode())
    for name in SOURCES:
        path = ROOT / name
        files = [path] if path.is_file() else sorted(p for p in path.rglob("*") if p.is_file())
        for f in files:
            if "__pycache__" in f.parts or f.suffix == ".pyc":
                continue
            digest.update(str(f.relative_to(ROOT)).encode() + b"\0" + f.read_bytes() + b"\0")
    return digest.hexdigest()[:16]


def build_artefacts() -> tuple[Path, float | None]:
    """The cached dist folder for these sources (wheel and zipapp), built when missing;
    and the build's duration in seconds (None: taken from the cache)."""
    key = sources_hash()
    target = CACHE / f"dist-{key}"
    if (target / "done").is_file():
        return target, None
    CACHE.mkdir(parents=True, exist_ok=True)
    work = CACHE / f".building-{os.getpid()}"
    shutil.rmtree(work, ignore_errors=True)
    start = time.monotonic()
    subprocess.run(
        [
            sys.executable,
            str(ROOT / "scripts" / "build_dist.py"),
            "--out",
            str(work),
            "--web-dir",
            str(CACHE / "web"),  # kept between builds: its node_modules
            "--python",
            PYTHON,  # the zipapp for this interpreter only: the tests run on it
        ],
        cwd=ROOT,
        check=True,
        stdin=subprocess.DEVNULL,
    )
    took = time.monotonic() - start
    (work / "done").write_text(key)
    for old in CACHE.glob("dist-*"):  # one build kept: the cache does not grow
        shutil.rmtree(old, ignore_errors=True)
    os.replace(work, target)
    return target, took


NODE_NAMES = ("node", "nodejs", "npm", "npx", "corepack")


@functools.lru_cache(maxsize=1)
def no_node_path() -> str:
    """The PATH with no `node` or `npm` on it: a folder holding the node-free folders'
    commands stays; one holding Node (Debian's /usr/bin here) is replaced by a private
    folder of links to all its other commands (python3, bash, env...)."""
    keep, mirror = [], Path(tempfile.mkdtemp(prefix="no-node-bin-"))
    for folder in os.environ.get("PATH", "/usr/bin:/bin").split(os.pathsep):
        path = Path(folder)
        if not folder or not path.is_dir():
            continue
        if not any((path / exe).exists() for exe in NODE_NAMES):
            keep.append(folder)
            continue
        for entry in path.iterdir():
            link = mirror / entry.name
            if entry.name not in NODE_NAMES and not link.exists() and os.access(entry, os.X_OK):
                link.symlink_to(entry)
    atexit.register(shutil.rmtree, mirror, True)
    return os.pathsep.join([*keep, str(mirror)])


def clean_env(data_dir: Path, **extra: str) -> dict[str, str]:
    """A self-hoster's environment: no Node, no variable of the test run's own app."""
    env = {
        "HOME": os.environ.get("HOME", "/root"),
        "PATH": no_node_path(),
        "LANG": "C.UTF-8",
        "PORTAL_DATA_DIR": str(data_dir),
        "PEX_ROOT": str(CACHE / "pex-root"),
    }
    env.update(extra)
    return env


def make_venv(where: Path, wheel: Path) -> tuple[Path, float]:
    """A fresh virtualenv with the wheel installed from its file; (venv, seconds)."""
    subprocess.run([BASE_PYTHON, "-m", "venv", str(where)], check=True)
    start = time.monotonic()
    subprocess.run(
        [str(where / "bin" / "python"), "-m", "pip", "install", "--quiet", "--disable-pip-version-check", str(wheel)],
        check=True,
        # Nothing of the test run's own interpreter: pip must see a fresh venv.
        env={**{k: v for k, v in os.environ.items() if not k.startswith("PYTHON")}, "PATH": no_node_path()},
    )
    return where, time.monotonic() - start


def group_commands(pgid: int) -> list[str]:
    """The command names of the live processes of a process group, read from /proc."""
    names = []
    for stat in Path("/proc").glob("[0-9]*/stat"):
        try:
            text = stat.read_text()
        except OSError:
            continue
        comm, fields = text[text.index("(") + 1 : text.rindex(")")], text.rsplit(")", 1)[1].split()
        if int(fields[2]) == pgid and fields[0] != "Z":
            names.append(comm)
    return names


class Served:
    """One `portal serve` process group on a free loopback port."""

    def __init__(self, argv: list[str], env: dict[str, str], cwd: Path, port: int, log: Path):
        self.port, self.log = port, log
        self.base = f"http://127.0.0.1:{port}"
        self.started = time.monotonic()
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                argv,
                env=env,
                cwd=cwd,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.ready_after: float | None = None

    def wait_ready(self, timeout: float = 180) -> float:
        """Wait until /portal/login answers 200; the seconds since the start."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            if self.proc.poll() is not None:
                raise RuntimeError(f"portal serve exited with {self.proc.returncode}:\n{self.log.read_text()[-4000:]}")
            try:
                with urllib.request.urlopen(f"{self.base}/portal/login", timeout=2) as resp:
                    if resp.status == 200:
                        self.ready_after = time.monotonic() - self.started
                        return self.ready_after
            except OSError:
                pass
            time.sleep(0.1)  # polling interval while the server starts
        raise RuntimeError(f"portal serve did not answer in {timeout}s:\n{self.log.read_text()[-4000:]}")

    def memory_mb(self) -> float:
        """Proportional set size (PSS) of the whole process group, in MB: what it costs."""
        total = 0
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
                if int(fields[2]) != self.proc.pid:
                    continue
                rollup = (stat.parent / "smaps_rollup").read_text()
            except OSError:
                continue
            for line in rollup.splitlines():
                if line.startswith("Pss:"):
                    total += int(line.split()[1])
        return total / 1024

    def commands(self) -> list[str]:
        return group_commands(self.proc.pid)

    def stop(self) -> None:
        try:
            os.killpg(self.proc.pid, signal.SIGTERM)
            self.proc.wait(timeout=30)
        except ProcessLookupError:
            pass
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait(timeout=30)
