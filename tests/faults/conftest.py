"""Private servers for the fault tests: a Redis and a PostgreSQL cluster each test may stop,
kill and restart, and Celery workers as subprocesses.

The machine's shared PostgreSQL (5432) and Redis (6379) are never touched: other test runs use
them at the same time. A missing server binary fails the test with the reason (CI installs
both, see .ci/services.sh); it is not skipped silently.
"""

import glob
import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
import redis

from bench.process_groups import stop_process_group
from config.celery import app as celery_app

ROOT = Path(__file__).resolve().parents[2]

# Runs `celery ...` (the arguments after -c) with the SMS backend, its folder and the email
# backend taken from the environment: the test settings pin them to in-memory backends.
WORKER_LAUNCHER = """
import os
from django.conf import settings
for name in ("SMS_BACKEND", "SMS_FILE_PATH", "EMAIL_BACKEND", "EMAIL_FILE_PATH"):
    if os.environ.get("FAULT_" + name):
        setattr(settings, name, os.environ["FAULT_" + name])
from celery.__main__ import main
main()
"""


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def wait_for(
    condition: Callable[[], bool], seconds: float, what: str, log: Callable[[], str] | None = None
) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            pytest.fail(f"timed out after {seconds:.0f} s: {what}\n{log() if log else ''}")
        time.sleep(0.1)


def _binary(name: str, candidates: list[str]) -> str:
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.fail(f"{name} is missing: run .ci/services.sh (installs postgresql and redis-server)")


class PrivateRedis:
    """A redis-server on a free port, without persistence, that a test can stop and restart."""

    def __init__(self, log: Path) -> None:
        self.binary = _binary("redis-server", [shutil.which("redis-server") or ""])
        self.port = free_port()
        self.log = log
        self.process: subprocess.Popen[bytes] | None = None

    def url(self, db: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{db}"

    def start(self) -> None:
        command = [self.binary, "--port", str(self.port), "--bind", "127.0.0.1"]
        command += ["--save", "", "--appendonly", "no", "--daemonize", "no"]
        with self.log.open("ab") as out:
            self.process = subprocess.Popen(command, stdout=out, stderr=subprocess.STDOUT)
        client = redis.Redis(port=self.port, socket_connect_timeout=0.5)
        wait_for(lambda: self._answers(client), 10, f"redis-server on port {self.port}")

    def stop(self) -> None:
        if self.process is not None and self.process.poll() is None:
            self.process.kill()
            self.process.wait(timeout=10)
        self.process = None

    @staticmethod
    def _answers(client: redis.Redis) -> bool:
        try:
            return bool(client.ping())
        except redis.ConnectionError:
            return False


class PrivatePostgres:
    """A throw-away cluster (initdb as the postgres OS user when run as root) on a free port."""

    def __init__(self, base: Path) -> None:
        bindir = os.environ.get("MEKLING_PG_BINDIR") or next(
            iter(sorted(glob.glob("/usr/lib/postgresql/*/bin"), reverse=True)), ""
        )
        self.pg_ctl = _binary("PostgreSQL's pg_ctl", [f"{bindir}/pg_ctl"])
        self.initdb = _binary("PostgreSQL's initdb", [f"{bindir}/initdb"])
        self.base = base
        self.data = base / "data"
        self.log = base / "postgres.log"
        self.port = free_port()
        self.as_owner: list[str] = []
        if os.geteuid() == 0:  # initdb and postgres refuse to run as root
            self.as_owner = ["runuser", "-u", "postgres", "--"]
            shutil.chown(base, "postgres")
        self._run([self.initdb, "-D", str(self.data), "-A", "trust", "-U", "postgres"])
        with (self.data / "postgresql.conf").open("a") as conf:
            conf.write("fsync = off\nsynchronous_commit = off\nfull_page_writes = off\n")

    def url(self, name: str = "mekling") -> str:
        return f"postgres://postgres@127.0.0.1:{self.port}/{name}"

    def _run(self, command: list[str]) -> None:
        done = subprocess.run(
            self.as_owner + command, capture_output=True, text=True, timeout=60, check=False
        )
        if done.returncode:
            pytest.fail(f"{' '.join(command[:2])} failed:\n{done.stdout}\n{done.stderr}")

    def start(self) -> None:
        self._pg_ctl("start")

    def restart(self) -> None:
        self._pg_ctl("restart", "-m", "fast")

    def stop(self) -> None:
        self._pg_ctl("stop", "-m", "immediate")

    def _pg_ctl(self, *action: str) -> None:
        options = f"-p {self.port} -k {self.base} -c listen_addresses=127.0.0.1"
        command = [self.pg_ctl, "-D", str(self.data), "-o", options, "-l", str(self.log), "-w"]
        self._run([*command, *action])

    def running(self) -> bool:
        return (self.data / "postmaster.pid").exists()


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[PrivateRedis]:
    server = PrivateRedis(tmp_path / "redis.log")
    server.start()
    try:
        yield server
    finally:
        server.stop()


@pytest.fixture
def private_broker(private_redis: PrivateRedis, monkeypatch: pytest.MonkeyPatch) -> PrivateRedis:
    """Sends from this process go to the private Redis (db 0)."""
    monkeypatch.setitem(celery_app.conf, "broker_url", private_redis.url())
    # Without the cached pools the next send connects to the new URL.
    monkeypatch.setattr(celery_app, "_pool", None)
    monkeypatch.setattr(celery_app.amqp, "_producer_pool", None)
    return private_redis


@pytest.fixture
def private_postgres() -> Iterator[PrivatePostgres]:
    base = Path(tempfile.mkdtemp(prefix="mekling-fault-pg-"))
    try:
        server = PrivatePostgres(base)
        server.start()
        try:
            yield server
        finally:
            if server.running():
                server.stop()
    finally:
        shutil.rmtree(base, ignore_errors=True)


class Workers:
    """Celery worker subprocesses, each in a process group of its own; all stopped at the end."""

    def __init__(self, log: Path) -> None:
        self.log = log
        self.started: list[subprocess.Popen[bytes]] = []

    def start(
        self, *, name: str, database_url: str, broker_url: str, concurrency: int = 2, **env: str
    ) -> subprocess.Popen[bytes]:
        environment = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "TEST_DATABASE_URL": database_url,
            "TEST_CELERY_BROKER_URL": broker_url,
            **env,
        }
        command = [sys.executable, "-c", WORKER_LAUNCHER, "-A", "config", "worker"]
        command += ["--loglevel=INFO", "--pool=prefork", f"--concurrency={concurrency}"]
        command += ["--without-gossip", "--without-mingle", f"--hostname={name}@%h"]
        with self.log.open("ab") as out:
            worker = subprocess.Popen(
                command,
                cwd=ROOT,
                env=environment,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )
        self.started.append(worker)
        return worker

    def kill(self, worker: subprocess.Popen[bytes]) -> None:
        """kill -9 the worker and its pool processes at once."""
        os.killpg(worker.pid, signal.SIGKILL)
        worker.wait(timeout=10)

    def stop_all(self) -> None:
        for worker in self.started:
            stop_process_group(worker)

    def tail(self) -> str:
        if not self.log.exists():
            return "(no worker log)"
        return self.log.read_text(errors="replace")[-4000:]


@pytest.fixture
def workers(tmp_path: Path) -> Iterator[Workers]:
    started = Workers(tmp_path / "workers.log")
    try:
        yield started
    finally:
        started.stop_all()
