"""Every phrasing quizgen uses, in one place.

Each fact kind has named templates. ``forward`` asks for the fact's answer
(the date, the person, the place, the unit, the number); ``reverse`` asks the
other way round and its options are the same slot of other facts;
``true_false`` and ``cloze`` are statements, where ``{answer}`` stands for the
answer (a true or a false one, or the cloze gap).

Placeholders are the fact's slots; a capitalised placeholder (``{Event}``)
starts a sentence. ``{on_date}`` is the date with its preposition ("on 25 April
1945", "in November 1933", "in 1945"). A fact may override any stem in its
``stems`` table; overrides of ``true_false`` and ``cloze`` must contain
``{answer}``.

Adding a phrasing is adding a line here (and a golden test); adding a kind is
adding a block here and a model in ``models.py``.
"""

from __future__ import annotations

TEMPLATES: dict[str, dict[str, str]] = {
    "date": {
        # "When was …?" reads for any noun phrase; "When did the Treaty of Zurich take place?" did not.
        "forward": "When {was} {event}?",
        "reverse": "What happened {on_date}?",
        "true_false": "{Event} {was} {answer}.",
        "cloze": "{Event} {was} {answer}.",
    },
    "person": {
        "forward": "Who was {role}?",
        "reverse": "Who was {name}?",
        "true_false": "{answer} was {role}.",
        "cloze": "{answer} was {role}.",
    },
    "place": {
        "forward": "Where {was} {event}?",
        "reverse": "What took place {preposition} {place}?",
        "true_false": "{Event} {was} {preposition} {answer}.",
        "cloze": "{Event} {was} {preposition} {answer}.",
    },
    "unit": {
        "forward": "Which {side} {echelon} {action}?",
        "true_false": "{answer} {action}.",
        "cloze": "{answer} {action}.",
    },
    "quantity": {
        # {is} is "was" when the counted thing is past ("…when it was stormed"); a fact's own
        # question and sentence replace both.
        "forward": "What {is} the number of {counts}?",
        "true_false": "The number of {counts} {is} {answer}.",
        "cloze": "The number of {counts} {is} {answer}.",
    },
    "unit_of_measurement": {
        "forward": "Which {system} measures {measures}?",
        "reverse": "What does {unit} measure?",
        "true_false": "{answer} is the {system} of {measures}.",
        "cloze": "{answer} is the {system} of {measures}.",
    },
}

# A living person is asked about in the present tense.
LIVING_REVERSE = "Who is {name}?"

# Statement templates put the answer inside a sentence, so an override must say where.
STATEMENT_TEMPLATES = frozenset({"true_false", "cloze"})

# How an attributed fact's question begins; the stem follows, its first word lowered.
ATTRIBUTION = "According to {publisher}, {stem}"

TRUE_FALSE_OPTIONS = ("True", "False")

QUESTION_KINDS: tuple[str, ...] = ("forward", "reverse", "true_false")
