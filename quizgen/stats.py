"""Item analysis of a class's answers, as Moodle's quiz statistics define it.

Each attempt scores 1 or 0 per question (a blank counts 0). For each question:

- facility: the share of attempts that got it right;
- discrimination: the correlation of the question's score with the score on the rest of the
  test (Moodle's discrimination index, here between -1 and 1 rather than as a percentage):
  a good question is answered right by those who do well on the others;
- option counts: how often each option was chosen; a wrong option nobody chose is not doing
  the work of a distractor.

- discriminative efficiency: the discrimination as a share of the most this question could
  show given its facility (Moodle's "discriminative efficiency").

For the whole quiz: Cronbach's alpha (internal consistency) and the distribution of scores.
A figure that is undefined for the data (one attempt, or everyone scoring alike) is None, and so
is every correlation-based figure (discrimination, efficiency, alpha) from fewer than
``MIN_EVIDENCE`` attempts: from two or three students they swing from −1 to +1 on one answer.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass

# First attempts needed before discrimination, discriminative efficiency and alpha are shown.
# With n attempts one changed answer moves a correlation by about 1/sqrt(n): at 10 that is ±0.3,
# the width of Moodle's "good" band, so fewer than 10 cannot tell a good question from a bad one.
MIN_EVIDENCE = 10


def _mean(xs: Sequence[float]) -> float:
    return sum(xs) / len(xs)


def _sample_variance(xs: Sequence[float]) -> float:
    m = _mean(xs)
    return sum((x - m) ** 2 for x in xs) / (len(xs) - 1)


def correlation(xs: Sequence[float], ys: Sequence[float]) -> float | None:
    """Pearson's r; None when there are fewer than two pairs or either side does not vary."""
    if len(xs) != len(ys):
        raise ValueError("correlation needs two sequences of the same length")
    if len(xs) < 2:
        return None
    mx, my = _mean(xs), _mean(ys)
    sxy = sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True))
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx == 0 or syy == 0:
        return None
    return sxy / math.sqrt(sxx * syy)


def cronbach_alpha(scores: Sequence[Sequence[float]]) -> float | None:
    """Alpha for rows of item scores (one row per attempt): k/(k-1) · (1 − Σ item variances / total variance)."""
    if len(scores) < 2 or len(scores[0]) < 2:
        return None
    k = len(scores[0])
    totals = [sum(row) for row in scores]
    total_var = _sample_variance(totals)
    if total_var == 0:
        return None
    item_var = sum(_sample_variance([row[i] for row in scores]) for i in range(k))
    return k / (k - 1) * (1 - item_var / total_var)


def discriminative_efficiency(item: Sequence[float], rest: Sequence[float]) -> float | None:
    """cov(item, rest) over the largest covariance the same item scores could have with ``rest``
    (item scores sorted in the order of the rest scores), as Moodle computes it."""
    if len(item) < 2:
        return None
    mx, my = _mean(item), _mean(rest)
    cov = sum((x - mx) * (y - my) for x, y in zip(item, rest, strict=True))
    best = sum((x - mx) * (y - my) for x, y in zip(sorted(item), sorted(rest), strict=True))
    if best <= 0:
        return None
    return cov / best


@dataclass(frozen=True)
class ItemStats:
    facility: float | None
    discrimination: float | None
    option_counts: tuple[int, ...]
    unanswered: int
    unchosen_distractors: tuple[int, ...]  # indexes of wrong options no attempt chose
    efficiency: float | None = None  # discriminative efficiency


@dataclass(frozen=True)
class Analysis:
    attempts: int
    items: tuple[ItemStats, ...]
    alpha: float | None
    distribution: tuple[int, ...]  # attempts scoring 0, 1, …, number of questions

    @property
    def enough(self) -> bool:
        """Whether there are enough attempts for the correlation figures."""
        return self.attempts >= MIN_EVIDENCE


def analyse(option_counts: Sequence[int], answer_indexes: Sequence[int],
            responses: Sequence[Sequence[int | None]], min_evidence: int = 0) -> Analysis:
    """Item analysis of ``responses`` (one list of chosen option indexes or None per attempt).

    ``option_counts[i]`` is how many options question i has, ``answer_indexes[i]`` its right one.
    Discrimination, efficiency and alpha stay None below ``min_evidence`` attempts (the report passes
    MIN_EVIDENCE; the default shows every figure the data defines), and so does the
    list of unchosen distractors (nobody of three choosing an option says nothing about it), which is
    also empty for two-option (true/false) questions: their only wrong option is not a distractor.
    """
    enough = len(responses) >= max(min_evidence, 1)
    k = len(answer_indexes)
    for row in responses:
        if len(row) != k:
            raise ValueError(f"a response has {len(row)} answers for {k} questions")
    scores = [[1 if a == right else 0 for a, right in zip(row, answer_indexes, strict=True)] for row in responses]
    totals = [sum(row) for row in scores]
    items = []
    for i in range(k):
        item = [row[i] for row in scores]
        counts = [0] * option_counts[i]
        unanswered = 0
        for row in responses:
            if row[i] is None:
                unanswered += 1
            else:
                counts[row[i]] += 1
        unchosen = tuple(o for o, c in enumerate(counts) if c == 0 and o != answer_indexes[i]) \
            if enough and option_counts[i] > 2 else ()
        rest = [t - s for t, s in zip(totals, item, strict=True)]
        items.append(ItemStats(
            facility=_mean(item) if item else None,
            discrimination=correlation(item, rest) if enough else None,
            option_counts=tuple(counts),
            unanswered=unanswered,
            unchosen_distractors=unchosen,
            efficiency=discriminative_efficiency(item, rest) if enough else None,
        ))
    distribution = [0] * (k + 1)
    for t in totals:
        distribution[t] += 1
    return Analysis(len(responses), tuple(items), cronbach_alpha(scores) if enough else None, tuple(distribution))
