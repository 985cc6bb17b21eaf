"""One way to write dates and times, for every audience and every notice: Oslo local time.

Stored times are UTC; people read Europe/Oslo wall-clock time (summer and winter time alike).

- bokmål and nynorsk: "tirsdag 5. januar 2027 kl. 09.00" / "tysdag 5. januar 2027 kl. 09.00",
  with a full stop between hours and minutes and "kl." before the time, as Språkrådet
  recommends;
- English: "Tuesday 5 January 2027, 09:00".

The language is the one given, else the active one (nb for anything that is not nn or en).
Templates use the filters (`{% load datetime_format %}`): `|oslo_date`, `|oslo_time`,
`|oslo_datetime` and `|oslo_span` (a row's starts_at–ends_at).
"""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

from django import template
from django.utils.translation import get_language

OSLO = ZoneInfo("Europe/Oslo")

WEEKDAYS = {
    "nb": ("mandag", "tirsdag", "onsdag", "torsdag", "fredag", "lørdag", "søndag"),
    "nn": ("måndag", "tysdag", "onsdag", "torsdag", "fredag", "laurdag", "søndag"),
    "en": ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday"),
}
_NORWEGIAN_MONTHS = (
    "januar",
    "februar",
    "mars",
    "april",
    "mai",
    "juni",
    "juli",
    "august",
    "september",
    "oktober",
    "november",
    "desember",
)
MONTHS = {
    "nb": _NORWEGIAN_MONTHS,
    "nn": _NORWEGIAN_MONTHS,
    "en": (
        "January",
        "February",
        "March",
        "April",
        "May",
        "June",
        "July",
        "August",
        "September",
        "October",
        "November",
        "December",
    ),
}

register = template.Library()


def text_language(language: str | None = None) -> str:
    """nb, nn or en: the given language, else the active one; bokmål for anything else."""
    code = (language or get_language() or "nb").lower()
    if code.startswith("en"):
        return "en"
    if code.startswith("nn"):
        return "nn"
    return "nb"


def oslo(moment: datetime) -> datetime:
    """The moment in Oslo wall-clock time (an aware datetime; naive ones are refused)."""
    if moment.tzinfo is None:
        raise ValueError("a naive datetime has no place in Oslo time")
    return moment.astimezone(OSLO)


def _day(value: date | datetime) -> date:
    return oslo(value).date() if isinstance(value, datetime) else value


def date_text(
    value: date | datetime,
    language: str | None = None,
    *,
    weekday: bool = True,
    year: bool = True,
) -> str:
    """ "tirsdag 5. januar 2027" / "Tuesday 5 January 2027" (a datetime is taken in Oslo)."""
    lang = text_language(language)
    day = _day(value)
    month = MONTHS[lang][day.month - 1]
    text = f"{day.day} {month}" if lang == "en" else f"{day.day}. {month}"
    if year:
        text = f"{text} {day.year}"
    if weekday:
        text = f"{WEEKDAYS[lang][day.weekday()]} {text}"
    return text


def time_text(value: datetime | time, language: str | None = None) -> str:
    """ "09.00" in Norwegian, "09:00" in English (a datetime is taken in Oslo)."""
    local = oslo(value) if isinstance(value, datetime) else value
    separator = ":" if text_language(language) == "en" else "."
    return f"{local.hour:02d}{separator}{local.minute:02d}"


def time_range_text(
    starts: datetime | time, ends: datetime | time, language: str | None = None
) -> str:
    """ "09.00–10.00" / "09:00–10:00"."""
    return f"{time_text(starts, language)}–{time_text(ends, language)}"


def _at(day: str, clock: str, language: str) -> str:
    return f"{day}, {clock}" if language == "en" else f"{day} kl. {clock}"


def datetime_text(moment: datetime, language: str | None = None, *, weekday: bool = True) -> str:
    """ "tirsdag 5. januar 2027 kl. 09.00" / "Tuesday 5 January 2027, 09:00"."""
    lang = text_language(language)
    return _at(date_text(moment, lang, weekday=weekday), time_text(moment, lang), lang)


def datetime_range_text(starts: datetime, ends: datetime, language: str | None = None) -> str:
    """ "tirsdag 5. januar 2027 kl. 09.00–10.00" / "Tuesday 5 January 2027, 09:00–10:00"."""
    lang = text_language(language)
    return _at(date_text(starts, lang), time_range_text(starts, ends, lang), lang)


def short_date_text(value: date | datetime | None) -> str:
    """ "05.01.2027": the Norwegian numeric date, in every language (documents, tables)."""
    if value is None:
        return ""
    day = _day(value)
    return f"{day.day:02d}.{day.month:02d}.{day.year}"


def short_datetime_text(moment: datetime, language: str | None = None) -> str:
    """ "05.01.2027 kl. 09.00" / "05.01.2027, 09:00": for tables where space is short."""
    lang = text_language(language)
    return _at(short_date_text(moment), time_text(moment, lang), lang)


def short_datetime_range_text(starts: datetime, ends: datetime, language: str | None = None) -> str:
    """ "05.01.2027 kl. 09.00–10.00" / "05.01.2027, 09:00–10:00"."""
    lang = text_language(language)
    return _at(short_date_text(starts), time_range_text(starts, ends, lang), lang)


# Template filters, in the active language. An argument picks a shorter form where space is
# short (tables): "short" is the numeric date, "no_weekday" and "no_year" leave those out.


@register.filter
def oslo_date(value: date | datetime | None, arg: str = "") -> str:
    """`|oslo_date` "tirsdag 5. januar 2027"; `:"no_weekday"`, `:"no_year"`, `:"short"`."""
    if not value:
        return ""
    if arg == "short":
        return short_date_text(value)
    return date_text(value, weekday=arg != "no_weekday", year=arg != "no_year")


@register.filter
def oslo_time(value: datetime | time | None) -> str:
    """ "09.00" / "09:00"."""
    return time_text(value) if value is not None else ""


@register.filter
def oslo_datetime(value: datetime | None, arg: str = "") -> str:
    """`|oslo_datetime` "tirsdag 5. januar 2027 kl. 09.00"; `:"short"` "05.01.2027 kl. 09.00"."""
    if not value:
        return ""
    return short_datetime_text(value) if arg == "short" else datetime_text(value)


@register.filter
def oslo_span(value: object, arg: str = "") -> str:
    """A row's `starts_at`–`ends_at`: "tirsdag 5. januar 2027 kl. 09.00–10.00";
    `:"short"` "05.01.2027 kl. 09.00–10.00"; `:"times"` "09.00–10.00"."""
    starts, ends = getattr(value, "starts_at", None), getattr(value, "ends_at", None)
    if not isinstance(starts, datetime) or not isinstance(ends, datetime):
        return ""
    if arg == "times":
        return time_range_text(starts, ends)
    if arg == "short":
        return short_datetime_range_text(starts, ends)
    return datetime_range_text(starts, ends)
