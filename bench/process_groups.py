"""Processes started with `start_new_session=True` (a group of their own, with their children):
stopped whole. Shared by the benchmarks and the tests that start workers and servers."""

import os
import signal
import subprocess


def stop_process_group(process: subprocess.Popen[bytes], *, grace: float = 20.0) -> None:
    """SIGTERM the process's group, then SIGKILL what has not exited after `grace` seconds."""
    if process.poll() is not None:
        return
    os.killpg(process.pid, signal.SIGTERM)
    try:
        process.wait(timeout=grace)
    except subprocess.TimeoutExpired:
        os.killpg(process.pid, signal.SIGKILL)
        process.wait()
