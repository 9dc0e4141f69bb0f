"""Citations: publisher, title, date and the verbatim quote behind every question."""

from __future__ import annotations

from dataclasses import dataclass, fields

from .models import FactBase, Source


@dataclass(frozen=True)
class Citation:
    source_id: str
    publisher: str
    title: str
    kind: str
    published: str  # as a reader sees it: "April 2020"
    published_iso: str  # as written in content: "2020-04"
    quote: str
    url: str | None
    attributed: bool  # the fact is the publisher's claim, asked as "According to …"
    official: bool  # the publisher is a government speaking for itself
    note: str | None  # the curator's note: what is disputed, and what mainstream accounts say

    @classmethod
    def of(cls, fact: FactBase, source: Source) -> Citation:
        return cls(
            source_id=source.id,
            publisher=source.publisher,
            title=source.title,
            kind=source.kind,
            published=source.published.render(),
            published_iso=source.published.iso(),
            quote=fact.quote,
            url=source.url,
            attributed=fact.attributed,
            official=source.official,
            note=fact.note,
        )

    def line(self) -> str:
        """One plain-text line: 'RFE/RL, "Title", April 2020: "quote"'."""
        claim = " (the publisher's own claim)" if self.attributed else ""
        note = f" Curator's note: {self.note}" if self.note else ""
        return f'{self.publisher}, "{self.title}", {self.published}{claim}: "{self.quote}"{note}'

    def to_dict(self) -> dict:
        # Every field is a plain value, so asdict()'s deep copy is only cost (it showed in grading profiles).
        return {name: getattr(self, name) for name in _FIELDS}


_FIELDS = tuple(f.name for f in fields(Citation))
