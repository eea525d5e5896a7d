"""Publication dates: read under any of their names, normalised to ISO 8601, raw kept."""

from __future__ import annotations

from pathlib import Path

import pytest

from claimtrace.pipeline.dates import normalise_date
from claimtrace.pipeline.ingest import Article, make_article, read_csv

FIXTURES = Path(__file__).parent / "fixtures"


@pytest.mark.parametrize("raw, expected", [
    ("2019-01-04", "2019-01-04"),
    ("Friday, January 4, 2019", "2019-01-04"),
    ("4 January 2019", "2019-01-04"),
    ("Jan 4, 2019 10:30 AM", "2019-01-04T10:30:00"),
    ("2019-01-04T10:30:00Z", "2019-01-04T10:30:00+00:00"),
    ("2019-01-04 10:30:00+02:00", "2019-01-04T10:30:00+02:00"),
    ("2019-02-30", None),  # no such day
    ("20190104", "2019-01-04"),  # basic format: a date, not midnight
    ("2019-01-01111", None),  # fromisoformat alone read 11:00 into it
    ("2019-01-04x12", None),
    ("not a date", None),
    ("yesterday", None),  # relative to when? never guessed
    # Numbers only: dots are day first; slashes as the numbers allow; both orders possible
    # is unreadable rather than a silent guess months off.
    ("04.01.2019", "2019-01-04"),
    ("4.1.2019", "2019-01-04"),
    ("13/01/2019", "2019-01-13"),
    ("01/13/2019", "2019-01-13"),
    ("04/04/2019", "2019-04-04"),
    ("04/01/2019", None),
    ("31.02.2019", None),
    # A zone given with the time is kept, as in ISO input; none is never invented.
    ("4 Jan 2019 23:30 -05:00", "2019-01-04T23:30:00-05:00"),
    ("Thu, 03 Jan 2019 10:00:00 GMT", "2019-01-03T10:00:00+00:00"),
    ("", None),
    (None, None),
])
def test_normalise_date(raw, expected):
    assert normalise_date(raw) == expected


@pytest.mark.parametrize("key", ["published", "datePublished", "date"])
def test_every_date_key_is_read(key):
    article = make_article({"text": "Some text.", key: " 4 January 2019 "}, "t")
    assert (article.published, article.published_raw) == ("2019-01-04", "4 January 2019")


def test_published_wins_over_date_and_unreadable_dates_keep_the_raw():
    article = make_article({"text": "x", "published": "2020-05-01", "date": "2019-01-01"}, "t")
    assert article.published == "2020-05-01"
    article = make_article({"text": "x", "date": "sometime in spring"}, "t")
    assert (article.published, article.published_raw) == (None, "sometime in spring")


def test_the_wikinews_csv_date_column_is_kept():
    articles = [a for a in read_csv(FIXTURES / "gold" / "wikinews_tiny.csv")
                if isinstance(a, Article)]
    assert [a.published for a in articles] == ["2019-01-01", "2019-01-02"]
    assert all(a.published_raw == a.published for a in articles)


def test_a_date_text_longer_than_any_date_is_not_parsed():
    # dateparser takes minutes over 100 kB of "January 4 January 4 ..."; no date is that long
    assert normalise_date("January 4 " * 10_000) is None
    assert normalise_date("Friday, January 4, 2019") == "2019-01-04"


# A date in numbers only keeps the strict rule wherever it stands in the text: with a time
# before or after it, or a two-digit year (dateparser alone read these month first).
@pytest.mark.parametrize("raw, expected", [
    pytest.param("03.12.2026 14:30", "2026-12-03T14:30:00", id="dots-then-time-day-first"),
    pytest.param("13.12.2026 23:59", "2026-12-13T23:59:00", id="dots-then-time-unambiguous"),
    pytest.param("03.12.2026 14:30 +01:00", "2026-12-03T14:30:00+01:00", id="dots-time-zone"),
    pytest.param("Do., 03.12.2026, 14:30 Uhr", "2026-12-03T14:30:00", id="dots-in-words"),
    pytest.param("04/01/2019 10:30", None, id="slashes-then-time-ambiguous"),
    pytest.param("03-12-2026 08:00", None, id="dashes-then-time-ambiguous"),
    pytest.param("10:30 on 4/1/2019", None, id="time-then-slashes-ambiguous"),
    pytest.param("12/13/2026 09:15", "2026-12-13T09:15:00", id="slashes-then-time-month-first"),
    pytest.param("10:30 on 13/1/2019", "2019-01-13T10:30:00", id="time-then-slashes-day-first"),
    pytest.param("12/03/26", None, id="two-digit-year-slashes-ambiguous"),
    pytest.param("3/12/26", None, id="two-digit-year-short-ambiguous"),
    pytest.param("13-12-26", None, id="two-digit-year-could-be-year-first"),  # 2013-12-26 too
    pytest.param("12/13/26", "2026-12-13", id="two-digit-year-one-reading"),
    pytest.param("40/12/26", "2040-12-26", id="two-digit-year-first-over-31"),
    pytest.param("3 12 2026", None, id="spaces-ambiguous"),
    pytest.param("3 13 2026", "2026-03-13", id="spaces-unambiguous"),
    pytest.param("03.12.26", "2026-12-03", id="dots-two-digit-year-day-first"),
    pytest.param("03.12.26 14:30", "2026-12-03T14:30:00", id="dots-two-digit-year-time"),
    pytest.param("31.02.2026 10:00", None, id="dots-no-such-day-with-time"),
    pytest.param("2026-12-03 14:30", "2026-12-03T14:30:00", id="iso-year-first"),
    pytest.param("2026/12/03 14:30", "2026-12-03T14:30:00", id="slashes-year-first"),
])
def test_numeric_date_with_time_or_two_digit_year(raw, expected):
    assert normalise_date(raw) == expected
