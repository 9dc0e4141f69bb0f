"""Item analysis against hand-computed figures, reference values from pingouin, and numpy."""

from __future__ import annotations

import math
import xml.etree.ElementTree as ET

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from quizgen import charts
from quizgen.stats import analyse, correlation, cronbach_alpha

# Four students, three questions (each with options A–C, right answer A = 0):
# totals 3, 2, 1, 0. Worked by hand below.
RESPONSES = [
    [0, 0, 0],
    [0, 0, 1],
    [0, 2, None],
    [1, 1, 1],
]


def test_facility_is_the_share_answering_right():
    result = analyse([3, 3, 3], [0, 0, 0], RESPONSES)
    assert [item.facility for item in result.items] == [0.75, 0.5, 0.25]


def test_discrimination_is_the_correlation_with_the_rest_of_the_test():
    # Question 1 scores [1,1,1,0]; the rest of the test [2,1,0,0]. Deviations from the means
    # (0.75 each): Sxy = 0.75, Sxx = 0.75, Syy = 2.75, so r = 0.75 / sqrt(0.75 · 2.75).
    result = analyse([3, 3, 3], [0, 0, 0], RESPONSES)
    assert result.items[0].discrimination == pytest.approx(0.75 / math.sqrt(0.75 * 2.75))
    # Question 2 scores [1,1,0,0]; rest [2,1,1,0]: Sxy = 1, Sxx = 1, Syy = 2: r = 1/sqrt(2).
    assert result.items[1].discrimination == pytest.approx(1 / math.sqrt(2))


def test_cronbach_alpha_by_hand():
    # Item variances (n−1): 1/4, 1/3, 1/4 → 5/6; total variance of [3,2,1,0] is 5/3.
    # alpha = 3/2 · (1 − (5/6)/(5/3)) = 0.75.
    scores = [[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]]
    assert cronbach_alpha(scores) == pytest.approx(0.75)
    assert analyse([3, 3, 3], [0, 0, 0], RESPONSES).alpha == pytest.approx(0.75)


def test_option_counts_blanks_and_never_chosen_distractors():
    result = analyse([3, 3, 3], [0, 0, 0], RESPONSES)
    first, second, third = result.items
    assert first.option_counts == (3, 1, 0) and first.unanswered == 0
    assert first.unchosen_distractors == (2,)  # C was never chosen; A is right, so never "flagged"
    assert second.option_counts == (2, 1, 1) and second.unchosen_distractors == ()
    assert third.option_counts == (1, 2, 0) and third.unanswered == 1
    assert third.unchosen_distractors == (2,)


def test_a_blank_counts_as_wrong_and_the_distribution_counts_totals():
    result = analyse([3, 3, 3], [0, 0, 0], RESPONSES)
    assert result.distribution == (1, 1, 1, 1)  # one student scored each of 0, 1, 2 and 3
    assert result.attempts == 4


def test_undefined_figures_are_none_not_nan():
    one = analyse([3, 3], [0, 1], [[0, 1]])
    assert one.alpha is None and all(i.discrimination is None for i in one.items)
    assert [i.facility for i in one.items] == [1.0, 1.0]
    alike = analyse([3, 3], [0, 1], [[0, 1], [0, 1], [0, 1]])  # nobody differs: nothing to correlate
    assert alike.alpha is None and alike.items[0].discrimination is None
    empty = analyse([3, 3], [0, 1], [])
    assert empty.items[0].facility is None and empty.items[0].unchosen_distractors == ()
    assert empty.distribution == (0, 0, 0)


def test_a_response_of_the_wrong_length_is_refused():
    with pytest.raises(ValueError):
        analyse([3, 3], [0, 1], [[0]])


matrices = st.integers(2, 8).flatmap(
    lambda k: st.lists(st.lists(st.integers(0, 1), min_size=k, max_size=k), min_size=2, max_size=40)
)


