"""Quizzes: a deck, a count, a seed and the allowed question kinds, reproducible from a code.

A quiz code such as ``link-up-1945.10.frt.42.3fa9c2d1`` holds everything needed
to make the very same quiz again, plus the first hex digits of the content
digest: grading a code made from content that has changed since is refused
with a plain message, instead of grading against different questions.
"""

from __future__ import annotations

import hashlib
import random
import re
import string
import threading
import unicodedata
from collections import OrderedDict
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from .content import Library
from .distractors import Avoid, DistractorIndex, names, normalise_option, phrases
from .errors import QuestionError, QuizCodeError, StaleQuizError, SubmissionError
from .events import event_kind
from .knowledge import Knowledge, subject_stems
from .limits import MAX_ID_CHARS
from .questions import Question, disputed_figure, make_question, supported_templates
from .templates import QUESTION_KINDS

KIND_LETTERS = {"forward": "f", "reverse": "r", "true_false": "t"}
_LETTER_KINDS = {v: k for k, v in KIND_LETTERS.items()}
# The one name of each question kind for people: the deck form, the quiz page, the CLI's help.
KIND_LABELS = {
    "forward": "Ask for the answer",
    "reverse": "Ask the other way round",
    "true_false": "True or false",
}
KIND_EXAMPLES = {
    "forward": "“When was …?”",
    "reverse": "“What happened on …?”",
    "true_false": "a statement to judge",
}
MAX_COUNT = 200
DEFAULT_COUNT = 10
MAX_SEED = 10**12 - 1
LETTERS = string.ascii_uppercase  # option letters: A is option 0
TEMPLATE_WEIGHTS = {"forward": 3.0, "reverse": 2.0, "true_false": 1.0}
CACHED_QUESTIONS = 10_000  # questions kept in QuizMaker's cache of recent quizzes (a few MB)
CODE_EXAMPLE = "link-up-1945.10.frt.42.3fa9c2d1"
# Canonical codes only: ASCII digits, no leading zeros, kind letters in f, r, t order, nothing
# around it. One quiz has one code, so it has one cache slot and one share link.
_DECK_ID = rf"[a-z0-9][a-z0-9-]{{0,{MAX_ID_CHARS - 1}}}"
_CODE = re.compile(rf"(?P<deck>{_DECK_ID})\.(?P<count>[1-9][0-9]{{0,{len(str(MAX_COUNT)) - 1}}})"
                   rf"\.(?P<kinds>f?r?t?)\.(?P<seed>0|[1-9][0-9]{{0,{len(str(MAX_SEED)) - 1}}})"
                   r"\.(?P<digest>[0-9a-f]{8})")
# The same parts written loosely, only to point at the canonical code in the error message.
_LOOSE_CODE = re.compile(rf"\s*(?P<deck>{_DECK_ID})" r"\.(?P<count>[0-9]{1,12})\.(?P<kinds>[frt]{1,3})"
                         r"\.(?P<seed>[0-9]{1,24})\.(?P<digest>[0-9a-f]{8})\s*", re.ASCII)


@dataclass(frozen=True)
class QuizSpec:
    deck_id: str
    count: int = 10
    seed: int = 0
    kinds: tuple[str, ...] = QUESTION_KINDS

    def __post_init__(self) -> None:
        if not 1 <= self.count <= MAX_COUNT:
            raise SubmissionError(f"count must be between 1 and {MAX_COUNT}, not {self.count}")
        if not 0 <= self.seed <= MAX_SEED:
            raise SubmissionError(f"seed must be a whole number from 0 to {MAX_SEED}")
        unknown = [k for k in self.kinds if k not in KIND_LETTERS]
        if unknown or not self.kinds:
            raise SubmissionError(
                f"question kinds must be some of {', '.join(QUESTION_KINDS)}; got {', '.join(self.kinds) or 'none'}"
            )
        # Canonical order, so the same choice always gives the same code.
        object.__setattr__(self, "kinds", tuple(k for k in QUESTION_KINDS if k in self.kinds))

    def code(self, digest: str) -> str:
        letters = "".join(KIND_LETTERS[k] for k in self.kinds)
        return f"{self.deck_id}.{self.count}.{letters}.{self.seed}.{digest[:8]}"


