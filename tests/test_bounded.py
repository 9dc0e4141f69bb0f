"""Distractors in constant work for any value the model accepts, and names made safely across threads."""

from __future__ import annotations

import datetime as dt
import random
import re
import time
import tracemalloc

import pytest

from quizgen.dates import FuzzyDate, Precision
from quizgen.distractors import DistractorIndex
from quizgen.errors import QuestionError
from quizgen.models import DateFact, QuantityFact, Source
from quizgen.questions import make_question

_FROM_SUPERSCRIPT = str.maketrans("⁻⁰¹²³⁴⁵⁶⁷⁸⁹", "-0123456789")
SOURCE = Source(id="s", title="T", publisher="P", kind="book", published="2020", text="s.txt")
INDEX = DistractorIndex([])


@pytest.mark.parametrize("value", [123456789, 2147483647, 10**18 + 7, 1e308, -1e308, 1.7976931348623157e308,
                                   1e-7, 5e-324, -42, -0.5, 0, 0.1, 3.14159265358979, 999999999999999999999])
def test_any_quantity_gives_options_quickly_and_in_little_memory(value):
    # Built without validation: `check` refuses some of these today, but the engine is bounded regardless.
    fact = QuantityFact.model_construct(kind="quantity", id="n", source="s", quote="q", value=value, counts="things")
    tracemalloc.start()
    started = time.perf_counter()
    try:
        for seed in range(20):
            for template in ("forward", "true_false"):
                try:
                    q = make_question(fact, template, SOURCE, "t", INDEX, random.Random(seed))
                except QuestionError:
                    continue  # too few options is a refusal, not a failure
                assert len(set(q.options)) == len(q.options)
                assert all(len(o) < 40 for o in q.options), q.options  # 1e308 is not 309 digits
        elapsed = time.perf_counter() - started
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    # Generous bounds a blow-up (seconds, hundreds of MB) cannot meet; the real cost is ~milliseconds.
    assert elapsed < 2 and peak < 5_000_000, (elapsed, peak)


def test_large_and_tiny_quantities_get_wrong_options_of_their_own_size():
    for value in (123456789, 2147483647, 1e-7):
        fact = QuantityFact.model_construct(kind="quantity", id="n", source="s", quote="q", value=value,
                                            counts="things")
        q = make_question(fact, "forward", SOURCE, "t", INDEX, random.Random(1))
        numbers = [float(o.replace(",", "").removeprefix("About ").replace(" × 10", "e").translate(_FROM_SUPERSCRIPT))
                   for o in q.options]
        # Of the answer's own magnitude: no 0 or 1e+308 among options for 1e-07 (whose wrong options,
        # in scientific notation, change the power of ten by one or two).
        assert len(numbers) == 4 and all(0.0099 * value <= n <= 101 * value for n in numbers), q.options


@pytest.mark.parametrize(("date", "precision"), [
    ((1, 1, 1), Precision.DAY), ((1, 1, 1), Precision.MONTH), ((1, 1, 1), Precision.YEAR),
    ((9998, 12, 31), Precision.DAY), ((9999, 12, 31), Precision.DAY), ((9999, 12, 1), Precision.MONTH),
    ((9999, 1, 1), Precision.YEAR)])
def test_dates_at_the_ends_of_the_calendar(date, precision):
    # Built without validation: `check` stops at 9998 today, but the engine is bounded regardless.
    fact = DateFact.model_construct(kind="date", id="d", source="s", quote="q", event="the event",
                                    date=FuzzyDate(dt.date(*date), precision))
    for seed in range(20):
        q = make_question(fact, "forward", SOURCE, "t", INDEX, random.Random(seed))
        assert len(q.options) >= 3 and len(set(q.options)) == len(q.options)


def test_an_at_least_count_offers_only_larger_wrong_counts():
    fact = QuantityFact(kind="quantity", id="n", source="s", quote="q", value=5, measure="times",
                        counts="times, at the least, that they spoke", distractors=(3, 7, 10, 12))
    for seed in range(30):
        q = make_question(fact, "forward", SOURCE, "t", INDEX, random.Random(seed))
        assert q.answer == "5 times"
        assert all(int(o.split()[0]) > 5 for o in q.options if o != q.answer), q.options


def test_counts_and_hours_read_as_english():
    once = QuantityFact(kind="quantity", id="n", source="s", quote="q", value=1, measure="times", counts="visits",
                        distractors=(2, 3, 4))
    options = set()
    for seed in range(30):
        options |= set(make_question(once, "forward", SOURCE, "t", INDEX, random.Random(seed)).options)
    assert {"Once", "Twice", "3 times"} <= options and not any("1 times" in o for o in options)
    hour = QuantityFact(kind="quantity", id="h", source="s", quote="q", value=11, measure="hour",
                        counts="the hour the parade began", distractors=(9, 10, 13),
                        stems={"true_false": "The parade began at {answer}."})
    for seed in range(20):
        q = make_question(hour, "forward", SOURCE, "t", INDEX, random.Random(seed))
        assert q.answer == "11 a.m." and all(re.fullmatch(r"\d{1,2} [ap]\.m\.|Noon", o) for o in q.options), q.options
    statements = {make_question(hour, "true_false", SOURCE, "t", INDEX, random.Random(s)).stem for s in range(20)}
    assert "True or false? The parade began at 11 a.m." in statements


