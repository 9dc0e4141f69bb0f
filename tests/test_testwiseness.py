"""Naive test-taking strategies must not beat chance by much on the bundled decks.

A student who does not know the facts should not be able to score by picking
the middle date, the longest option, or the option most like the others.
Scores are printed (run pytest with -s, or read the -ra summary) and asserted.
"""

from __future__ import annotations

import statistics
from difflib import SequenceMatcher

import pytest

from quizgen.quiz import QuizSpec

SEEDS = range(40)
MARGIN = 0.12  # how far above chance a strategy may score before the distractors are too easy


def _middle(q) -> int:
    # Options of date and number questions, ranked by their position in the library's own ordering.
    keys = [_sort_key(o) for o in q.options]
    order = sorted(range(len(q.options)), key=lambda i: keys[i])
    return order[(len(order) - 1) // 2]


def _sort_key(option: str):
    from quizgen.dates import MONTHS

    parts = option.replace(",", "").split()
    nums = [p for p in parts if p.isdigit()]
    if any(p in MONTHS for p in parts):
        month = next(MONTHS.index(p) for p in parts if p in MONTHS)
        day = int(parts[0]) if parts[0].isdigit() and len(parts) == 3 else 1
        return (int(parts[-1]), month, day)
    return (float(nums[0]) if nums else 0.0,)


def _longest(q) -> int:
    return max(range(len(q.options)), key=lambda i: len(q.options[i]))


def _most_alike(q) -> int:
    def mean_sim(i):
        return statistics.mean(SequenceMatcher(None, q.options[i].lower(), o.lower()).ratio()
                               for j, o in enumerate(q.options) if j != i)
    return max(range(len(q.options)), key=mean_sim)


def _questions(maker, library, kinds):
    out = []
    for deck in library.decks:
        for seed in SEEDS:
            quiz = maker.make(QuizSpec(deck, 10, seed, kinds))
            out += [q for q in quiz.questions if len(q.options) > 2]
    return out


@pytest.mark.parametrize(
    ("name", "strategy", "applies"),
    [
        ("middle date or number", _middle, lambda q: q.template == "forward" and q.fact_kind in ("date", "quantity")),
        ("longest option", _longest, lambda q: True),
        ("option most like the others", _most_alike, lambda q: True),
    ],
)
def test_naive_strategies_stay_near_chance(maker, library, name, strategy, applies, record_property, capsys):
    questions = [q for q in _questions(maker, library, ("forward", "reverse")) if applies(q)]
    assert len(questions) > 50
    score = statistics.mean(strategy(q) == q.answer_index for q in questions)
    chance = statistics.mean(1 / len(q.options) for q in questions)
    record_property(name, f"{score:.3f} vs chance {chance:.3f}")
    with capsys.disabled():
        print(f"\n  test-wiseness: {name}: {score:.1%} on {len(questions)} questions (chance {chance:.1%})")
    assert score <= chance + MARGIN, f"{name} scores {score:.1%}, chance is {chance:.1%}"
