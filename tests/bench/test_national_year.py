"""Smoke test of the national simulation (bench/national_year.py, issue #8): a tiny country
(a seeded share of the offices) for one week of requests and one week to finish, run twice
with the same seed in two processes at once, against real PostgreSQL databases it creates
and drops. Same seed → the same figures; every case accounted for; no mediator over capacity.
"""

import json
import os
import signal
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
TIMEOUT = 900  # about a minute on two free cores; far longer when the machine is shared
ARGS = ["--seed", "7", "--scale", "0.03", "--weeks", "1", "--drain-weeks", "1", "--jobs", "3"]


def _start(out: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [
            sys.executable,
            str(ROOT / "bench" / "national_year.py"),
            *ARGS,
            "--json",
            str(out),
            "--out-dir",
            str(out.parent),
        ],
        cwd=str(ROOT),
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # so a timeout can stop the run and its policy processes
    )


def _finish(proc: subprocess.Popen[bytes]) -> str:
    try:
        return proc.communicate(timeout=TIMEOUT)[0].decode()
    except subprocess.TimeoutExpired:
        os.killpg(proc.pid, signal.SIGTERM)
        raise


def _stable(summary: dict) -> dict:
    """The figures without the wall-clock ones."""
    stable = {}
    for policy, figures in summary["figures"].items():
        counts = {k: v for k, v in figures["counts"].items() if not k.startswith("seconds")}
        stable[policy] = {**figures, "seconds": None, "counts": counts}
    return stable


def test_tiny_year_is_reproducible_and_keeps_every_case_and_capacity(tmp_path: Path) -> None:
    runs = [_start(tmp_path / f"run{n}" / "summary.json") for n in (1, 2)]
    outputs = [_finish(proc) for proc in runs]
    for proc, output in zip(runs, outputs, strict=True):
        assert proc.returncode == 0, output[-3000:]
    first, second = (
        json.loads((tmp_path / f"run{n}" / "summary.json").read_text()) for n in (1, 2)
    )
    assert _stable(first) == _stable(second)
    assert set(first["figures"]) == {"status_quo", "round_robin", "optimiser"}
    for policy, figures in first["figures"].items():
        # every request is a case of the run, and each one got a slot or is counted without
        assert figures["cases"] == first["requests"] > 0, policy
        assert figures["no_slot"] <= figures["cases"]
        assert figures["over_capacity"] == 0, policy
        assert figures["max_load_ratio"] <= 1.0 + 1e-9, policy
        assert figures["hc_qualified"] == 1.0 or figures["hc_cases"] == 0, policy
    assert "plot" in outputs[0] and "csv" in outputs[0]
    assert list((tmp_path / "run1").glob("national_year_*.png"))
    assert list((tmp_path / "run1").glob("national_year_*.csv"))
