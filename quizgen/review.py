"""The item-quality report a teacher runs on their own content (``quizgen review``).

For every fact of a deck and every template, the question as a quiz would ask
it, its options and what is wrong with it. ``quizgen check`` is about whether
content is valid; this is about whether the questions are good.

Errors (exit 1) are what the engine cannot mend and a student would meet or
miss: a deck title that names an answer, a stem or statement that names its
own answer, and a fact (not marked trivia) with no sound question at all.
Everything else is a warning the quiz assembly already works around (it keeps
facts that give each other away apart, it drops a template without enough
coherent options) or a cue worth a curator's look.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from dataclasses import asdict, dataclass, field

from .content import Library
from .distractors import MADE, SAME_PERIOD, at_least, names, normalise_option
from .errors import QuestionError
from .models import Fact, QuantityFact
from .questions import (
    Question,
    answer_display,
    answer_keys,
    disputed_figure,
    make_question,
    statement_frame,
    stem_text,
    supported_templates,
)
from .quiz import QuizMaker, deck_words
from .quiz import _rng as seeded_rng

ERROR, WARNING = "error", "warning"
# Warning codes, and which are errors. Stable: the JSON output names them.
CODES = {
    "title-gives-answer": ERROR,
    "stem-names-answer": ERROR,
    "never-asked": ERROR,
    "gives-away": WARNING,
    "same-subject": WARNING,
    "note-reads-one-way": WARNING,
    "disputed-unattributed": WARNING,
    "disputed-figure": WARNING,
    "not-offered": WARNING,
    "other-topic-options": WARNING,
    "made-up-options": WARNING,
    "length-cue": WARNING,
    "position-cue": WARNING,
    "few-options": WARNING,
    "duplicated-quote": WARNING,
    "trivia": WARNING,
}
# The one edit that mends each group of findings, said once per group in the text report.
FIXES = {
    "title-gives-answer": "rename the deck (its title and id are printed on every quiz), or drop the fact from it",
    "stem-names-answer": "reword the fact's event, role or action so it does not name the answer, or give stems",
    "never-asked": "add two or three curated wrong options (distractors = [...]) of the same kind as the answer",
    "gives-away": "nothing needed: quizzes keep these apart; to ask them together, reword one stem",
    "same-subject": "nothing needed: a quiz asks one fact of each subject; give facts their own quotes to ask more",
    "note-reads-one-way": "word the note for a true and a false statement alike: \"The source is right: …\", "
                          "not \"Confirmed: …\"",
    "disputed-unattributed": "mark the fact attributed = true, so questions say whose claim it is",
    "disputed-figure": "nothing needed: quizzes leave out a figure whose note says the estimates differ, and a "
                       "source's date the note gives otherwise; give the range the sources give to ask it",
    "not-offered": "add curated wrong options (distractors = [...]) for the template named",
    "other-topic-options": "add curated wrong options of this topic",
    "made-up-options": "add curated wrong options",
    "length-cue": "shorten the answer or lengthen the wrong options",
    "position-cue": "ask for the exact figure if the source gives one",
    "few-options": "add curated wrong options",
    "duplicated-quote": "nothing needed if the facts differ in subject; otherwise drop one",
    "trivia": "nothing needed: trivia is left out of quizzes",
}
# Notes that read as a verdict on the statement: under a false true/false statement they mislead.
_ONE_WAY_NOTE = ("confirmed", "correct", "this is true", "true:", "right:")
# A note saying historians dispute the claim, on a fact asked as plain truth.
_DISPUTED = ("disputed", "historians dispute", "contested", "is not supported", "is wrong", "incorrect")
LENGTH_CUE = 1.5  # the answer this many times longer than every wrong option stands out
_MAX_KEY_WORDS = 12  # longest answer looked for inside shown text, in words


@dataclass(frozen=True)
class Finding:
    code: str
    message: str

    @property
    def level(self) -> str:
        return CODES[self.code]


@dataclass
class Item:
    """One fact under one template (or the fact as a whole, template "fact")."""

    fact_id: str
    template: str
    stem: str | None = None
    options: list[str] = field(default_factory=list)
    answer_index: int | None = None
    findings: list[Finding] = field(default_factory=list)

    def to_dict(self) -> dict:
        return {"fact_id": self.fact_id, "template": self.template, "stem": self.stem, "options": self.options,
                "answer_index": self.answer_index,
                "findings": [{**asdict(f), "level": f.level} for f in self.findings]}


@dataclass
class DeckReview:
    deck_id: str
    title: str
    facts: int
    items: list[Item]

    def count(self, level: str) -> int:
        return sum(f.level == level for item in self.items for f in item.findings)

    def summary(self) -> dict:
        offered = Counter(i.template for i in self.items if i.stem is not None)
        codes = Counter(f.code for i in self.items for f in i.findings)
        return {"facts": self.facts, "questions": dict(sorted(offered.items())),
                "errors": self.count(ERROR), "warnings": self.count(WARNING), "findings": dict(sorted(codes.items()))}

    def to_dict(self) -> dict:
        return {"deck": self.deck_id, "title": self.title, "summary": self.summary(),
                "items": [i.to_dict() for i in self.items]}


class _KeyTable:
    """Every answer key of a deck's facts, found inside any text in time linear in its words."""

    def __init__(self, facts: Iterable[Fact]):
        self.owners: dict[str, set[str]] = defaultdict(set)
        for fact in facts:
            for key in answer_keys(fact):
                if len(key.split()) <= _MAX_KEY_WORDS:
                    self.owners[key].add(fact.id)

    def named_in(self, text: str) -> set[str]:
        """Fact ids whose answer ``text`` (normalised, lines apart) names as whole words."""
        found: set[str] = set()
        for line in text.split("\n"):
            words = line.split()
            for start in range(len(words)):
                for end in range(start + 1, min(len(words), start + _MAX_KEY_WORDS) + 1):
                    found |= self.owners.get(" ".join(words[start:end]), set())
        return found


