"""Start and stop real app processes (`reflex run --env prod`) for the e2e tests.

Each process is the leader of its own process group (Reflex starts Granian, which
starts the workers): stopping or killing the group leaves nothing behind.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
BIN = Path(sys.executable).parent
START_TIMEOUT_S = 600  # the first build installs the frontend packages


def wait_for(url: str, proc: subprocess.Popen, log: Path, deadline_s: float) -> None:
    """Poll ``url`` until it answers 200, failing early if the process exits."""
    deadline = time.monotonic() + deadline_s
    while time.monotonic() < deadline:
        if proc.poll() is not None:
            raise RuntimeError(f"app exited with {proc.returncode}:\n{log.read_text()[-4000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2) as resp:
                if resp.status == 200:
                    return
        except OSError:
            pass
        time.sleep(0.5)  # polling interval while waiting for the server to answer
    raise RuntimeError(f"app did not answer {url} in {deadline_s}s:\n{log.read_text()[-4000:]}")


def app_env(
    *,
    port: int,
    data_dir: Path,
    db_url: str,
    redis_url: str | None = None,
    workers: int | None = None,
    smtp_port: int | None = None,
    **extra: str,
) -> dict[str, str]:
    """The environment of one app process: its own data dir, database and (optionally)
    Redis; nothing inherited that would point it elsewhere."""
    env = {
        **os.environ,
        "PATH": f"{BIN}{os.pathsep}{os.environ.get('PATH', '')}",
        "REFLEX_USE_NPM": "1",
        "REFLEX_CHECK_LATEST_VERSION": "false",
        "PORTAL_DATA_DIR": str(data_dir),
        "REFLEX_DB_URL": db_url,
        "PORT": str(port),
        "PORTAL_PUBLIC_URL": f"http://127.0.0.1:{port}",
    }
    for var in ("REFLEX_REDIS_URL", "GRANIAN_WORKERS", "PORTAL_SMTP_URL", "PORTAL_BACKEND_URL", "REFLEX_API_URL"):
        env.pop(var, None)
    if redis_url:
        env["REFLEX_REDIS_URL"] = redis_url
    if workers:
        env["GRANIAN_WORKERS"] = str(workers)
    if smtp_port:
        env["PORTAL_SMTP_URL"] = f"smtp://127.0.0.1:{smtp_port}"
    env.update(extra)
    return env


def load_demo(env: dict[str, str]) -> None:
    """Migrate the app's (fresh) database and load the AquaDemo data. Asked for
    explicitly (`portal demo`): `--if-empty`, as `make run` uses it, loads nothing into
    a database named by REFLEX_DB_URL (the PostgreSQL pass)."""
    subprocess.run([str(BIN / "portal"), "demo"], env=env, cwd=ROOT, check=True, stdout=subprocess.DEVNULL)


class AppProcess:
    """One `reflex run --env prod` process group: the whole app on one port
    (``--single-port``), or only the backend (``backend_only``: websocket, /auth,
    /files, /_health; no frontend build, so several start quickly side by side)."""

    def __init__(self, env: dict[str, str], log: Path, *, backend_only: bool = False):
        self.env, self.log, self.backend_only = env, log, backend_only
        self.port = int(env["PORT"])
        self.base = f"http://127.0.0.1:{self.port}"
        self.proc: subprocess.Popen | None = None

    def start(self, timeout: float = START_TIMEOUT_S) -> AppProcess:
        if self.backend_only:
            # The variable, not the flag: rxconfig.py reads it to leave the frontend
            # port unset, which Reflex requires with --backend-only.
            self.env = {**self.env, "REFLEX_BACKEND_ONLY": "true"}
            args = ["--backend-port", str(self.port)]
        else:
            args = ["--single-port", "--frontend-port", str(self.port), "--backend-port", str(self.port)]
        with open(self.log, "a") as out:
            self.proc = subprocess.Popen(
                [str(BIN / "reflex"), "run", "--env", "prod", *args],
                cwd=ROOT,
                env=self.env,
                stdout=out,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        try:
            wait_for(f"{self.base}/ping", self.proc, self.log, timeout)
            if not self.backend_only:
                wait_for(f"{self.base}/portal/login", self.proc, self.log, 60)
        except BaseException:
            self.stop()
            raise
        return self

    def _group_alive(self) -> bool:
        """Whether a live (not zombie) process of the group remains, read from /proc."""
        pgid = self.proc.pid
        for stat in Path("/proc").glob("[0-9]*/stat"):
            try:
                fields = stat.read_text().rsplit(")", 1)[1].split()
            except (OSError, IndexError):
                continue
            if int(fields[2]) == pgid and fields[0] != "Z":
                return True
        return False

    def kill(self, sig: int = signal.SIGKILL, timeout: float = 30) -> None:
        """Send ``sig`` to the whole process group and wait until every member is gone."""
        if self.proc is None:
            return
        try:
            os.killpg(self.proc.pid, sig)
        except ProcessLookupError:
            pass
        try:
            self.proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            pass
        deadline = time.monotonic() + timeout
        while self._group_alive():
            if time.monotonic() > deadline:
                os.killpg(self.proc.pid, signal.SIGKILL)
                deadline = time.monotonic() + timeout
            time.sleep(0.05)  # polling interval until the group's last member exits

    def stop(self) -> None:
        """SIGTERM, then SIGKILL for whatever is left of the group."""
        if self.proc is None:
            return
        self.kill(signal.SIGTERM, timeout=30)
        try:
            os.killpg(self.proc.pid, signal.SIGKILL)
        except ProcessLookupError:
            pass
        self.proc = None
