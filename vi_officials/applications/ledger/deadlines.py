"""Normalise deadline expressions from Vietnamese press against the article's date.

The ledger of officials' commitments needs deadlines it can compare and sort:
"trước 30/6", "quý III/2024" and "giai đoạn 2021-2025" must all become values
of one small vocabulary ("2023-06-30", "2024-Q3", "2025"). A deadline that
cannot be resolved with certainty keeps its raw text elsewhere in the ledger
and gets an empty value here -- never a guess. A missing year is only filled
in from the article's date, on the rule that a deadline lies in the article's
future; without an article date, such an expression stays unresolved.

Output forms: "YYYY-MM-DD", "YYYY-MM", "YYYY-Qn", "YYYY-Hn", "YYYY" (a range
of years, i.e. a plan period, resolves to its end year), or "". `deadline_kind`
names the form: "day", "month", "quarter", "half-year", "year", or "unresolved"
for a text that gave "" (and "" when there is no deadline text at all).
"""
from __future__ import annotations

import datetime as _dt
import re
import unicodedata
from typing import Callable, NamedTuple, Optional

__all__ = ["normalise_deadline", "deadline_kind", "DEADLINE_KINDS", "UNRESOLVED"]

_MIN_YEAR, _MAX_YEAR = 1900, 2199

# Words that may precede the DATE span in a sentence; stripped repeatedly.
_LEADING = re.compile(
    r"^(?:trước|trong|chậm nhất(?:\s+là)?|(?:cho\s+)?đến(?:\s+hết)?|tới|hết|vào|ngày)(?:\s+|$)"
)
_EDGE_PUNCT = " \t\r\n,;:.!?\"'()[]{}“”‘’«»…"
_ROMAN = {"i": 1, "ii": 2, "iii": 3, "iv": 4}


class _Article(NamedTuple):
    year: int
    month: int
    day: Optional[int]


def _parse_article_date(article_date: str) -> Optional[_Article]:
    m = re.fullmatch(r"(\d{4})-(\d{1,2})(?:-(\d{1,2}))?", (article_date or "").strip())
    if not m:
        return None
    year, month = int(m.group(1)), int(m.group(2))
    day = int(m.group(3)) if m.group(3) else None
    try:
        _dt.date(year, month, day or 1)
    except ValueError:
        return None
    return _Article(year, month, day)


def _future_year(article: Optional[_Article], month: int, day: Optional[int] = None) -> Optional[int]:
    """Year for a year-less (month, day) so that it is not before the article.

    Compares full dates when both sides have a day, months otherwise.
    """
    if article is None:
        return None
    if day is not None and article.day is not None:
        earlier = (month, day) < (article.month, article.day)
    else:
        earlier = month < article.month
    return article.year + 1 if earlier else article.year


def _valid_year(year: int) -> bool:
    return _MIN_YEAR <= year <= _MAX_YEAR


def _fmt_day(year: Optional[int], month: int, day: int) -> str:
    if year is None or not _valid_year(year):
        return ""
    try:
        return _dt.date(year, month, day).isoformat()
    except ValueError:
        return ""


def _fmt_month(year: Optional[int], month: int) -> str:
    if year is None or not _valid_year(year) or not 1 <= month <= 12:
        return ""
    return f"{year:04d}-{month:02d}"


def _full_date(m: re.Match, art: Optional[_Article]) -> str:
    return _fmt_day(int(m["y"]), int(m["m"]), int(m["d"]))


def _day_month(m: re.Match, art: Optional[_Article]) -> str:
    day, month = int(m["d"]), int(m["m"])
    if not (1 <= month <= 12 and 1 <= day <= 31):
        return ""
    return _fmt_day(_future_year(art, month, day), month, day)


def _month(m: re.Match, art: Optional[_Article]) -> str:
    month = int(m["m"])
    if not 1 <= month <= 12:
        return ""
    year = int(m["y"]) if m["y"] else _future_year(art, month)
    return _fmt_month(year, month)


def _quarter(m: re.Match, art: Optional[_Article]) -> str:
    q = m["q"]
    quarter = _ROMAN.get(q) if q.isalpha() else int(q)
    if quarter is None or not 1 <= quarter <= 4:
        return ""
    # A quarter "before" the article is one whose last month precedes it.
    year = int(m["y"]) if m["y"] else _future_year(art, quarter * 3)
    if year is None or not _valid_year(year):
        return ""
    return f"{year:04d}-Q{quarter}"


