"""A real Celery worker and beat on a travelled clock, with file outboxes, for end-to-end tests.

Worker and beat run under libfaketime (Debian package `faketime`), which reads the clock's
offset from a file the test rewrites (FAKETIME_TIMESTAMP_FILE, FAKETIME_NO_CACHE=1): both
processes share one travelled wall clock, and `SharedClock` moves the test process to the same
instant with time-machine. Monotonic clocks stay real (FAKETIME_DONT_FAKE_MONOTONIC=1), so
timeouts, beat's sleeps and the bounded waits run on real time. Two workarounds:
- libfaketime 0.9.10 (Debian 12) makes Python 3.11's time.sleep, an absolute clock_nanosleep
  on the monotonic clock, fail with EINVAL when that clock is not faked
  (wolfcw/libfaketime#426), so `LAUNCHER` replaces time.sleep with a select() wait;
- NO_FAKE_STAT=1 keeps file times real, so a module imported after a jump does not rewrite
  its .pyc.

The worker's mail goes to Django's filebased backend and its SMS to FileSmsBackend (set by
`LAUNCHER`), so a test can read what was sent from another process (`Outbox`).
"""

import email
import glob
import os
import subprocess
import sys
import time
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage
from email.policy import default as default_policy
from pathlib import Path

import pytest
import time_machine
from django.db import connection
from django.utils import timezone

from bench.process_groups import stop_process_group
from scheduling.models import Heartbeat

ROOT = Path(__file__).resolve().parents[2]
LIBFAKETIME = (
    "/usr/lib/*/faketime/libfaketime.so.1",
    "/usr/lib/faketime/libfaketime.so.1",
    "/usr/local/lib/faketime/libfaketime.so.1",
)

# Runs `celery ...` (the arguments after -c) with a working time.sleep and file outboxes.
LAUNCHER = """
import os, select, time
def sleep(seconds):
    select.select([], [], [], max(0.0, seconds))
time.sleep = sleep
from django.conf import settings
settings.EMAIL_BACKEND = "django.core.mail.backends.filebased.EmailBackend"
settings.EMAIL_FILE_PATH = os.environ["E2E_MAIL_DIR"]
settings.SMS_BACKEND = "scheduling.notifications.FileSmsBackend"
settings.SMS_FILE_PATH = os.environ["E2E_SMS_DIR"]
from celery.__main__ import main
main()
"""

# What a message is, by its subject (email) or its text (SMS); the first match wins.
MAIL_KINDS = (
    ("Påminnelse:", "reminder"),
    ("Reminder:", "reminder"),
    ("Meklingsattesten din", "certificate"),
    ("Your mediation certificate", "certificate"),
    ("Ny meklingssak", "offer"),
    ("Ditt private skjema", "intake_link"),
    ("Your private questionnaire", "intake_link"),
    ("Meklingsmøte", "booked"),
    ("Mediation meeting", "booked"),
)
SMS_KINDS = (
    ("Påminnelse", "reminder"),
    ("Reminder", "reminder"),
    ("skjema", "intake_link"),
    ("questionnaire", "intake_link"),
    ("Meklingsattest", "certificate"),
    ("mediation certificate", "certificate"),
    ("Flytt eller avlys", "booked"),
    ("Move or cancel", "booked"),
)

Sent = tuple[str, str, str]  # (channel, recipient, kind)


def message_kind(text: str, kinds: tuple[tuple[str, str], ...]) -> str:
    return next((kind for marker, kind in kinds if marker in text), f"unknown: {text[:60]}")


def libfaketime_path() -> str:
    """The preload library (MEKLING_LIBFAKETIME, else the usual places), or skip the test."""
    candidates = [os.environ.get("MEKLING_LIBFAKETIME", "")]
    candidates += [path for pattern in LIBFAKETIME for path in sorted(glob.glob(pattern))]
    for candidate in candidates:
        if candidate and Path(candidate).is_file():
            return candidate
    pytest.skip(
        "libfaketime is missing: apt-get install faketime (.ci/services.sh installs it as root), "
        "or point MEKLING_LIBFAKETIME at libfaketime.so.1"
    )


def _real_time() -> float:
    hatch = time_machine.escape_hatch
    return hatch.time.time() if hatch.is_travelling() else time.time()


