"""Tables: an assignment holds its quiz as made; an attempt holds one student's answers."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import (
    BigInteger,
    Boolean,
    DateTime,
    ForeignKey,
    Integer,
    String,
    Text,
    TypeDecorator,
    UniqueConstraint,
)
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column

# Limits defined once: the web forms, the API and the columns all use these.
MAX_NAME = 100
MAX_TITLE = 200
ASSIGNMENT_ID_LENGTH = 16  # secrets.token_urlsafe(12): 96 random bits
MAX_EMAIL = 254  # the longest address SMTP carries
MAX_TIMEZONE = 64  # IANA names such as America/Argentina/ComodRivadavia
JOIN_CODE_LENGTH = 6
STUDENT_CODE_LENGTH = 6
MAX_ROSTER = 300  # students on one assignment's roster
# When right answers reach a student: on the result page at once, once the assignment has closed,
# or never (the student sees only the score).
REVEAL_CHOICES = ("submit", "closed", "never")
DEFAULT_REVEAL = "closed"


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
    # 0002: whose it is (None: made through the API with only its secret link), when answers are
    # released, the short code students type at /join.
    teacher_id: Mapped[int | None] = mapped_column(ForeignKey("teachers.id", ondelete="SET NULL"), nullable=True,
                                                   index=True)
    reveal: Mapped[str] = mapped_column(String(16), default=DEFAULT_REVEAL)
    join_code: Mapped[str | None] = mapped_column(String(JOIN_CODE_LENGTH), nullable=True, unique=True)


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
    # 0002: the result's own address (sha256 of a random token), a late answer, the name folded
    # for comparison (NFKC, confusables), and the roster student who sent it.
    token_hash: Mapped[str | None] = mapped_column(String(64), nullable=True, unique=True)
    late: Mapped[bool] = mapped_column(Boolean, default=False)
    name_key: Mapped[str | None] = mapped_column(String(MAX_NAME * 2), nullable=True)
    student_id: Mapped[int | None] = mapped_column(ForeignKey("roster.id", ondelete="SET NULL"), nullable=True)


class Teacher(Base):
    __tablename__ = "teachers"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    email: Mapped[str] = mapped_column(String(MAX_EMAIL), unique=True)  # compared case-folded
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    password_hash: Mapped[str] = mapped_column(String(200))  # argon2id, with its parameters
    timezone: Mapped[str | None] = mapped_column(String(MAX_TIMEZONE), nullable=True)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)


class LoginSession(Base):
    """A signed-in browser: the cookie holds a random token, the database its sha256."""

    __tablename__ = "login_sessions"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"), index=True)
    csrf: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    expires_at: Mapped[datetime] = mapped_column(UTCDateTime)


class RosterStudent(Base):
    """One student on an assignment's class list, with the personal code they type."""

    __tablename__ = "roster"
    __table_args__ = (UniqueConstraint("assignment_id", "code", name="uq_roster_assignment_code"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    assignment_id: Mapped[str] = mapped_column(
        String(ASSIGNMENT_ID_LENGTH), ForeignKey("assignments.id", ondelete="CASCADE"), index=True)
    name: Mapped[str] = mapped_column(String(MAX_NAME))
    code: Mapped[str] = mapped_column(String(STUDENT_CODE_LENGTH))  # unique within its assignment


class SavedWorksheet(Base):
    """A worksheet a teacher made: its seed is drawn by the server and never printed on a sheet."""

    __tablename__ = "worksheets"

    id: Mapped[str] = mapped_column(String(ASSIGNMENT_ID_LENGTH), primary_key=True)
    teacher_id: Mapped[int] = mapped_column(ForeignKey("teachers.id", ondelete="CASCADE"), index=True)
    deck_id: Mapped[str] = mapped_column(String(80))
    title: Mapped[str] = mapped_column(String(MAX_TITLE))
    count: Mapped[int] = mapped_column(Integer)
    seed: Mapped[int] = mapped_column(BigInteger)  # up to MAX_SEED, 10**12 - 1
    variants: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