def _half(m: re.Match, art: Optional[_Article]) -> str:
    # A half-year without a year is a reporting period: the article's own year.
    year = int(m["y"]) if m["y"] else (art.year if art else None)
    if year is None or not _valid_year(year):
        return ""
    return f"{year:04d}-H{1 if m['h'] == 'đầu' else 2}"


def _year(m: re.Match, art: Optional[_Article]) -> str:
    year = int(m["y"])
    return f"{year:04d}" if _valid_year(year) else ""


def _year_range(m: re.Match, art: Optional[_Article]) -> str:
    start, end = int(m["a"]), int(m["y"])
    return f"{end:04d}" if _valid_year(start) and start <= end and _valid_year(end) else ""


# Optional qualifier before an explicit period: the period itself is the value.
_Q = r"(?:(?:đầu|giữa|cuối)\s+)?"
_SEP = r"[/.\-]"

# Tried in order on the cleaned, lower-cased text; the first full match wins.
_PATTERNS: list[tuple[re.Pattern, Callable[[re.Match, Optional[_Article]], str]]] = [
    (re.compile(r"(?:(?:giai đoạn|nhiệm kỳ|thời kỳ)\s+)?(?:năm\s+)?(?P<a>\d{4})-(?P<y>\d{4})"), _year_range),
    (re.compile(rf"(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}}){_SEP}(?P<y>\d{{4}})"), _full_date),
    (re.compile(r"(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2}),?\s+năm\s+(?P<y>\d{4})"), _full_date),
    (re.compile(rf"(?P<d>\d{{1,2}}){_SEP}(?P<m>\d{{1,2}})"), _day_month),
    (re.compile(r"(?P<d>\d{1,2})\s+tháng\s+(?P<m>\d{1,2})"), _day_month),
    (re.compile(rf"{_Q}tháng\s+(?P<m>\d{{1,2}})(?:(?:[/\-]|\s+năm\s+)(?P<y>\d{{4}}))?"), _month),
    (re.compile(rf"{_Q}quý\s+(?P<q>iv|i{{1,3}}|\d)(?:(?:[/\-]|\s+năm\s+)(?P<y>\d{{4}}))?"), _quarter),
    (re.compile(r"(?:6\s+tháng|nửa)\s+(?P<h>đầu|cuối)\s+năm(?:\s+(?P<y>\d{4}))?"), _half),
    (re.compile(rf"{_Q}(?:năm\s+)?(?P<y>\d{{4}})"), _year),
]


def _clean(text: str) -> str:
    s = unicodedata.normalize("NFC", text or "").lower()
    s = re.sub(r"[\u2010-\u2015\u2212]", "-", s)  # hyphen/en/em dashes, minus
    s = re.sub(r"\s+", " ", s).strip(_EDGE_PUNCT)
    while True:
        stripped = _LEADING.sub("", s).strip(_EDGE_PUNCT)
        if stripped == s:
            break
        s = stripped
    return re.sub(r"\s*([/.\-])\s*", r"\1", s)  # "30 / 6" -> "30/6"


def normalise_deadline(text: str, article_date: str = "") -> str:
    """Normalise a DATE span to a comparable deadline, or "" if unresolvable."""
    s = _clean(text)
    if not s:
        return ""
    article = _parse_article_date(article_date)
    for pattern, resolve in _PATTERNS:
        m = pattern.fullmatch(s)
        if m:
            return resolve(m, article)
    return ""


# granularity of each output form, finest first
DEADLINE_KINDS = (
    ("day", re.compile(r"\d{4}-\d{2}-\d{2}")),
    ("month", re.compile(r"\d{4}-\d{2}")),
    ("quarter", re.compile(r"\d{4}-Q[1-4]")),
    ("half-year", re.compile(r"\d{4}-H[12]")),
    ("year", re.compile(r"\d{4}")),
)
UNRESOLVED = "unresolved"


def deadline_kind(text: str, value: str) -> str:
    """What a deadline is: the granularity of its normalised `value`, "unresolved" when
    there is a deadline `text` but no value, "" when there is no deadline text."""
    for kind, form in DEADLINE_KINDS:
        if form.fullmatch(value or ""):
            return kind
    return UNRESOLVED if (text or "").strip() else ""
