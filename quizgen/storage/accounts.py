"""Teacher accounts: passwords hashed with Argon2id (argon2-cffi), sessions kept in the database.

A session cookie holds a random token; the database keeps only its sha256, with the session's
CSRF token and expiry, so signing out (or deleting the row) ends it on every server process.
"""

from __future__ import annotations

import re
import secrets
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError, VerifyMismatchError
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from ..errors import SubmissionError
from .assignments import ID_BYTES, hash_secret
from .errors import SignInError
from .models import MAX_EMAIL, MAX_NAME, MAX_TIMEZONE, LoginSession, SavedWorksheet, Teacher
from .store import Store

MIN_PASSWORD = 10  # characters; NIST SP 800-63B asks for at least 8
MAX_PASSWORD = 1_000  # Argon2 takes any length, but a megabyte of "password" is an attack
SESSION_DAYS = 30
SESSION_TOKEN_BYTES = 32
_EMAIL = re.compile(r"[^@\s]+@[^@\s]+")
# RFC 9106's second recommended option (64 MiB, 3 passes, 4 lanes) is argon2-cffi's default.
_HASHER = PasswordHasher()
# Checked when no account has the address, so a wrong address takes as long as a wrong password.
_DUMMY_HASH = _HASHER.hash("not a password anyone has")


@dataclass(frozen=True)
class TeacherAccount:
    id: int
    email: str
    name: str
    timezone: str | None


@dataclass(frozen=True)
class SignedIn:
    teacher: TeacherAccount
    csrf: str


@dataclass(frozen=True)
class WorksheetRecord:
    id: str
    deck_id: str
    title: str
    count: int
    seed: int
    variants: int
    created_at: datetime


def clean_email(raw: object) -> str:
    email = raw.strip() if isinstance(raw, str) else ""
    if not _EMAIL.fullmatch(email) or len(email) > MAX_EMAIL:
        raise SubmissionError("type your email address, such as ada@school.example")
    return email


def check_timezone(raw: object) -> str | None:
    """An IANA time zone name such as Europe/Berlin, or None for blank."""
    name = raw.strip() if isinstance(raw, str) else ""
    if not name:
        return None
    try:
        if len(name) > MAX_TIMEZONE or ".." in name:
            raise ZoneInfoNotFoundError
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise SubmissionError(f"time zone must be a name such as Europe/Berlin or America/New_York, "
                              f"not {name[:40]!r}") from None
    return name


def _account(row: Teacher) -> TeacherAccount:
    return TeacherAccount(row.id, row.email, row.name, row.timezone)


