"""The load bench's own arithmetic (bench/load_questionnaires.py); the run itself is by hand."""

from datetime import datetime
from pathlib import Path

from bench.load_questionnaires import ACCESS_FORMAT, percentile, server_times


def test_the_access_log_keeps_no_path() -> None:
    """The path holds the parent's token: it must never reach a log."""
    assert "%(U)s" not in ACCESS_FORMAT and "%(r)s" not in ACCESS_FORMAT
    assert "%(q)s" not in ACCESS_FORMAT


def test_server_times_reads_gunicorns_lines_from_a_moment_on(tmp_path: Path) -> None:
    log = tmp_path / "g.access"
    log.write_text(
        "[02/Dec/2026:05:04:22 +0100] 9 PUT 200\n"
        "[02/Dec/2026:05:04:23 +0100] 4 PUT 200\n"
        "a line of something else\n"
        "[02/Dec/2026:05:04:24 +0100] 12 POST 200\n"
    )
    since = datetime.fromisoformat("2026-12-02T05:04:23+01:00").timestamp()
    assert [ms for _, ms in server_times(log, since)] == [4.0, 12.0]


def test_percentile_is_nearest_rank() -> None:
    values = [float(v) for v in range(1, 101)]
    assert percentile(values, 95) == 95.0
    assert percentile(values, 50) == 50.0
    assert percentile([7.0], 99) == 7.0
