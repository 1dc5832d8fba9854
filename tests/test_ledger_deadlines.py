"""Deadline normalisation for the ledger: invented examples only."""
import unicodedata

import pytest

from vi_officials.applications.ledger.deadlines import normalise_deadline


def nfd(s: str) -> str:
    return unicodedata.normalize("NFD", s)


CASES = [
    # full dates
    ("30/6/2023", "", "2023-06-30"),
    ("ngày 30/6/2023", "", "2023-06-30"),
    ("15-12-2023", "", "2023-12-15"),
    ("08/01/2021", "", "2021-01-08"),
    ("1.7.2024", "", "2024-07-01"),
    ("ngày 15 tháng 6 năm 2025", "", "2025-06-15"),
    ("30/06/2023", "2024-01", "2023-06-30"),  # explicit year: never rolled
    ("29/2/2024", "", "2024-02-29"),
    # impossible dates
    ("31/2/2024", "", ""),
    ("29/2/2023", "", ""),
    ("32/1/2024", "2024-01", ""),
    ("15/13/2024", "", ""),
    ("0/5/2024", "", ""),
    ("31/4", "2024-01", ""),
    # day-month without year, resolved against the article
    ("30/6", "2023-05", "2023-06-30"),
    ("ngày 15/1", "2023-11", "2024-01-15"),
    ("ngày 1.1", "2023-12-10", "2024-01-01"),
    ("Ngày 29-3", "2024-03-29", "2024-03-29"),  # same day: not in the past
    ("Ngày 29-3", "2024-03-30", "2025-03-29"),  # full-date comparison
    ("15-8", "2024-08", "2024-08-15"),  # article without day: month comparison
    ("ngày 20 tháng 11", "2023-11-25", "2024-11-20"),
    ("29/2", "2023-03", "2024-02-29"),  # rollover lands on a leap year
    ("29/2", "2024-06", ""),  # rollover to 2025: no 29 February
    ("30/6", "", ""),
    ("30/6", "2023", ""),  # malformed article date counts as unknown
    ("30/6", "2023-13", ""),
    # months
    ("tháng 10", "2023-06", "2023-10"),
    ("tháng 3", "2023-06", "2024-03"),
    ("tháng 6", "2023-06-20", "2023-06"),
    ("tháng 12-2024", "", "2024-12"),
    ("tháng 12/2024", "", "2024-12"),
    ("tháng 3 năm 2025", "", "2025-03"),
    ("tháng 13/2024", "", ""),
    ("tháng 10", "", ""),
    # quarters
    ("quý III", "2024-02", "2024-Q3"),
    ("quý 3", "2024-02", "2024-Q3"),
    ("quý III/2024", "", "2024-Q3"),
    ("quý IV năm 2025", "", "2025-Q4"),
    ("quý I-2025", "", "2025-Q1"),
    ("quý I", "2024-05", "2025-Q1"),
    ("quý II", "2024-06-30", "2024-Q2"),
    ("quý V/2024", "", ""),
    ("quý 5", "2024-01", ""),
    ("quý III", "", ""),
    # half-years
    ("6 tháng đầu năm 2024", "", "2024-H1"),
    ("6 tháng cuối năm", "2023-03", "2023-H2"),
    ("6 tháng đầu năm", "2023-07", "2023-H1"),  # report period: article's year
    ("6 tháng cuối năm", "", ""),
    # years and plan periods
    ("năm 2025", "", "2025"),
    ("2025", "", "2025"),
    ("cuối năm 2025", "2023-01", "2025"),
    ("2020-2025", "", "2025"),
    ("2025 - 2030", "", "2030"),
    ("giai đoạn 2021–2025", "", "2025"),
    ("2030-2025", "", ""),
    # vague or relative
    ("thời gian tới", "2023-05", ""),
    ("sớm", "2023-05", ""),
    ("ngày mai", "2023-05-10", ""),
    ("tuần sau", "2023-05-10", ""),
    ("đầu năm", "2023-05", ""),
    ("cuối năm", "2023-05", ""),
    ("Tết Nguyên đán", "2023-05", ""),
    ("", "2023-05", ""),
    ("   ", "", ""),
    # leading prepositions and punctuation
    ("trước ngày 30/6/2023", "", "2023-06-30"),
    ("chậm nhất ngày 15/1", "2023-11", "2024-01-15"),
    ("trong quý III/2024", "", "2024-Q3"),
    ("đến năm 2030", "", "2030"),
    ("(30/6/2023).", "", "2023-06-30"),
    # NFD input
    (nfd("ngày 15 tháng 6 năm 2025"), "", "2025-06-15"),
    (nfd("quý IV năm 2025"), "", "2025-Q4"),
    (nfd("6 tháng đầu năm 2024"), "", "2024-H1"),
    (nfd("trước ngày 30/6"), "2023-05", "2023-06-30"),
    # spacing variants
    ("30 / 6", "2023-05", "2023-06-30"),
    ("  ngày  30 / 6 / 2023 ", "", "2023-06-30"),
    ("quý III / 2024", "", "2024-Q3"),
    ("tháng  12 - 2024", "", "2024-12"),
]


@pytest.mark.parametrize("text,article_date,expected", CASES)
def test_normalise_deadline(text, article_date, expected):
    assert normalise_deadline(text, article_date) == expected


def test_default_article_date_is_unknown():
    assert normalise_deadline("30/6") == ""
    assert normalise_deadline("30/6/2023") == "2023-06-30"


@pytest.mark.parametrize("text,article_date,kind", [
    ("trước ngày 30/6", "2023-05", "day"),
    ("tháng 12/2024", "", "month"),
    ("quý III", "2024-02", "quarter"),
    ("6 tháng cuối năm 2024", "", "half-year"),
    ("giai đoạn 2021-2025", "", "year"),
    ("sớm nhất có thể", "2024-02", "unresolved"),
    ("30/6", "", "unresolved"),  # no article date: the year is unknown, not a guess
    ("", "2024-02", ""),  # no deadline at all
])
def test_deadline_kind_keeps_no_deadline_unresolved_and_each_granularity_apart(text, article_date, kind):
    from vi_officials.applications.ledger.deadlines import deadline_kind

    assert deadline_kind(text, normalise_deadline(text, article_date)) == kind