def _own_answer_named(fact: Fact, template: str) -> bool:
    keys = answer_keys(fact)
    if template == "true_false":
        return any(names(statement_frame(fact), k) for k in keys)
    if template == "forward":
        return any(names(normalise_option(stem_text(fact, template)), k) for k in keys)
    return False


def _cues(fact: Fact, q: Question) -> list[Finding]:
    out = []
    if q.template == "true_false":
        return out
    wrong = [o for i, o in enumerate(q.options) if i != q.answer_index]
    if len(q.options) < 4:
        out.append(Finding("few-options", f"only {len(q.options)} options; add curated wrong options"))
    if wrong and len(q.answer) > LENGTH_CUE * max(len(o) for o in wrong):
        out.append(Finding("length-cue", "the answer is much the longest option; shorten it or lengthen the others"))
    if q.template == "forward" and isinstance(fact, QuantityFact) and at_least(fact):
        out.append(Finding("position-cue", "an 'at least' count takes larger wrong options only, so the answer "
                                           "is always the smallest; ask for the exact count if the source has it"))
    origins = set(q.origins)
    if SAME_PERIOD in origins:
        out.append(Finding("other-topic-options", "some options come from another topic of the same period; "
                                                  "add curated wrong options of this topic"))
    if MADE in origins and fact.kind in ("person", "unit"):
        out.append(Finding("made-up-options", "some options are made up (generated names or renumbered units); "
                                              "add curated wrong options"))
    return out


def review_deck(maker: QuizMaker, deck_id: str) -> DeckReview:
    library = maker.library
    deck = library.deck(deck_id)
    facts = library.deck_facts(deck_id)
    title = deck_words(deck)
    by_subject: dict[str, list[str]] = defaultdict(list)
    for fact in facts:
        by_subject[maker.knowledge.subject(fact)].append(fact.id)
    table = _KeyTable(facts)
    by_quote: dict[str, list[str]] = defaultdict(list)
    for fact in facts:
        by_quote[" ".join(fact.quote.split())].append(fact.id)
    items: list[Item] = []
    for fact in facts:
        source = library.source_of(fact)
        whole = Item(fact.id, "fact")
        asked = False
        for template in supported_templates(fact):
            item = Item(fact.id, template)
            if _own_answer_named(fact, template):
                item.findings.append(Finding("stem-names-answer", f"the {template} stem names its own answer; "
                                             "rephrase the fact's event, role or action, or override the stem"))
                items.append(item)
                continue
            try:
                q = make_question(fact, template, source, library.topics[fact.id], maker.index,
                                  seeded_rng("review", fact.id, template), knowledge=maker.knowledge)
            except QuestionError as exc:
                item.findings.append(Finding("not-offered", str(exc)))
                items.append(item)
                continue
            item.stem, item.options, item.answer_index = q.stem, list(q.options), q.answer_index
            if any(names(title, k) for k in q.keys):
                item.findings.append(Finding("title-gives-answer", f"the deck title or id ({deck.title!r}, {deck.id!r}) "
                                             f"names the answer {answer_display(fact)!r}; rename the deck or drop "
                                             "the fact from it"))
            else:
                asked = True
            given = sorted(table.named_in(q.shown) - {fact.id})
            if given:
                item.findings.append(Finding("gives-away", "shows the answer of " + ", ".join(given)
                                             + "; quizzes keep them apart"))
            item.findings += _cues(fact, q)
            items.append(item)
        if fact.trivia:
            whole.findings.append(Finding("trivia", "marked trivia: left out of quizzes unless asked for"))
        elif not asked:
            whole.findings.append(Finding("never-asked", "no sound question under any template, so quizzes never "
                                          "ask it; see the findings above"))
        others = [i for i in by_quote[" ".join(fact.quote.split())] if i != fact.id]
        if others:
            whole.findings.append(Finding("duplicated-quote", "quotes the same sentence as " + ", ".join(others)
                                          + "; such facts often answer each other"))
        kin = [i for i in by_subject[maker.knowledge.subject(fact)] if i != fact.id and i not in others]
        if kin:
            whole.findings.append(Finding("same-subject", "is about the same event or person as " + ", ".join(kin)
                                          + "; a quiz asks only one of them"))
        note = (fact.note or "").strip().casefold()
        if note.startswith(_ONE_WAY_NOTE) and "true_false" in supported_templates(fact):
            whole.findings.append(Finding("note-reads-one-way", "the curator's note reads as a verdict on the "
                                          "statement; printed under a false true/false statement it misleads"))
        if disputed_figure(fact):
            whole.findings.append(Finding("disputed-figure", "the note gives other figures or dates: quizzes leave "
                                          "it out (Anki and practice keep it, with the note)"))
        elif not fact.attributed and any(w in note for w in _DISPUTED):
            whole.findings.append(Finding("disputed-unattributed", "the note says the claim is disputed, yet "
                                          "questions ask it as plain fact"))
        if whole.findings:
            items.append(whole)
    return DeckReview(deck.id, deck.title, len(facts), items)


