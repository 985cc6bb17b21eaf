"""Case, parent and child rows: the database refuses what must never happen."""

import threading
from datetime import date

import pytest
from django.db import IntegrityError, connection, transaction

from intake.models import Case, CaseType, Parent
from intake.services import case_reference_next
from tests.factories import CaseFactory, ParentFactory


def _refused(create: object) -> None:
    with pytest.raises(IntegrityError), transaction.atomic():
        create()  # type: ignore[operator]


@pytest.mark.django_db
def test_a_third_parent_on_a_case_is_refused() -> None:
    case = CaseFactory.create()
    ParentFactory.create(case=case, role=Parent.Role.REQUESTER)
    ParentFactory.create(case=case, role=Parent.Role.OTHER)
    _refused(lambda: ParentFactory.create(case=case, role=Parent.Role.OTHER))
    _refused(lambda: ParentFactory.create(case=case, role="third"))
    assert case.parents.count() == 2


@pytest.mark.django_db
def test_a_national_id_in_clear_text_is_refused() -> None:
    """Only the keyed digest may be stored, never the 11 digits."""
    _refused(lambda: ParentFactory.create(national_id_digest="15108695088"))


@pytest.mark.django_db
def test_relocation_case_needs_move_and_notice_dates() -> None:
    """barneloven § 42a: the move date and the notice date decide urgency."""
    _refused(lambda: CaseFactory.create(case_type=CaseType.RELOCATION))
    case = CaseFactory.create(
        case_type=CaseType.RELOCATION,
        planned_move_date=date(2027, 3, 1),
        move_notice_given_on=date(2026, 11, 1),
    )
    assert case.pk


@pytest.mark.django_db
@pytest.mark.parametrize("case_type", [CaseType.COURT_REFERRAL, CaseType.ENFORCEMENT])
def test_court_cases_need_a_deadline(case_type: str) -> None:
    _refused(lambda: CaseFactory.create(case_type=case_type))


@pytest.mark.django_db
def test_case_reference_must_have_the_mk_format() -> None:
    _refused(lambda: CaseFactory.create(reference="2026-123"))


@pytest.mark.django_db
def test_unknown_case_type_is_refused() -> None:
    _refused(lambda: CaseFactory.create(case_type="divorce_party"))


@pytest.mark.django_db
def test_case_references_count_up_per_year() -> None:
    first = case_reference_next(year=2031)
    second = case_reference_next(year=2031)
    assert (first, second) == ("MK-2031-000001", "MK-2031-000002")
    assert case_reference_next(year=2032) == "MK-2032-000001"


@pytest.mark.django_db(transaction=True)
def test_concurrent_requests_never_get_the_same_reference() -> None:
    """Eight threads on PostgreSQL take references at once; all differ."""
    assert connection.vendor == "postgresql"
    references: list[str] = []
    errors: list[BaseException] = []
    start = threading.Barrier(8)

    def take() -> None:
        try:
            start.wait()
            for _ in range(5):
                references.append(case_reference_next(year=2033))
        except BaseException as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=take) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    assert sorted(references) == [f"MK-2033-{n:06d}" for n in range(1, 41)]
    assert not Case.objects.exists()