class SharedClock:
    """One travelled wall clock: libfaketime's offset file (worker, beat), time-machine here."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self.offset = 0.0
        self._travel: time_machine.travel | None = None
        self._write()

    def travel_to(self, instant: datetime) -> None:
        offset = instant.timestamp() - _real_time()
        # Forward only: beat's schedule and the broker's visibility timeouts assume it.
        assert offset >= self.offset, "the clock only goes forward"
        self.offset = offset
        self._write()
        self.stop()
        self._travel = time_machine.travel(instant, tick=True)
        self._travel.start()

    def stop(self) -> None:
        if self._travel is not None:
            self._travel.stop()
            self._travel = None

    def _write(self) -> None:
        draft = self.path.with_suffix(".draft")
        draft.write_text(f"{self.offset:+.3f}\n")
        draft.replace(self.path)  # atomic: a process never reads half an offset


@dataclass
class Outbox:
    """What the worker sent: email files (filebased backend), one file per SMS."""

    mail_dir: Path
    sms_dir: Path

    def mails(self) -> list[EmailMessage]:
        messages = []
        for path in sorted(self.mail_dir.glob("*.log")):
            for raw in path.read_bytes().split(b"\n" + b"-" * 79 + b"\n"):
                if raw.strip():
                    message = email.message_from_bytes(raw, policy=default_policy)
                    assert isinstance(message, EmailMessage)
                    messages.append(message)
        return messages

    def ledger(self) -> Counter[Sent]:
        """(channel, recipient, kind) → how many were sent."""
        sent: Counter[Sent] = Counter(
            ("mail", str(m["To"]), message_kind(str(m["Subject"]), MAIL_KINDS))
            for m in self.mails()
        )
        for path in self.sms_dir.glob("*.txt"):
            head, _, body = path.read_text(encoding="utf-8").partition("\n\n")
            sent["sms", head.removeprefix("To: "), message_kind(body, SMS_KINDS)] += 1
        return sent

    def attachments(self, kind: str) -> list[list[str]]:
        """The attachments' content types (with the calendar method) of each mail of a kind."""
        return [
            [
                f"{part.get_content_type()};method={part.get_param('method')}"
                if part.get_content_type() == "text/calendar"
                else part.get_content_type()
                for part in message.iter_attachments()
            ]
            for message in self.mails()
            if message_kind(str(message["Subject"]), MAIL_KINDS) == kind
        ]


def _start(name: str, args: list[str], env: dict[str, str], logs: Path) -> subprocess.Popen[bytes]:
    with (logs / f"{name}.log").open("ab") as out:
        return subprocess.Popen(
            [sys.executable, "-c", LAUNCHER, "-A", "config", *args, "--loglevel=INFO"],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # a process group of its own, to stop it whole
        )


def _stop(process: subprocess.Popen[bytes]) -> None:
    stop_process_group(process)


@dataclass
class Servers:
    worker: subprocess.Popen[bytes]
    beat: subprocess.Popen[bytes]
    logs: Path
    outbox: Outbox
    started_at: datetime

    @classmethod
    def start(cls, *, clock: SharedClock, broker_url: str, folder: Path) -> "Servers":
        """A prefork worker (two processes) and beat on the test database and the clock."""
        outbox = Outbox(folder / "mail", folder / "sms")
        db = connection.settings_dict
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "config.settings.test",
            "TEST_DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "TEST_CELERY_BROKER_URL": broker_url,
            "LD_PRELOAD": libfaketime_path(),
            "FAKETIME_TIMESTAMP_FILE": str(clock.path),
            "FAKETIME_NO_CACHE": "1",
            "FAKETIME_DONT_FAKE_MONOTONIC": "1",
            "NO_FAKE_STAT": "1",
            "E2E_MAIL_DIR": str(outbox.mail_dir),
            "E2E_SMS_DIR": str(outbox.sms_dir),
        }
        worker_args = ["worker", "--pool=prefork", "--concurrency=2", "--hostname=e2e@%h"]
        worker_args += ["--without-gossip", "--without-mingle", "--without-heartbeat"]
        started_at = timezone.now()
        # Beat looks at its schedule every second (real time), so a jump is seen at once.
        return cls(
            worker=_start("worker", worker_args, env, folder),
            beat=_start("beat", ["beat", "--max-interval=1"], env, folder),
            logs=folder,
            outbox=outbox,
            started_at=started_at,
        )

    def stop(self) -> None:
        _stop(self.beat)
        _stop(self.worker)

    def wait_ready(self, seconds: float = 60) -> None:
        """The worker consumes and beat ticks (the project's scheduler records a heartbeat)."""
        self.wait_for(
            "worker and beat to start",
            lambda: (
                "ready." in self.log("worker")
                and Heartbeat.objects.filter(
                    component="beat", last_seen__gte=self.started_at
                ).exists()
            ),
            seconds=seconds,
        )

    def log(self, name: str) -> str:
        return (self.logs / f"{name}.log").read_text(errors="replace")

    def tail(self) -> str:
        return "\n".join(
            f"--- {name} log (tail) ---\n{self.log(name)[-3000:]}" for name in ("worker", "beat")
        )

    def wait_for(self, what: str, condition: Callable[[], bool], seconds: float = 15) -> None:
        """Poll `condition`; fail with the outbox and the logs' tails if it takes too long."""
        deadline = time.monotonic() + seconds
        while not condition():
            for name, process in (("worker", self.worker), ("beat", self.beat)):
                if process.poll() is not None:
                    pytest.fail(
                        f"{name} exited ({process.returncode}) before {what}\n{self.tail()}"
                    )
            if time.monotonic() > deadline:
                pytest.fail(
                    f"timed out after {seconds:.0f} s waiting for {what}\n"
                    f"outbox: {sorted(self.outbox.ledger().items())}\n{self.tail()}"
                )
            time.sleep(0.1)