def parse_code(code: str) -> tuple[QuizSpec, str]:
    """The spec and digest prefix of a canonical quiz code; anything else is a QuizCodeError."""
    m = _CODE.fullmatch(code) if isinstance(code, str) else None
    if not m or m["kinds"] == "":
        canonical = canonical_code(code)
        hint = f"; did you mean {canonical}?" if canonical else f"; a code looks like {CODE_EXAMPLE}"
        raise QuizCodeError(f"{code!r} is not a quiz code{hint}")
    kinds = tuple(_LETTER_KINDS[c] for c in m["kinds"])
    try:
        spec = QuizSpec(m["deck"], int(m["count"]), int(m["seed"]), kinds)
    except SubmissionError as exc:
        raise QuizCodeError(f"{code!r} is not a valid quiz code: {exc}") from None
    return spec, m["digest"]


def canonical_code(code: str) -> str | None:
    """The canonical form of a loosely written code (spaces, leading zeros, Unicode digits,
    kind letters in another order), or None when it is not a code at all."""
    if not isinstance(code, str) or len(code) > 200:
        return None
    folded = "".join(str(unicodedata.digit(ch, ch)) if ch.isdigit() else ch for ch in code)
    m = _LOOSE_CODE.fullmatch(folded)
    if not m or len(set(m["kinds"])) != len(m["kinds"]):
        return None
    try:
        spec = QuizSpec(m["deck"], int(m["count"]), int(m["seed"]), tuple(_LETTER_KINDS[c] for c in m["kinds"]))
    except SubmissionError:
        return None
    return spec.code(m["digest"])


def _public(question: dict) -> dict:
    # Before grading a question names no fact: a fact id could be looked up in the public .apkg.
    # "kind" is the question kind everywhere (as in a quiz's "kinds"); the fact's is "fact_kind".
    out = {"kind": question["template"], "fact_kind": question["kind"]}
    out.update((k, v) for k, v in question.items() if k not in ("fact_id", "kind", "template"))
    return out


def _graded(question: dict) -> dict:
    return {"fact_id": question["fact_id"], **_public(question)}


@dataclass(frozen=True)
class Quiz:
    spec: QuizSpec
    code: str
    title: str
    questions: tuple[Question, ...]

    @property
    def short(self) -> bool:
        """True when the deck gave fewer questions than the code asks for."""
        return len(self.questions) < self.spec.count

    def to_dict(self, with_answers: bool = True) -> dict:
        shape = _graded if with_answers else _public
        return {
            "code": self.code,
            "deck": self.spec.deck_id,
            "title": self.title,
            "seed": self.spec.seed,
            "asked": self.spec.count,
            "count": len(self.questions),
            "kinds": list(self.spec.kinds),
            "questions": [shape(q.to_dict(with_answers)) for q in self.questions],
        }

    def grade(self, answers: list[int | None] | tuple[int | None, ...]) -> Graded:
        """Score one answer (an option number, or None for a blank) per question."""
        if len(answers) != len(self.questions):
            raise SubmissionError(
                f"quiz {self.code} has {len(self.questions)} questions but {len(answers)} answers were sent"
            )
        for n, (a, q) in enumerate(zip(answers, self.questions, strict=True), start=1):
            if a is not None and (isinstance(a, bool) or not isinstance(a, int) or not 0 <= a < len(q.options)):
                raise SubmissionError(
                    f"answer to question {n} must be an option number from 0 to {len(q.options) - 1}"
                )
        return Graded(self, tuple(answers))


@dataclass(frozen=True)
class Graded:
    quiz: Quiz
    answers: tuple[int | None, ...]
    correct: tuple[bool, ...] = field(init=False)

    def __post_init__(self) -> None:
        object.__setattr__(
            self, "correct", tuple(a == q.answer_index for a, q in zip(self.answers, self.quiz.questions, strict=True))
        )

    @property
    def score(self) -> int:
        return sum(self.correct)

    def to_dict(self) -> dict:
        return {
            "code": self.quiz.code,
            "score": self.score,
            "total": len(self.quiz.questions),
            "results": [
                {**_graded(q.to_dict(with_answer=True)), "given_index": a, "correct": ok}
                for q, a, ok in zip(self.quiz.questions, self.answers, self.correct, strict=True)
            ],
        }