def review(library: Library, deck_id: str | None = None) -> list[DeckReview]:
    """Every deck's review, or one deck's."""
    maker = QuizMaker(library)
    ids = [library.deck(deck_id).id] if deck_id else list(library.decks)
    return [review_deck(maker, i) for i in ids]


def to_json(reviews: list[DeckReview]) -> dict:
    return {"errors": sum(r.count(ERROR) for r in reviews), "warnings": sum(r.count(WARNING) for r in reviews),
            "codes": CODES, "decks": [r.to_dict() for r in reviews]}


def to_text(reviews: list[DeckReview], letters: str, questions: bool = False) -> str:
    """The report a curator reads: per deck, each kind of finding once, with the one edit that mends it
    and the facts it concerns; ``questions`` also lists every question with its options."""
    lines = []
    for r in reviews:
        s = r.summary()
        asked = ", ".join(f"{n} {t}" for t, n in s["questions"].items())
        lines.append(f"== {r.deck_id}: {r.title} ({r.facts} facts; questions: {asked or 'none'})")
        if questions:
            lines += _question_lines(r, letters)
        groups: dict[str, list[Item]] = defaultdict(list)
        for item in r.items:
            for f in item.findings:
                groups[f.code].append(item)
        for code in sorted(groups, key=lambda c: (CODES[c] != ERROR, c)):
            items = groups[code]
            lines.append(f"  {CODES[code]} {code} ({len(items)}): {FIXES[code]}")
            if CODES[code] == ERROR:
                for item in items:
                    message = next(f.message for f in item.findings if f.code == code)
                    lines.append(f"      {item.fact_id} [{item.template}]: {message}")
            else:
                shown = sorted({i.fact_id if i.template == "fact" else f"{i.fact_id} [{i.template}]" for i in items})
                lines.append("      " + ", ".join(shown[:_LISTED]) + (f", and {len(shown) - _LISTED} more"
                                                                        if len(shown) > _LISTED else ""))
        lines.append(f"  -- {r.deck_id}: {s['errors']} errors, {s['warnings']} warnings")
        lines.append("")
    errors, warnings = sum(r.count(ERROR) for r in reviews), sum(r.count(WARNING) for r in reviews)
    lines.append(f"{errors} error{'s' if errors != 1 else ''}, {warnings} warning{'s' if warnings != 1 else ''}."
                 + ("" if questions else " (--questions lists every question with its options.)"))
    return "\n".join(lines)


_LISTED = 12  # fact ids listed per group in the text report


def _question_lines(r: DeckReview, letters: str) -> list[str]:
    lines = []
    for item in r.items:
        if item.template == "fact":
            head = f"  {item.fact_id}:"
        else:
            head = f"  {item.fact_id} [{item.template}] {item.stem or '(not offered)'}"
        lines.append(head)
        for n, option in enumerate(item.options):
            mark = "*" if n == item.answer_index else " "
            lines.append(f"      {mark}{letters[n]}) {option}")
        for f in item.findings:
            lines.append(f"      {f.level}: {f.message} [{f.code}]")
    return lines
