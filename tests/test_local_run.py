"""The zero-setup run: honcho starts web, worker and beat on SQLite and the filesystem broker.

This is `make run` minus the virtualenv: no PostgreSQL, no Redis. Health must reach "ok", and
an interrupt (Ctrl-C) must stop every process.
"""

import json
import os
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _descendants(pid: int) -> set[int]:
    table = subprocess.run(["ps", "-eo", "pid=,ppid="], capture_output=True, text=True, check=True)
    children: dict[int, list[int]] = {}
    for line in table.stdout.splitlines():
        child, parent = (int(part) for part in line.split())
        children.setdefault(parent, []).append(child)
    found, todo = set(), [pid]
    while todo:
        for child in children.get(todo.pop(), []):
            found.add(child)
            todo.append(child)
    return found


def _alive(pids: set[int]) -> set[int]:
    """Processes still running; a zombie (state Z) has exited and only awaits reaping."""
    alive = set()
    for pid in pids:
        try:
            stat = Path(f"/proc/{pid}/stat").read_text()
        except FileNotFoundError:
            continue
        if stat.rsplit(")", 1)[1].split()[0] != "Z":
            alive.add(pid)
    return alive


def _health(url: str) -> dict[str, object] | None:
    try:
        with urllib.request.urlopen(url, timeout=3) as response:  # noqa: S310 - local URL
            body: dict[str, object] = json.load(response)
            return body
    except OSError:
        return None


@pytest.mark.integration
def test_local_run_serves_health_ok_and_stops_on_interrupt(tmp_path: Path) -> None:
    bin_dir = Path(sys.executable).parent
    env = {
        key: value
        for key, value in os.environ.items()
        if not key.startswith(("DATABASE_URL", "CELERY_", "TEST_"))
    }
    env.update(
        DJANGO_SETTINGS_MODULE="config.settings.local",
        MEKLING_VAR_DIR=str(tmp_path),
        PATH=f"{bin_dir}{os.pathsep}{env.get('PATH', '')}",
    )
    manage = [sys.executable, "manage.py"]
    subprocess.run([*manage, "migrate", "--no-input", "-v", "0"], cwd=ROOT, env=env, check=True)
    subprocess.run(
        [*manage, "load_demo_data", "--if-empty"],
        cwd=ROOT,
        env=env,
        check=True,
        stdout=subprocess.DEVNULL,
    )
    port = _free_port()
    env["MEKLING_BIND"] = f"127.0.0.1:{port}"
    honcho = subprocess.Popen(
        [str(bin_dir / "honcho"), "start", "-f", "Procfile"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        body = None
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            body = _health(f"http://127.0.0.1:{port}/api/v1/health/")
            if body and body["status"] == "ok":
                break
            time.sleep(1)
        assert body is not None and body["status"] == "ok", body
        assert body["database"] == {"status": "ok", "vendor": "sqlite"}
        assert body["broker"] == {"status": "ok", "transport": "filesystem"}
    finally:
        processes = _descendants(honcho.pid)
        os.killpg(honcho.pid, signal.SIGINT)  # what Ctrl-C in a terminal does
        honcho.wait(timeout=30)
    assert len(processes) >= 3  # web, worker, beat (and the worker's pool)
    time.sleep(1)
    assert _alive(processes) == set()
    assert _health(f"http://127.0.0.1:{port}/api/v1/health/") is None