class Accounts:
    def __init__(self, store: Store):
        self.store = store

    def count(self) -> int:
        with self.store.reading() as session:
            return session.scalar(select(func.count()).select_from(Teacher)) or 0

    def create(self, email: object, name: object, password: object, timezone: object = None,
               now: datetime | None = None) -> TeacherAccount:
        email = clean_email(email)
        display = " ".join(name.split()) if isinstance(name, str) else ""
        if not display or len(display) > MAX_NAME:
            raise SubmissionError(f"type your name as students know it (1 to {MAX_NAME} characters)")
        if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise SubmissionError(f"choose a password of at least {MIN_PASSWORD} characters")
        zone = check_timezone(timezone)
        row = Teacher(email=email.casefold(), name=display, password_hash=_HASHER.hash(password), timezone=zone,
                      created_at=now or datetime.now(UTC))
        try:
            with self.store.writing() as session:
                session.add(row)
                session.flush()
                account = _account(row)
        except IntegrityError:
            raise SubmissionError("there is already an account with this email address: sign in instead") from None
        return account

    def authenticate(self, email: object, password: object) -> TeacherAccount:
        address = email.strip().casefold() if isinstance(email, str) else ""
        with self.store.reading() as session:
            row = session.scalar(select(Teacher).where(Teacher.email == address)) if address else None
            if row is not None:
                session.expunge(row)
        given = password if isinstance(password, str) and len(password) <= MAX_PASSWORD else ""
        try:
            matched = _HASHER.verify(row.password_hash if row else _DUMMY_HASH, given) and row is not None
        except (VerifyMismatchError, VerificationError, InvalidHashError):
            matched = False
        if not matched or row is None:
            raise SignInError("that email address and password do not match an account")
        if _HASHER.check_needs_rehash(row.password_hash):
            with self.store.writing() as session:
                session.get(Teacher, row.id).password_hash = _HASHER.hash(given)
        return _account(row)

    def set_password(self, email: object, password: object) -> bool:
        """A new password for the account with ``email`` (its sessions end); False if there is none."""
        address = email.strip().casefold() if isinstance(email, str) else ""
        if not isinstance(password, str) or not MIN_PASSWORD <= len(password) <= MAX_PASSWORD:
            raise SubmissionError(f"choose a password of at least {MIN_PASSWORD} characters")
        with self.store.writing() as session:
            row = session.scalar(select(Teacher).where(Teacher.email == address))
            if row is None:
                return False
            row.password_hash = _HASHER.hash(password)
            session.execute(delete(LoginSession).where(LoginSession.teacher_id == row.id))
        return True

    def timezone_of(self, teacher_id: int) -> str | None:
        with self.store.reading() as session:
            return session.scalar(select(Teacher.timezone).where(Teacher.id == teacher_id))

    def set_timezone(self, teacher_id: int, timezone: object) -> None:
        zone = check_timezone(timezone)
        with self.store.writing() as session:
            session.get(Teacher, teacher_id).timezone = zone

    # ---- sessions ----

    def start_session(self, teacher: TeacherAccount, now: datetime | None = None) -> str:
        """A new session for ``teacher``; returns the cookie's token."""
        now = now or datetime.now(UTC)
        token = secrets.token_urlsafe(SESSION_TOKEN_BYTES)
        with self.store.writing() as session:
            # Expired sessions are swept as new ones start: the table stays the size of the active ones.
            session.execute(delete(LoginSession).where(LoginSession.expires_at < now))
            session.add(LoginSession(id=hash_secret(token), teacher_id=teacher.id,
                                     csrf=secrets.token_urlsafe(SESSION_TOKEN_BYTES), created_at=now,
                                     expires_at=now + timedelta(days=SESSION_DAYS)))
        return token

    def session(self, token: str | None, now: datetime | None = None) -> SignedIn | None:
        if not token or len(token) > 100:
            return None
        now = now or datetime.now(UTC)
        with self.store.reading() as session:
            found = session.execute(select(LoginSession, Teacher).join(Teacher, Teacher.id == LoginSession.teacher_id)
                                    .where(LoginSession.id == hash_secret(token))).first()
            if found is None or found[0].expires_at <= now:
                return None
            return SignedIn(_account(found[1]), found[0].csrf)

    def end_session(self, token: str | None) -> None:
        if token:
            with self.store.writing() as session:
                session.execute(delete(LoginSession).where(LoginSession.id == hash_secret(token)))

    # ---- worksheets ----

    def save_worksheet(self, teacher_id: int, deck_id: str, title: str, count: int, seed: int, variants: int,
                       now: datetime | None = None) -> WorksheetRecord:
        record = WorksheetRecord(secrets.token_urlsafe(ID_BYTES), deck_id, title, count, seed, variants,
                                 now or datetime.now(UTC))
        with self.store.writing() as session:
            session.add(SavedWorksheet(id=record.id, teacher_id=teacher_id, deck_id=deck_id, title=title,
                                       count=count, seed=seed, variants=variants, created_at=record.created_at))
        return record

    def worksheets(self, teacher_id: int) -> list[WorksheetRecord]:
        with self.store.reading() as session:
            rows = session.scalars(select(SavedWorksheet).where(SavedWorksheet.teacher_id == teacher_id)
                                   .order_by(SavedWorksheet.created_at.desc())).all()
            return [WorksheetRecord(r.id, r.deck_id, r.title, r.count, r.seed, r.variants, r.created_at)
                    for r in rows]

    def worksheet(self, teacher_id: int | None, worksheet_id: str) -> WorksheetRecord | None:
        """The teacher's own saved worksheet, or None (someone else's looks the same as none)."""
        if teacher_id is None or not isinstance(worksheet_id, str) or len(worksheet_id) > 64:
            return None
        with self.store.reading() as session:
            r = session.get(SavedWorksheet, worksheet_id)
            if r is None or r.teacher_id != teacher_id:
                return None
            return WorksheetRecord(r.id, r.deck_id, r.title, r.count, r.seed, r.variants, r.created_at)