def _rng(*parts: object) -> random.Random:
    # Seeded from a hash, not Python's hash(), so quizzes are the same in every process.
    key = hashlib.sha256("\x1f".join(map(str, parts)).encode()).digest()
    return random.Random(int.from_bytes(key[:8], "big"))


@dataclass(frozen=True)
class Capacity:
    """How many questions a deck can give under some question kinds (at most ``MAX_COUNT`` are counted).

    ``total``: facts with at least one sound question among the kinds; ``by_kind``: facts with a sound
    question of each kind. An upper bound for one quiz: related facts that would give each other away
    are not asked together. ``complete`` is False when counting stopped at ``MAX_COUNT``.
    """

    deck_id: str
    kinds: tuple[str, ...]
    total: int
    by_kind: dict[str, int]
    facts: int  # facts in the deck that quizzes draw from (trivia left out unless asked for)
    complete: bool


# Relative chance of a fact being drawn by its importance (3: the heart of the topic, 1: a detail).
IMPORTANCE_WEIGHTS = {3: 4.0, 2: 2.0, 1: 1.0}
DETAIL_SHARE = 5  # at most one question in this many is a detail (importance 1)
_MAX_WEIGHT = max(IMPORTANCE_WEIGHTS.values())


def _retold(q: Question, other: Question) -> bool:
    """Two questions on one quoted sentence, one of them asking for its event (or person) in other words.

    "What took place in Berlin?" (the joint parade of September 1945) and "What happened on 7 September
    1945?" (the joint parade in occupied Germany) name one event in two wordings: no string check sees it.
    """
    if "reverse" not in (q.template, other.template):
        return False
    if q.citation.quote == other.citation.quote:
        return True
    # "What happened on 7 September 1945?" (the joint Allied victory parade in occupied Germany) beside
    # "When did the joint Allied victory parade of September 1945 begin?": four words in a row, three
    # of them not small words, name the event.
    return any(not phrases(a.answer).isdisjoint(phrases(b.stem))
               for a, b in ((q, other), (other, q)) if a.template == "reverse")




def deck_words(deck) -> str:
    """What a quiz prints of its deck, normalised: the title and the id ("link-up-1945" names the Elbe).

    Dashes part words first: "1789–1799" names 1789."""
    text = f"{deck.title} {deck.id}".replace("-", " ").replace("\u2013", " ").replace("\u2014", " ")
    return normalise_option(text)


def _tied_to_context(q: Question, printed: str, chosen: Sequence[Question]) -> bool:
    """Whether a reverse question's key is the one option about what the quiz itself is about: "What
    happened on 16 November 1933?" in a deck titled "From non-recognition to diplomatic relations",
    its key the establishment of diplomatic relations and the others Hitler's appointment and the
    League of Nations. Words shared with the deck title, the topic and the other questions are counted."""
    context = subject_stems(printed)
    for other in chosen:
        context = context | subject_stems(other.stem)
    ties = [len(subject_stems(o) & context) for o in q.options]
    key = ties[q.answer_index]
    wrong = max((t for n, t in enumerate(ties) if n != q.answer_index), default=0)
    if key >= TIE_WORDS and key >= wrong + TIE_WORDS:
        return True
    # Words the options do not all share: "the Soviet Commissar of Foreign Affairs who came to Washington in
    # 1933 to negotiate recognition" among other commissars is the one tied to a quiz on recognition when
    # it alone shares a word of its own with the quiz, however many words all of them share.
    stems = [subject_stems(o) for o in q.options]
    common = frozenset.intersection(*stems) if stems else frozenset()
    own = [len((st - common) & context) for st in stems]
    if own[q.answer_index] and not any(t for n, t in enumerate(own) if n != q.answer_index):
        return True
    # The key alone tells the kind of happening the deck is about: "Who was Ivan Konev?" in a deck on the
    # link-up, its key the marshal whose troops met US troops, the others marshals who commanded fronts.
    kind = event_kind(printed)
    kinds = [event_kind(o) for o in q.options]
    return bool(kind) and kinds[q.answer_index] == kind and kinds.count(kind) == 1


