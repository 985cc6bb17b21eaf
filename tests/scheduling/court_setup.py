"""A case the court referred back to mediation (barneloven § 61 første ledd nr. 2), with a
meeting held, the court on record, and parents who answered the questionnaire with
distinctive (synthetic) words that must never reach the court."""

import re
import shutil
import subprocess
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from intake.answers import answers_save_draft, answers_submit
from intake.classifying import classification_recompute
from intake.models import Case, CaseType, Classification, Parent
from intake.questionnaire import load_questionnaire
from scheduling.models import Appointment, AppointmentStatus, Court
from tests.scheduling.scheduling_setup import World, assigned_case

# Free-text answers no note may carry (invented; one per parent).
SECRET_REQUESTER = "Tyttebærlia-hemmeligheten 4417"
SECRET_OTHER = "Molteskogen-fortrolig 9921"
COURT_EMAIL = "postmottak@oslo-tingrett.test.example"


@dataclass
class ReferralWorld:
    world: World
    court: Court
    meeting: Appointment

    @property
    def case(self) -> Case:
        return self.world.case


def high_conflict_answers(free_text: str) -> dict[str, str]:
    """The most severe choice of every item, and a free-text answer."""
    questionnaire = load_questionnaire("v1")
    answers = {item.id: item.choices[-1].value for item in questionnaire.items if item.choices}
    answers["anything_else"] = free_text
    return answers


def held_meeting(world: World, *, days_ago: int = 2, hours: str = "2.00") -> Appointment:
    starts = timezone.now() - timedelta(days=days_ago)
    return Appointment.objects.create(
        case=world.case,
        mediator=world.mediator,
        location=world.location,
        mode=Appointment.Mode.IN_PERSON,
        kind=Appointment.Kind.JOINT,
        starts_at=starts,
        ends_at=starts + timedelta(hours=float(hours)),
        hours=Decimal(hours),
        status=AppointmentStatus.HELD,
        attended_requester=True,
        attended_other=True,
        link_salt="court-test-salt",
    )


def referral_world(*, held: bool = True, court_name: str = "Oslo tingrett") -> ReferralWorld:
    world = assigned_case()
    case = world.case
    case.case_type = CaseType.COURT_REFERRAL
    case.court_name = court_name
    case.court_deadline = timezone.localdate() + timedelta(days=20)
    case.save(update_fields=["case_type", "court_name", "court_deadline"])
    court, _ = Court.objects.get_or_create(
        name="Oslo tingrett",
        defaults={
            "email": COURT_EMAIL,
            "street": "Rettsveien 99",
            "postal_code": "0158",
            "town": "Oslo",
        },
    )
    for parent, secret in zip(
        sorted(case.parents.all(), key=lambda p: p.role != Parent.Role.REQUESTER),
        (SECRET_REQUESTER, SECRET_OTHER),
        strict=True,
    ):
        answers_save_draft(parent=parent, answers=high_conflict_answers(secret))
        answers_submit(parent=parent)
    classification_recompute(case=case)
    meeting = held_meeting(world) if held else _booked_meeting(world)
    return ReferralWorld(world=world, court=court, meeting=meeting)


def _booked_meeting(world: World) -> Appointment:
    starts = timezone.now() + timedelta(days=3)
    return Appointment.objects.create(
        case=world.case,
        mediator=world.mediator,
        location=world.location,
        mode=Appointment.Mode.IN_PERSON,
        kind=Appointment.Kind.JOINT,
        starts_at=starts,
        ends_at=starts + timedelta(hours=1),
        hours=Decimal(1),
        link_salt="court-test-salt",
    )


def note_body(**overrides: object) -> dict[str, object]:
    body: dict[str, object] = {
        "court_case_number": "26-012345TVI-OTIR/05",
        "mediation_date": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "attended_requester": True,
        "attended_other": True,
        "hours": "2.0",
        "agreement": "no",
    }
    body.update(overrides)
    return body


def questionnaire_words(case: Case) -> list[str]:
    """Everything of the answers and the classification a court must not read: the free
    text, and each reason's wording in both languages."""
    classification = Classification.objects.get(case=case)
    words = [SECRET_REQUESTER, SECRET_OTHER]
    for reason in classification.reasons:
        words += [str(text) for text in reason["text"].values()]
    assert len(words) > 4, "the answers must have driven some reasons"
    return words


# ---- reading a PDF's text ----------------------------------------------------------------------

_STRING = re.compile(rb"\((?P<text>(?:\\.|[^\\)])*)\)\s*Tj")
_ESCAPE = re.compile(rb"\\([0-7]{1,3}|.)", re.DOTALL)
_SIMPLE = {b"n": b"\n", b"r": b"\r", b"t": b"\t", b"b": b"\b", b"f": b"\f"}


def _unescape(raw: bytes) -> bytes:
    def one(match: re.Match[bytes]) -> bytes:
        code = match.group(1)
        if code[:1].isdigit():
            return bytes([int(code, 8)])
        return _SIMPLE.get(code, code)

    return _ESCAPE.sub(one, raw)


def pdf_text(pdf: bytes, *, use_tool: bool = True) -> str:
    """The text of a PDF: Debian's `pdftotext` (poppler-utils) when present, else the strings
    shown by the uncompressed content stream reportlab writes (WinAnsi, one line a string)."""
    assert pdf.startswith(b"%PDF")
    tool = shutil.which("pdftotext") if use_tool else None
    if tool:
        done = subprocess.run(
            [tool, "-enc", "UTF-8", "-", "-"], input=pdf, capture_output=True, check=True
        )
        return done.stdout.decode("utf-8")
    lines = [_unescape(match.group("text")).decode("cp1252") for match in _STRING.finditer(pdf)]
    return "\n".join(lines)


def flat(text: str) -> str:
    """Words with single spaces, so a phrase split over two lines is still found."""
    return " ".join(text.split())


def today_minus(days: int) -> date:
    return timezone.localdate() - timedelta(days=days)