# Cronbach's alpha of fixed score matrices as pingouin computes it: pingouin.cronbach_alpha(pd.DataFrame(m))[0]
# with pingouin 0.7.0 (pandas 3.1.1, scipy 1.17.1), computed once on 2026-12-07. pingouin (which brings scipy, pandas,
# statsmodels, scikit-learn, matplotlib and seaborn) is no longer a test dependency; these values are its word.
# The random matrices were drawn with random.Random(20261207), kept only when not every total is the same.
PINGOUIN_ALPHA = [
    ([[1, 1, 1], [1, 1, 0], [1, 0, 0], [0, 0, 0]], 0.75),
    ([[1, 0], [0, 1], [1, 1], [0, 0], [1, 1]], 0.2857142857142856),
    ([[0, 1], [0, 0]], 0.0),
    ([[0, 0, 0, 0], [1, 1, 1, 0], [0, 0, 1, 0], [0, 0, 0, 1], [1, 0, 0, 0], [0, 1, 1, 1]], 0.35555555555555546),
    ([[1, 1, 0, 1, 1], [1, 0, 0, 0, 0], [0, 0, 0, 1, 0], [0, 1, 1, 0, 0], [0, 1, 0, 0, 1], [1, 1, 1, 0, 0],
      [0, 1, 0, 1, 0], [0, 1, 0, 1, 1], [0, 0, 1, 0, 1], [0, 1, 0, 1, 0]], -0.5921052631578947),
    ([[0, 0, 0, 0, 1, 0, 0, 0], [1, 1, 1, 0, 1, 1, 1, 0], [1, 1, 0, 0, 1, 0, 0, 0], [0, 1, 1, 1, 1, 1, 1, 0],
      [1, 0, 1, 0, 0, 0, 0, 0], [0, 1, 1, 0, 1, 1, 0, 0], [1, 0, 1, 1, 1, 1, 1, 1], [1, 0, 1, 1, 0, 0, 0, 0],
      [1, 0, 0, 1, 0, 1, 0, 1], [1, 1, 1, 1, 1, 0, 0, 0], [1, 1, 0, 1, 1, 0, 0, 1], [0, 1, 1, 1, 0, 1, 0, 1]],
     0.4171011470281543),
    ([[0, 1, 0], [0, 0, 0], [0, 0, 1], [0, 1, 1], [0, 1, 1], [1, 1, 1], [0, 1, 0], [1, 0, 1], [1, 1, 1], [1, 0, 1],
      [0, 1, 0], [0, 0, 0], [0, 0, 1], [1, 1, 0], [0, 0, 1], [0, 0, 0], [1, 0, 0], [0, 0, 0], [0, 1, 0], [0, 0, 1],
      [0, 0, 1], [0, 1, 1], [0, 0, 1], [1, 0, 1], [0, 0, 1], [0, 0, 0], [0, 1, 0], [1, 0, 1], [0, 1, 1], [0, 0, 1]],
     -0.030201342281879318),
]


@pytest.mark.parametrize(("scores", "theirs"), PINGOUIN_ALPHA)
def test_alpha_agrees_with_pingouin(scores, theirs):
    assert cronbach_alpha(scores) == pytest.approx(theirs, abs=1e-12)


@settings(max_examples=60, deadline=None)
@given(matrices)
def test_alpha_is_none_only_when_every_total_is_the_same(scores):
    ours = cronbach_alpha(scores)
    assert (ours is None) == (len({sum(r) for r in scores}) == 1)
    if ours is not None:
        assert ours <= 1 + 1e-12  # alpha never exceeds 1


@settings(max_examples=60, deadline=None)
@given(matrices)
def test_discrimination_agrees_with_numpy(scores):
    k = len(scores[0])
    result = analyse([2] * k, [1] * k, scores)  # option 1 is right, so the item score is the answer
    for i, item in enumerate(result.items):
        x = np.array([r[i] for r in scores], dtype=float)
        rest = np.array([sum(r) - r[i] for r in scores], dtype=float)
        if x.std() == 0 or rest.std() == 0:
            assert item.discrimination is None
        else:
            assert item.discrimination == pytest.approx(np.corrcoef(x, rest)[0, 1], abs=1e-9)


def test_correlation_needs_equal_lengths():
    with pytest.raises(ValueError):
        correlation([1, 2], [1])


def test_charts_are_well_formed_svg_with_text_escaped():
    hostile = '<script>alert("x")</script> & co'
    svg = charts.rows([charts.Bar(hostile, 3), charts.Bar("B", 0, charts.RIGHT)], "Options & choices")
    root = ET.fromstring(svg)  # a parse error would mean broken markup on the report page
    ns = "{http://www.w3.org/2000/svg}"
    assert root.find(f"{ns}title").text == "Options & choices"
    assert "<script>" not in svg
    labels = [t.text for t in root.iter(f"{ns}text")]
    assert labels[0].startswith('<script>alert("x")')  # shown as text, truncated to fit
    widths = [float(r.get("width")) for r in root.iter(f"{ns}rect")]
    assert widths[0] > widths[1]  # 3 is drawn longer than 0


def test_column_heights_follow_the_counts():
    svg = charts.columns([charts.Bar(str(i), v) for i, v in enumerate([1, 4, 2])], "Scores", "score")
    root = ET.fromstring(svg)
    heights = [float(r.get("height")) for r in root.iter("{http://www.w3.org/2000/svg}rect")]
    assert heights[1] == pytest.approx(4 * heights[0]) and heights[2] == pytest.approx(2 * heights[0])
    assert "0: 1; 1: 4; 2: 2" in root.find("{http://www.w3.org/2000/svg}desc").text
