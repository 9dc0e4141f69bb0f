"""Quiz codes: one canonical code per quiz, read back exactly; loose forms only point at it."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from quizgen.errors import QuizCodeError
from quizgen.limits import MAX_ID_CHARS
from quizgen.quiz import KIND_LETTERS, MAX_COUNT, MAX_SEED, QuizSpec, canonical_code, parse_code

deck_ids = st.from_regex(rf"[a-z0-9][a-z0-9-]{{0,{MAX_ID_CHARS - 1}}}", fullmatch=True)
kind_sets = st.sets(st.sampled_from(list(KIND_LETTERS)), min_size=1).map(tuple)
digests = st.from_regex(r"[0-9a-f]{8}", fullmatch=True)


@given(deck_ids, st.integers(1, MAX_COUNT), st.integers(0, MAX_SEED), kind_sets, digests)
def test_every_spec_round_trips_through_its_code(deck, count, seed, kinds, digest):
    spec = QuizSpec(deck, count, seed, kinds)
    code = spec.code(digest)
    assert parse_code(code) == (spec, digest)
    assert canonical_code(code) == code


@given(deck_ids, st.integers(1, MAX_COUNT), st.integers(0, MAX_SEED), kind_sets, digests,
       st.sampled_from(["zeros", "order", "digits", "space"]))
def test_a_loose_form_is_refused_and_names_its_canonical_code(deck, count, seed, kinds, digest, how):
    code = QuizSpec(deck, count, seed, kinds).code(digest)
    letters = "".join(KIND_LETTERS[k] for k in kinds)
    loose = {
        "zeros": f"{deck}.0{count}.{letters}.0{seed}.{digest}",
        "order": f"{deck}.{count}.{letters[::-1]}.{seed}.{digest}",
        "digits": f"{deck}.{''.join(chr(0xFF10 + int(d)) for d in str(count))}.{letters}.{seed}.{digest}",
        "space": f" {code}\t",
    }[how]
    if loose == code:  # one kind letter reversed is itself
        return
    with pytest.raises(QuizCodeError, match=f"did you mean {code}"):
        parse_code(loose)
    assert canonical_code(loose) == code


@pytest.mark.parametrize("code", ["", "nonsense", "elbe.1.frt.1", "elbe.0.frt.1.3fa9c2d1",
                                  f"elbe.{MAX_COUNT + 1}.frt.1.3fa9c2d1", f"elbe.1.frt.{MAX_SEED + 1}.3fa9c2d1",
                                  "elbe.1.ffr.1.3fa9c2d1", "elbe.1..1.3fa9c2d1", "Elbe.1.frt.1.3fa9c2d1",
                                  "elbe.1.frt.1.3FA9C2D1", "x" * 1000])
def test_what_is_no_code_at_all_has_no_canonical_form(code):
    assert canonical_code(code) is None
    with pytest.raises(QuizCodeError, match="a code looks like|not a valid quiz code"):
        parse_code(code)