TIE_WORDS = 2  # words the key shares with the quiz's subject beyond every wrong option: it stands out


def _avoid(chosen: Sequence[Question]) -> Avoid:
    """What a new question's options must keep clear of: everything the chosen questions are about."""
    if not chosen:
        return Avoid()
    entities: set[str] = set()
    grams: set[tuple[str, ...]] = set()
    keys: set[str] = set()
    used: set[str] = set()
    for q in chosen:
        entities |= q.entities
        if q.template != "true_false":
            used.update(normalise_option(o) for n, o in enumerate(q.options) if n != q.answer_index)
        grams |= phrases(q.stem)
        if q.template == "reverse":
            grams |= phrases(q.answer)
        keys.update(k for k in q.keys if len(k) > 3)
    return Avoid(frozenset(entities), frozenset(grams), frozenset(keys), tuple(q.stem_shown for q in chosen),
                 frozenset(used), tuple(t for q in chosen for t in q.timeline))


# Bumped whenever the same spec and content would make other questions (assembly, distractors,
# wording): a code shared before then is refused as stale instead of remaking a different quiz.
ENGINE_VERSION = 5
# Times a quiz refills the places that remaking questions left empty (each pass walks on through the order).
REFILL_ROUNDS = 3


class QuizMaker:
    """Makes, remakes and grades quizzes for one library; the distractor index is built once.

    ``include_trivia``: also ask facts marked ``trivia`` (about the documents, not the history).
    """

    def __init__(self, library: Library, *, include_trivia: bool = False):
        self.library = library
        self.include_trivia = include_trivia
        # What a quiz code pins: the content, the engine, and whether trivia is asked.
        self.version = hashlib.sha256(
            f"{ENGINE_VERSION}\x1f{int(include_trivia)}\x1f{library.digest}".encode()).hexdigest()
        self.knowledge = Knowledge(library)
        knowledge = self.knowledge
        self.index = DistractorIndex(library.facts.values(), library.sources, topics=library.topics,
                                     period_of=lambda f: knowledge.era(f) or library.period_of(f),
                                     group_of=self.knowledge.subject,
                                     place_names=self.knowledge.place_names)
        # Recently made quizzes by spec: a quiz is a pure function of its spec and the (read-only)
        # library, and a shared code is shown, then graded, by many students. Bounded by questions.
        self._made: OrderedDict[QuizSpec, Quiz] = OrderedDict()
        self._made_questions = 0
        self._lock = threading.Lock()
        self._drawable: dict[str, list[int]] = {}  # deck id -> positions of the facts quizzes draw from
        self._capacity: dict[tuple[str, tuple[str, ...]], Capacity] = {}

    def make(self, spec: QuizSpec) -> Quiz:
        with self._lock:
            quiz = self._made.get(spec)
            if quiz is not None:
                self._made.move_to_end(spec)
                return quiz
        quiz = self._make(spec)
        with self._lock:
            if spec not in self._made:
                self._made[spec] = quiz
                self._made_questions += len(quiz.questions)
                while self._made_questions > CACHED_QUESTIONS and len(self._made) > 1:
                    _, old = self._made.popitem(last=False)
                    self._made_questions -= len(old.questions)
        return quiz

    def drawable(self, deck_id: str) -> list[int]:
        """Positions in ``deck_facts`` of the facts a quiz may ask (trivia left out unless included)."""
        found = self._drawable.get(deck_id)
        if found is None:
            facts = self.library.deck_facts(deck_id)
            # Trivia only when asked for; a figure whose sources disagree never (no single key is fair).
            found = [i for i, f in enumerate(facts) if (self.include_trivia or not f.trivia) and not disputed_figure(f)]
            self._drawable[deck_id] = found
        return found

    def _order(self, facts: list, drawable: list[int], count: int, rng: random.Random) -> Iterator[int]:
        """Deck positions in a seeded order that favours important facts; no position twice."""
        if len(drawable) <= 4 * count:
            # A weighted shuffle (Efraimidis-Spirakis): heavier facts tend to come first. Details
            # (importance 1) come only after every other fact: a short quiz asks what matters.
            keyed = [(facts[i].importance > 1, rng.random() ** (1 / IMPORTANCE_WEIGHTS[facts[i].importance]), i)
                     for i in drawable]
            keyed.sort(reverse=True)
            yield from (i for _, _, i in keyed)
            return
        # A large deck: draw by rejection, so no walk of the deck per quiz.
        seen: set[int] = set()
        for _ in range(8 * count + 100):
            i = drawable[rng.randrange(len(drawable))]
            if i in seen or rng.random() * _MAX_WEIGHT > IMPORTANCE_WEIGHTS[facts[i].importance]:
                continue
            seen.add(i)
            yield i

    def _make(self, spec: QuizSpec) -> Quiz:
        deck = self.library.deck(spec.deck_id)
        facts = self.library.deck_facts(spec.deck_id)
        title = deck_words(deck)
        rng = _rng("quiz", spec.deck_id, spec.seed)
        chosen: list[Question] = []
        # One question per answer and per subject: two facts about one person would ask "Who was
        # Georgy Zhukov?" twice; the town and then the river of one handshake answer each other.
        answers: set[str] = set()
        subjects: set[str] = set()
        repair: set[int] = set()  # chosen questions whose options turned out to stand for a later one's subject
        # The order is bounded (a small deck once through, a large one by 8 * count + 100 draws).
        details = 0
        capped = self._has_more_than_details(spec.deck_id)
        avoid, avoid_made_for = Avoid(), 0
        order = iter(self._order(facts, self.drawable(spec.deck_id), spec.count, rng))
        for _ in range(REFILL_ROUNDS):
            for i in order:
                if len(chosen) >= spec.count:
                    break
                fact = facts[i]
                # Details (importance 1) fill at most one question in DETAIL_SHARE of a quiz, and only after
                # everything that matters: a long quiz is not a list of order-of-battle numbers.
                if fact.importance == 1 and capped and (details + 1) * DETAIL_SHARE > len(chosen) + 1:
                    continue
                answer = normalise_option(fact.answer_text())
                subject = self.knowledge.subject(fact)
                if answer in answers or subject in subjects:
                    continue
                if avoid_made_for != len(chosen):  # what the options must keep clear of changes with each choice
                    avoid, avoid_made_for = _avoid(chosen), len(chosen)
                q = self._question(fact, spec, chosen, title, self._balance(chosen), avoid)
                if q is not None:
                    repair.update(n for n, other in enumerate(chosen) if other.clues(q))
                    details += fact.importance == 1
                    chosen.append(q)
                    answers.add(answer)
                    subjects.add(subject)
            questions = self._repaired(chosen, repair, spec, title)
            if len(questions) == len(chosen) or len(questions) >= spec.count:
                break
            # A question the repair left out frees its place: the rest of the order fills it.
            chosen, repair, avoid_made_for = list(questions), set(), -1
        return Quiz(spec, self.code(spec), deck.title, tuple(questions))

    def _has_more_than_details(self, deck_id: str) -> bool:
        """Whether the deck has facts above importance 1 (a deck of details alone asks its details)."""
        facts = self.library.deck_facts(deck_id)
        return any(facts[i].importance > 1 for i in self.drawable(deck_id))

    @staticmethod
    def _balance(chosen: Sequence[Question]) -> bool | None:
        """The key of the next true/false statement: the rarer so far, or a coin when even.

        "Always False" then scores at most one point above half, in every quiz."""
        keys = [q.truth for q in chosen if q.truth is not None]
        trues = sum(keys)
        if 2 * trues == len(keys):
            return None
        return 2 * trues < len(keys)

    def _repaired(self, chosen: list[Question], repair: set[int], spec: QuizSpec, title: str) -> list[Question]:
        """Remake each question whose options stand for another question's subject, avoiding the whole
        quiz; a question that cannot be remade soundly is left out (shorter rather than weaker)."""
        if not repair:
            return chosen
        out = list(chosen)
        for n in sorted(repair):
            q = out[n]
            others = [o for o in out if o is not q and o is not None]
            fact = self.library.facts[q.fact_id]
            remade = self._one(fact, q.template, spec, others, title, q.truth)
            out[n] = remade
        return [q for q in out if q is not None]

    def _templates(self, fact, spec: QuizSpec, rng: random.Random) -> list[str]:
        allowed = [t for t in supported_templates(fact) if t in spec.kinds]
        # A weighted shuffle: true/false is a coin toss for a guesser, so it comes up least often.
        allowed.sort(key=lambda t: rng.random() ** (1 / TEMPLATE_WEIGHTS[t]), reverse=True)
        return allowed

    def _question(self, fact, spec: QuizSpec, chosen: Sequence[Question] = (), title: str = "",
                  truth: bool | None = None, avoid: Avoid | None = None) -> Question | None:
        """The fact's first sound question, among the allowed kinds, that neither gives away nor is given
        away by a chosen question or the deck title, and whose options stand for nothing the chosen ask
        about; None if it has none."""
        rng = _rng("question", spec.deck_id, spec.seed, fact.id)
        for template in self._templates(fact, spec, rng):
            q = self._one(fact, template, spec, chosen, title, truth, avoid)
            if q is not None:
                return q
        return None

    def _one(self, fact, template: str, spec: QuizSpec, chosen: Sequence[Question], title: str,
             truth: bool | None, avoid: Avoid | None = None) -> Question | None:
        rng = _rng("question", spec.deck_id, spec.seed, fact.id, template)
        try:
            q = make_question(fact, template, self.library.source_of(fact), self.library.topics[fact.id],
                              self.index, rng, knowledge=self.knowledge,
                              avoid=_avoid(chosen) if avoid is None else avoid, truth=truth)
        except QuestionError:
            return None
        if any(names(title, k) for k in q.keys):
            return None
        if q.template == "reverse" and _tied_to_context(q, f"{title} {self.library.topics[fact.id]}", chosen):
            return None
        if any(q.gives_away(other) or other.gives_away(q) or _retold(q, other) or q.clues(other)
               or q.subject == other.subject for other in chosen):
            return None
        return q

    def capacity(self, deck_id: str, kinds: Sequence[str] = QUESTION_KINDS) -> Capacity:
        """How many questions the deck can give under ``kinds``, for the web, CLI and worksheet to show.

        Tries each fact's templates once (a fixed seed); stops counting at ``MAX_COUNT`` so a large
        deck costs no more than a long quiz.
        """
        kinds = tuple(k for k in QUESTION_KINDS if k in kinds)
        key = (deck_id, kinds)
        found = self._capacity.get(key)
        if found is not None:
            return found
        deck = self.library.deck(deck_id)
        title = deck_words(deck)
        facts = self.library.deck_facts(deck_id)
        drawable = self.drawable(deck_id)
        by_kind = dict.fromkeys(kinds, 0)
        total, complete = 0, True
        for i in drawable:
            if total >= MAX_COUNT and all(n >= MAX_COUNT for n in by_kind.values()):
                complete = False
                break
            fact = facts[i]
            askable = False
            for template in kinds:
                if template not in supported_templates(fact):
                    continue
                try:
                    q = make_question(fact, template, self.library.source_of(fact), self.library.topics[fact.id],
                                      self.index, _rng("capacity", fact.id, template), knowledge=self.knowledge)
                except QuestionError:
                    continue
                if not any(names(title, k) for k in q.keys):
                    by_kind[template] += 1
                    askable = True
            total += askable
        found = Capacity(deck_id, kinds, total, by_kind, len(drawable), complete)
        with self._lock:
            self._capacity[key] = found
        return found

    def code(self, spec: QuizSpec) -> str:
        return spec.code(self.version)

    def from_code(self, code: str) -> Quiz:
        spec, digest = parse_code(code)
        self.library.deck(spec.deck_id)  # an unknown deck is reported as such, not as stale
        if digest != self.version[:8]:
            raise StaleQuizError(
                f"Quiz {code} was made from an earlier version of the content, which has changed since (or by an earlier quizgen); "
                "its questions cannot be remade exactly. Start a new quiz."
            )
        return self.make(spec)

    def grade(self, code: str, answers: list[int | None]) -> Graded:
        """Remake the quiz of ``code`` and grade ``answers``: one parse, one lookup."""
        return self.from_code(code).grade(answers)
