"""Who may take a case: every rule that excludes a mediator, each with a staff sentence.

Sources: 002 §4.1.1 and §4.2 (office), 000 §4.2 (conflict levels), meklingsforskriften § 7
(separate meetings), barneloven § 61 and § 65a (court referral, enforcement), tolkeloven § 4 and
§ 6 (never a child as interpreter; a qualified interpreter), the domain brief's guidance (about
2 hours' journey; video where travel is very long), forvaltningsloven § 6 (conflict of interest).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from mediators.assignment.journey import nearest_location
from mediators.assignment.rules import number
from mediators.assignment.types import CaseNeed, Exclusion, LocationRef, MediatorSlot

COURT_COMPETENCE_TYPES = frozenset({"court_referral", "enforcement"})
INTERPRETER_LANGUAGE = "nb"  # interpreters work to and from Norwegian

LANGUAGE_NAMES: dict[str, tuple[str, str]] = {
    "nb": ("norsk", "Norwegian"),
    "nn": ("nynorsk", "Norwegian Nynorsk"),
    "en": ("engelsk", "English"),
    "sv": ("svensk", "Swedish"),
    "de": ("tysk", "German"),
    "pl": ("polsk", "Polish"),
    "ar": ("arabisk", "Arabic"),
    "so": ("somali", "Somali"),
    "fa": ("persisk", "Persian"),
    "uk": ("ukrainsk", "Ukrainian"),
    "es": ("spansk", "Spanish"),
    "se": ("nordsamisk", "Northern Sami"),
    "ur": ("urdu", "Urdu"),
    "ti": ("tigrinja", "Tigrinya"),
}


def language_names(codes: frozenset[str] | set[str]) -> tuple[str, str]:
    ordered = sorted(codes)
    nb = ", ".join(LANGUAGE_NAMES.get(code, (code, code))[0] for code in ordered)
    en = ", ".join(LANGUAGE_NAMES.get(code, (code, code))[1] for code in ordered)
    return nb, en


def needs_high_conflict(case: CaseNeed) -> bool:
    """High conflict or any safety flag (000 §4.2; meklingsforskriften § 7)."""
    return case.level == "high" or case.safety


def needs_court_competence(case: CaseNeed) -> bool:
    return case.case_type in COURT_COMPETENCE_TYPES


def required_languages(case: CaseNeed) -> frozenset[str]:
    """Languages the mediator must speak: the parents' own where no interpreter is booked.

    With interpreters for both parents nothing is left, and the mediator speaks Norwegian with
    the interpreters. A child or a family member is never counted as an interpreter
    (tolkeloven § 4): only `case.interpreter` (a booked, qualified interpreter) removes a need.
    Nynorsk (nn) is a written standard of Norwegian: mediation is spoken, so a Norwegian (nb)
    speaking mediator serves a parent who writes nynorsk (found by the national simulation:
    otherwise no mediator of the demo set could take such a case).
    """
    needed = frozenset(INTERPRETER_LANGUAGE if code == "nn" else code for code in case.languages)
    return needed or frozenset({INTERPRETER_LANGUAGE})


def case_hours(case: CaseNeed) -> float:
    """Weekly hours an open case takes (`hours.*`): 1, 1.5 for high conflict, 2 with safety."""
    if case.safety:
        return number("hours.safety")
    if case.level == "high":
        return number("hours.high_conflict")
    return number("hours.standard")


@dataclass(frozen=True)
class Travel:
    """Where the parents would meet this mediator, and whether that is by video/phone."""

    location: LocationRef | None
    minutes: int
    remote: bool
    allowed: bool


def travel(*, case: CaseNeed, mediator: MediatorSlot) -> Travel:
    """The nearest location, and the travel rule: in person within the limit, else remote.

    Remote (video/phone) is allowed beyond the limit only when the parents accept it and the
    mediator belongs to the case's office (employee, or external supervised by it): the brief
    allows video "where travel is very long", not as a default. Safety cases may be remote:
    separate video meetings keep the parents apart, and the competence rules still apply.
    """
    if not mediator.locations:
        return Travel(None, 0, remote=False, allowed=False)
    location, minutes = nearest_location(case.home, mediator.locations)
    if minutes <= number("travel.max_journey"):
        return Travel(location, minutes, remote=False, allowed=True)
    remote = case.remote_ok and mediator.office_id == case.office_id
    return Travel(location, minutes, remote=remote, allowed=remote)


def _text(nb: str, en: str) -> dict[str, str]:
    return {"nb": nb, "en": en}


def _check_person(case: CaseNeed, mediator: MediatorSlot, today: date) -> list[Exclusion]:
    found = []
    if not mediator.active:
        found.append(
            Exclusion("mediator.active", _text("Mekleren er ikke aktiv.", "Mediator is inactive."))
        )
    if mediator.kind == "external":
        until = mediator.approved_until
        if until is None or until < today:
            when = until.isoformat() if until else "-"
            found.append(
                Exclusion(
                    "mediator.approval",
                    _text(
                        f"Godkjenningen som ekstern mekler gjaldt til {when}.",
                        f"External approval valid until {when}: expired or missing.",
                    ),
                )
            )
    elif mediator.office_id != case.office_id:
        found.append(
            Exclusion(
                "office.own_office",
                _text(
                    "Mekleren er ansatt ved et annet kontor enn det som har saken.",
                    "Office mediator of another office than the one holding the case.",
                ),
            )
        )
    if mediator.declared_parties & case.parties:
        found.append(
            Exclusion(
                "conflict_of_interest",
                _text(
                    "Mekleren har meldt seg inhabil overfor en av partene.",
                    "Mediator declared a conflict of interest with a party.",
                ),
            )
        )
    return found


def _check_competence(case: CaseNeed, mediator: MediatorSlot) -> list[Exclusion]:
    found = []
    if needs_high_conflict(case):
        why_nb = "sikkerhetshensyn" if case.safety else "høyt konfliktnivå"
        why_en = "a safety flag" if case.safety else "high conflict"
        if not mediator.high_conflict:
            found.append(
                Exclusion(
                    "competence.high_conflict",
                    _text(
                        f"Saken har {why_nb}; mekleren mangler kompetanse på høy konflikt.",
                        f"Case has {why_en}; mediator lacks high-conflict competence.",
                    ),
                )
            )
        if not mediator.separate_meetings:
            found.append(
                Exclusion(
                    "competence.separate_meetings",
                    _text(
                        f"Saken har {why_nb}; mekleren kan ikke holde separate møter.",
                        f"Case has {why_en}; mediator cannot hold separate meetings.",
                    ),
                )
            )
    if needs_court_competence(case) and not mediator.court_referral:
        found.append(
            Exclusion(
                "competence.court_referral",
                _text(
                    "Saken er henvist fra retten eller gjelder tvangsfullbyrdelse; mekleren "
                    "mangler kompetanse på dette.",
                    "Court referral or enforcement case; mediator lacks that competence.",
                ),
            )
        )
    needed = required_languages(case)
    if not needed <= mediator.languages:
        missing = needed - mediator.languages
        nb, en = language_names(missing)
        found.append(
            Exclusion(
                "language.shared",
                _text(
                    f"Mekleren snakker ikke {nb}, og det er ikke bestilt tolk (barn skal aldri "
                    "tolke).",
                    f"Mediator does not speak {en} and no interpreter is booked (a child must "
                    "never interpret).",
                ),
            )
        )
    return found


def _check_capacity(case: CaseNeed, mediator: MediatorSlot) -> list[Exclusion]:
    hours = case_hours(case)
    if mediator.load_hours + hours <= mediator.capacity_hours + 1e-9:
        return []
    free = max(0.0, mediator.capacity_hours - mediator.load_hours)
    return [
        Exclusion(
            "capacity.full",
            _text(
                f"Saken tar {hours:g} t/uke; mekleren har {free:g} av "
                f"{mediator.capacity_hours:g} t ledig.",
                f"Case takes {hours:g} h/week; mediator has {free:g} of "
                f"{mediator.capacity_hours:g} h free.",
            ),
        )
    ]


def _check_travel(case: CaseNeed, mediator: MediatorSlot) -> list[Exclusion]:
    trip = travel(case=case, mediator=mediator)
    if trip.location is None:
        return [
            Exclusion(
                "location.none",
                _text("Mekleren har ikke noe møtested.", "Mediator has no meeting location."),
            )
        ]
    if trip.allowed:
        return []
    limit = int(number("travel.max_journey"))
    if case.remote_ok:
        nb_tail = "video/telefon kun med mekler fra kontoret som har saken"
        en_tail = "video/phone only with a mediator of the case's office"
    else:
        nb_tail = "foreldrene har ikke godtatt video/telefon"
        en_tail = "the parents have not accepted video/phone"
    return [
        Exclusion(
            "travel.max_journey",
            _text(
                f"Reisetid ca. {trip.minutes} min til {trip.location.name} er over "
                f"veiledende {limit} min; {nb_tail}.",
                f"Journey about {trip.minutes} min to {trip.location.name} exceeds the "
                f"{limit} min guidance; {en_tail}.",
            ),
        )
    ]


def exclusions(*, case: CaseNeed, mediator: MediatorSlot, today: date) -> list[Exclusion]:
    """Every rule that excludes this mediator for this case; an empty list means eligible."""
    return [
        *_check_person(case, mediator, today),
        *_check_competence(case, mediator),
        *_check_capacity(case, mediator),
        *_check_travel(case, mediator),
    ]


def is_eligible(*, case: CaseNeed, mediator: MediatorSlot, today: date) -> bool:
    """Same rules as `exclusions`, stopping at the first group that excludes (cheap first)."""
    return not (
        _check_person(case, mediator, today)
        or _check_competence(case, mediator)
        or _check_capacity(case, mediator)
        or _check_travel(case, mediator)
    )
