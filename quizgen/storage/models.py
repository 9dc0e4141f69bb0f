"""Tables: an assignment holds its quiz as made; an attempt holds one student's answers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import DateTime, ForeignKey, Integer, String, Text, TypeDecorator
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Limits defined once: the web forms, the API and the columns all use these.
MAX_NAME = 100
MAX_TITLE = 200
ASSIGNMENT_ID_LENGTH = 16  # secrets.token_urlsafe(12): 96 random bits


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes in and out; SQLite keeps no zone, so one is put back on reading."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime: store aware UTC times only")
        value = value.astimezone(UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(self, value: datetime | None, dialect) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    pass


class Assignment(Base):
    __tablename__ = "assignments"

    id: Mapped[str] = mapped_column(String(ASSIGNMENT_ID_LENGTH), primary_key=True)
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    deck_id: Mapped[str] = mapped_column(String(80))
    # The quiz as made, answers and citations included (JSON text): content edits never reach it.
    quiz_json: Mapped[str] = mapped_column(Text)
    secret_hash: Mapped[str] = mapped_column(String(64))  # sha256 hex of the teacher secret
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    closes_at: Mapped[datetime | None] = mapped_column(UTCDateTime, nullable=True)


class Attempt(Base):
    __tablename__ = "attempts"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assignment_id: Mapped[str] = mapped_column(
        String(ASSIGNMENT_ID_LENGTH), ForeignKey("assignments.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    answers_json: Mapped[str] = mapped_column(Text)  # [option index or null, …]
    score: Mapped[int] = mapped_column(Integer)
    total: Mapped[int] = mapped_column(Integer)
    submitted_at: Mapped[datetime] = mapped_column(UTCDateTime)
