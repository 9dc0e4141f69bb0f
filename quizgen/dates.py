"""Dates known to a day, a month or a year, as historical sources give them."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from .limits import MAX_YEAR, MIN_YEAR

MONTHS = (
    "January", "February", "March", "April", "May", "June",
    "July", "August", "September", "October", "November", "December",
)

_PATTERN = re.compile(r"(?P<y>\d{4})(?:-(?P<m>\d{2})(?:-(?P<d>\d{2}))?)?", re.ASCII)  # fullmatch; ASCII: no other digits


class Precision(StrEnum):
    DAY = "day"
    MONTH = "month"
    YEAR = "year"


@dataclass(frozen=True, order=True)
class FuzzyDate:
    """A calendar date with the precision the source states it to.

    ``value`` always holds a real date (the first of the month or year when the
    precision is coarser) so dates of any precision can be compared and offset.
    """

    value: dt.date
    precision: Precision

    @classmethod
    def parse(cls, raw: Any) -> FuzzyDate:
        if isinstance(raw, FuzzyDate):
            return raw
        if isinstance(raw, dt.datetime):
            raise ValueError("a date with a time of day; give the date alone, as YYYY-MM-DD")
        if isinstance(raw, dt.date):
            cls._check_year(raw.year, raw.isoformat())
            return cls(raw, Precision.DAY)
        if not isinstance(raw, str):
            raise ValueError("not a date; write it in quotes: \"YYYY-MM-DD\", \"YYYY-MM\" or \"YYYY\"")
        text = raw.strip()
        match = _PATTERN.fullmatch(text)
        if not match:
            raise ValueError(
                f"{text!r} is not a date; write it as YYYY-MM-DD, YYYY-MM or YYYY (e.g. 1945-04-25)"
            )
        year = int(match["y"])
        cls._check_year(year, text)
        month = int(match["m"] or 1)
        day = int(match["d"] or 1)
        try:
            value = dt.date(year, month, day)
        except ValueError as exc:
            raise ValueError(f"impossible date {text}: {exc}; check the day and month") from None
        if match["d"]:
            precision = Precision.DAY
        elif match["m"]:
            precision = Precision.MONTH
        else:
            precision = Precision.YEAR
        return cls(value, precision)

    @staticmethod
    def _check_year(year: int, text: str) -> None:
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise ValueError(f"{text}: the year must be from {MIN_YEAR} to {MAX_YEAR}; check the year")

    def span(self) -> tuple[dt.date, dt.date]:
        """The first and last day the date may mean: 'November 1933' spans the whole month."""
        start = self.value
        if self.precision is Precision.DAY:
            return start, start
        if self.precision is Precision.MONTH:
            nxt = dt.date(start.year + start.month // 12, start.month % 12 + 1, 1)
            return start, nxt - dt.timedelta(days=1)
        return start, dt.date(start.year, 12, 31)

    def overlaps(self, other: FuzzyDate) -> bool:
        """True when both could be the same day ('16 November 1933' and 'November 1933')."""
        a, b = self.span(), other.span()
        return a[0] <= b[1] and b[0] <= a[1]

    def iso(self) -> str:
        """The canonical string form, as written in content files."""
        if self.precision is Precision.DAY:
            return self.value.isoformat()
        if self.precision is Precision.MONTH:
            return f"{self.value.year:04d}-{self.value.month:02d}"
        return f"{self.value.year:04d}"

    def render(self) -> str:
        """How a reader sees it: '25 April 1945', 'November 1933' or '1945'."""
        if self.precision is Precision.DAY:
            return f"{self.value.day} {MONTHS[self.value.month - 1]} {self.value.year}"
        if self.precision is Precision.MONTH:
            return f"{MONTHS[self.value.month - 1]} {self.value.year}"
        return str(self.value.year)

    def __str__(self) -> str:
        return self.iso()


_MONTH_NAMES = "|".join(MONTHS)
_TEXT_DAY = re.compile(rf"\b(\d{{1,2}})(?:[–-]\d{{1,2}})? ({_MONTH_NAMES}) (\d{{3,4}})\b")
_TEXT_MONTH = re.compile(rf"\b({_MONTH_NAMES}) (\d{{3,4}})\b")
_TEXT_YEARS = re.compile(r"\b(1\d{3}|20\d{2})(?:[–-](\d{2}))?\b")


def dates_in(text: str | None, precision: Precision) -> frozenset[str]:
    """The dates a text names, rendered at ``precision`` ("21 October 1860", "1771" and "1772" for
    "1771–72"): a curator's note naming another account's date makes that date arguably true."""
    text = text or ""
    if precision is Precision.DAY:
        return frozenset(f"{int(d)} {m} {y}" for d, m, y in _TEXT_DAY.findall(text))
    if precision is Precision.MONTH:
        return frozenset(f"{m} {y}" for m, y in _TEXT_MONTH.findall(text))
    years: set[str] = set()
    for first, last in _TEXT_YEARS.findall(text):
        years.add(first)
        if last:
            years.add(first[:2] + last)
    return frozenset(years)
