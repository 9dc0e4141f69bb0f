"""The report's figures only with their evidence: discrimination, discriminative efficiency and alpha
from 10 first attempts on; no "nobody chose" on a true/false question or from a handful of attempts."""

from __future__ import annotations

import pytest

from quizgen.stats import MIN_EVIDENCE, analyse, correlation, discriminative_efficiency


def test_efficiency_is_the_correlation_as_a_share_of_the_most_it_could_be():
    item = [1, 1, 0, 0]
    rest = [3, 2, 1, 0]
    # Already in the best order: as good as this item can be.
    assert discriminative_efficiency(item, rest) == pytest.approx(1.0)
    # The reverse order: as bad as it can be, −1; half-way orders in between.
    assert discriminative_efficiency([0, 0, 1, 1], rest) == pytest.approx(-1.0)
    # By hand: mean item 0.5, mean rest 1.5; cov = Σ(x−x̄)(y−ȳ) = 0.5·1.5 − 0.5·0.5 + 0.5·(−0.5) − 0.5·(−1.5) = 1.0
    # for [1, 0, 1, 0]; the best arrangement [1, 1, 0, 0] gives 2.0.
    assert discriminative_efficiency([1, 0, 1, 0], rest) == pytest.approx(0.5)
    assert discriminative_efficiency([1, 1, 1, 1], rest) is None  # nobody differs: nothing to compare
    assert discriminative_efficiency([1], [0]) is None


def _class(n: int, k: int = 4) -> list[list[int | None]]:
    """n students: student i gets the first i % (k + 1) questions right (option 0), the rest wrong (option 1)."""
    return [[0 if q < i % (k + 1) else 1 for q in range(k)] for i in range(n)]


def test_correlation_figures_wait_for_enough_first_attempts():
    few = analyse([4] * 4, [0] * 4, _class(MIN_EVIDENCE - 1), min_evidence=MIN_EVIDENCE)
    assert not few.enough and few.alpha is None
    assert all(i.discrimination is None and i.efficiency is None for i in few.items)
    assert all(i.facility is not None for i in few.items)  # facility needs no correlation: shown at once
    assert all(i.unchosen_distractors == () for i in few.items)  # three of four options unchosen by 9: no evidence
    enough = analyse([4] * 4, [0] * 4, _class(MIN_EVIDENCE), min_evidence=MIN_EVIDENCE)
    assert enough.enough and enough.alpha is not None
    item0 = [1 if row[0] == 0 else 0 for row in _class(MIN_EVIDENCE)]
    rest = [sum(1 for a in row if a == 0) - s for row, s in zip(_class(MIN_EVIDENCE), item0, strict=True)]
    assert enough.items[0].discrimination == pytest.approx(correlation(item0, rest))
    assert enough.items[0].efficiency == pytest.approx(discriminative_efficiency(item0, rest))
    assert enough.items[0].unchosen_distractors == (2, 3)


def test_a_true_false_question_never_says_nobody_chose_its_wrong_option():
    everyone_right = [[0, 0]] * 20
    result = analyse([2, 3], [0, 0], everyone_right, min_evidence=MIN_EVIDENCE)
    assert result.items[0].unchosen_distractors == ()  # "False" is not a distractor to drop
    assert result.items[1].unchosen_distractors == (1, 2)


def test_the_report_shows_the_note_until_ten_first_attempts(tmp_path):
    from quizgen.content import bundled_root
    from quizgen.webapp import create_app

    app = create_app({"TESTING": True, "CONTENT": str(bundled_root()),
                      "DATABASE_URL": f"sqlite:///{tmp_path / 'r.db'}"})
    web = app.test_client()
    made = web.post("/api/assignments", json={"deck": "link-up-1945", "count": 4, "kinds": ["true_false"]}).get_json()
    teacher = made["teacher_url"].replace("http://localhost", "")
    n = made["quiz"]["count"]
    for i in range(MIN_EVIDENCE - 1):
        web.post(f"/api/assignments/{made['id']}/attempts", json={"name": f"S{i}", "answers": [i % 2] * n})
    page = web.get(teacher).get_data(as_text=True)
    assert 'id="evidence-note"' in page and f"{MIN_EVIDENCE - 1} first attempts so far" in page
    assert "Nobody" not in page and "got this one wrong more often" not in page
    web.post(f"/api/assignments/{made['id']}/attempts", json={"name": "Last", "answers": [0] * n})
    page = web.get(teacher).get_data(as_text=True)
    assert 'id="evidence-note"' not in page and "Nobody" not in page  # true/false: never "nobody chose"
    app.extensions["quizgen.assignments"].store.dispose()
