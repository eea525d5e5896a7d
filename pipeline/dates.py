"""Publication dates: whatever string the input gives -> ISO 8601, with ``dateparser``.

Only the date as written is parsed: no "relative to today" guesses for bare words like
"yesterday" (a dump read next year would move every date), and no invented time of day.
"""

from __future__ import annotations

import re
from datetime import datetime
from functools import lru_cache

# "2019-01-04", "2019-01-04T10:30:00Z", "2019-01-04 10:30:00+02:00": cheap to read without
# dateparser, and these are most inputs.
_ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
_BASIC_DATE = re.compile(r"^\d{8}$")  # "20190104"
_ISO_TIMESTAMP = re.compile(
    r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}(:\d{2}(\.\d{1,6})?)?(Z|[+-]\d{2}(:?\d{2})?)?$")
_HAS_TIME = re.compile(r"\d{1,2}:\d{2}")
# Day, month and year in numbers only, anywhere in the text: "04.01.2019", "1/4/2019 10:30",
# "10:30 on 3 12 26". Not part of a longer run of numbers or of a time ("2019-01-04" is ISO,
# year first; in "4 1 10:30" the 10 is an hour, not a year).
_NUMERIC_DATE = re.compile(
    r"(?<![\d.:/-])(\d{1,2})([./ -])(\d{1,2})\2(\d{4}|\d{2})(?![\d:]|[./-]\d)")
# dateparser's default: a time with a zone ("… 23:30 -05:00", "… GMT") keeps its offset, a
# time without one stays without; never the local zone of the machine that reads the dump.
_SETTINGS = {
    "PREFER_DAY_OF_MONTH": "first",
    "PARSERS": ["timestamp", "custom-formats", "absolute-time"],
    "REQUIRE_PARTS": ["day", "month", "year"],
    "STRICT_PARSING": False,
}


def _iso_or_none(text: str) -> str | None:
    """An ISO 8601 date or timestamp as written; anything looser goes to dateparser.
    (`datetime.fromisoformat` alone reads "2019-01-01111" as 11:00 and "20190104" as
    midnight: times the text does not give.)"""
    for pattern, form in ((_ISO_DATE, "%Y-%m-%d"), (_BASIC_DATE, "%Y%m%d")):
        if pattern.match(text):
            try:
                return datetime.strptime(text, form).date().isoformat()
            except ValueError:
                return None
    if not _ISO_TIMESTAMP.match(text):
        return None
    try:
        parsed = datetime.fromisoformat(text.replace("Z", "+00:00"))
    except ValueError:
        return None
    return parsed.isoformat()


def _two_digit_year(year: int) -> int:
    """A two-digit year in full ("26" -> 2026, "99" -> 1999): the POSIX pivot, as
    `strptime("%y")` reads it, so this module and the standard library never disagree."""
    return year + (2000 if year < 69 else 1900)


def _valid_date(year: int, month: int, day: int) -> str | None:
    try:
        return datetime(year, month, day).date().isoformat()
    except ValueError:
        return None


def _numeric_date(match: re.Match[str]) -> str | None:
    """A date written in numbers only, read without guessing the order: with dots it is
    day first ("04.01.2019", "04.01.19", as German and most European sites write it); with
    slashes, dashes or spaces, any order the numbers allow: day or month first, and with a
    two-digit year also year first ("13/01/2019", "01/13/2019", "40/12/26"). Where two orders
    give different dates ("04/01/2019", "13/12/26") it is unreadable (None; the raw text is
    kept): a guess would put some articles months or years off, and no one would see it."""
    first, separator, second, last = match.groups()
    a, b = int(first), int(second)
    year = int(last) if len(last) == 4 else _two_digit_year(int(last))
    readings = [(year, b, a)]
    if separator != ".":
        readings.append((year, a, b))
        if len(last) == 2:
            readings.append((_two_digit_year(a), b, int(last)))
    dates = {_valid_date(*reading) for reading in readings} - {None}
    return dates.pop() if len(dates) == 1 else None


def _with_numeric_date(text: str, match: re.Match[str]) -> str | None:
    """The text with its numeric date read strictly and rewritten year first, so the rest
    (a time, a zone, a weekday) is still read, but no parser can reorder day and month."""
    date = _numeric_date(match)
    if date is None:
        return None
    text = text[:match.start()] + date + text[match.end():]
    parsed = _iso_or_none(text) or _dateparser(text)
    # Whatever else the text holds must not move the date fixed here.
    return parsed if parsed is not None and parsed.startswith(date) else None


def _dateparser(text: str) -> str | None:
    import dateparser

    parsed = dateparser.parse(text, languages=None, settings=_SETTINGS)
    if parsed is None:
        return None
    if _HAS_TIME.search(text):
        return parsed.isoformat()
    return parsed.date().isoformat()


# The longest date text worth parsing ("Wednesday, 2 December 2026, 10:30:00 UTC+01:00" is 45).
MAX_DATE_CHARS = 200


@lru_cache(maxsize=4096)
def normalise_date(raw: str | None) -> str | None:
    """ISO 8601 (``YYYY-MM-DD``, or a full timestamp when the input has a time), or None."""
    if raw is None or not str(raw).strip():
        return None
    text = str(raw).strip()
    iso = _iso_or_none(text)
    if iso is not None:
        return iso
    if len(text) > MAX_DATE_CHARS:
        return None  # no date is this long, and dateparser takes minutes over 100 kB
    if (numeric := _NUMERIC_DATE.search(text)) is not None:
        return _with_numeric_date(text, numeric)
    return _dateparser(text)
