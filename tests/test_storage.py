"""Stored assignments on SQLite and PostgreSQL: migrations, round trips, validation, concurrency."""

from __future__ import annotations

import os
from concurrent.futures import ThreadPoolExecutor
from dataclasses import replace
from datetime import UTC, datetime, timedelta

import pytest
from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, inspect, select, text

from quizgen.errors import SubmissionError
from quizgen.quiz import QuizSpec
from quizgen.storage import Store, database_url
from quizgen.storage.assignments import Assignments, quiz_from_json, quiz_to_json
from quizgen.storage.errors import AssignmentNotFoundError, StorageError
from quizgen.storage.models import Assignment, Attempt, Base


@pytest.fixture
def store(database_url):
    s = Store(database_url)
    s.migrate()
    yield s
    s.dispose()


@pytest.fixture
def quiz(maker, library):
    deck = sorted(library.decks)[0]
    return maker.make(QuizSpec(deck, 5, 11))


def _count(store: Store, table=Attempt) -> int:
    with store.reading() as session:
        return session.scalar(select(func.count()).select_from(table))


def test_migrations_make_exactly_the_models_tables(store):
    assert {"assignments", "attempts", "teachers", "login_sessions", "roster", "worksheets",
            "alembic_version"} <= set(inspect(store.engine).get_table_names())
    from alembic.script import ScriptDirectory

    from quizgen.practice_store import Base as PracticeBase
    from quizgen.storage.store import MIGRATIONS

    with store.engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), [Base.metadata, PracticeBase.metadata])
    assert diffs == []  # a model changed without a migration would show here
    Store(store.url).migrate()  # a second server process starting finds nothing left to do
    head = ScriptDirectory(str(MIGRATIONS)).get_current_head()
    with store.reading() as session:
        assert session.execute(text("SELECT version_num FROM alembic_version")).scalars().all() == [head]


def test_0002_keeps_what_0001_stored_and_downgrades_cleanly(database_url, quiz):
    """An assignment and attempt stored before teacher accounts still work after the upgrade."""
    from alembic import command
    from alembic.config import Config

    from quizgen.storage.store import MIGRATIONS

    store = Store(database_url)
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    with store.engine.connect() as conn:  # (the first use migrated to head: go back to 0001)
        if store.engine.url.get_backend_name() == "sqlite":
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = OFF")
        with conn.begin():
            config.attributes["connection"] = conn
            command.downgrade(config, "0001")
        if store.engine.url.get_backend_name() == "sqlite":
            conn.connection.dbapi_connection.execute("PRAGMA foreign_keys = ON")
    assert "teachers" not in inspect(store.engine).get_table_names()
    now = datetime.now(UTC).replace(tzinfo=None)
    with store.engine.connect() as conn, conn.begin():
        conn.execute(text("INSERT INTO assignments (id, title, deck_id, quiz_json, secret_hash, created_at) "
                          "VALUES ('old-one', 'Old', :d, :q, :h, :t)"),
                     {"d": quiz.spec.deck_id, "q": quiz_to_json(quiz), "h": "0" * 64, "t": now})
        conn.execute(text("INSERT INTO attempts (assignment_id, name, answers_json, score, total, submitted_at) "
                          "VALUES ('old-one', 'Ada', :a, 0, :n, :t)"),
                     {"a": "[" + ", ".join(["null"] * len(quiz.questions)) + "]", "n": len(quiz.questions), "t": now})
    from quizgen.storage.store import _upgrade

    _upgrade(store.engine)  # as a server starting on the old database does
    assignments = Assignments(store)
    old = assignments.get("old-one")
    assert old.reveal == "closed" and old.join_code and old.teacher_id is None
    assert assignments.by_join_code(old.join_code).id == "old-one"
    assert [(a.name, a.late, a.name_key) for a in assignments.attempts("old-one")] == [("Ada", False, "ada")]
    store.dispose()


def test_sqlite_runs_in_wal_mode_with_a_busy_timeout(tmp_path):
    store = Store(f"sqlite:///{tmp_path / 'q.db'}")
    with store.reading() as session:
        assert session.execute(text("PRAGMA journal_mode")).scalar() == "wal"
        assert session.execute(text("PRAGMA busy_timeout")).scalar() >= 5000
        assert session.execute(text("PRAGMA foreign_keys")).scalar() == 1
    store.dispose()


def test_the_quiz_is_stored_as_made(store, quiz):
    noted = replace(quiz.questions[0], citation=replace(quiz.questions[0].citation, note="Disputed; see X."))
    quiz = replace(quiz, questions=(noted, *quiz.questions[1:]))
    stored, secret = Assignments(store).create(quiz, "Week 3")
    again = Assignments(Store(store.url)).get(stored.id)  # another process: nothing cached
    assert again.quiz == quiz
    assert again.quiz.questions[0].citation.note == "Disputed; see X."
    assert quiz_from_json(quiz_to_json(quiz)) == quiz


def test_the_teacher_secret_is_long_kept_hashed_and_checked(store, quiz):
    assignments = Assignments(store)
    stored, secret = assignments.create(quiz, "Week 3")
    assert len(secret) >= 22  # 128 bits in URL-safe base64
    with store.reading() as session:
        row = session.get(Assignment, stored.id)
        assert secret not in row.secret_hash and len(row.secret_hash) == 64
    assert assignments.for_teacher(stored.id, secret).id == stored.id
    for wrong in (None, "", secret[:-1], secret + "x", "x" * 200):
        with pytest.raises(AssignmentNotFoundError) as exc:
            assignments.for_teacher(stored.id, wrong)
        with pytest.raises(AssignmentNotFoundError) as unknown:
            assignments.for_teacher("no-such-id", secret)
        assert str(exc.value) == str(unknown.value)  # a wrong secret looks like no assignment at all


def test_attempts_are_graded_and_kept(store, quiz):
    assignments = Assignments(store)
    stored, _ = assignments.create(quiz, "Week 3")
    right = [q.answer_index for q in quiz.questions]
    done = assignments.submit(stored.id, "  Ada   Lovelace ", right)
    assert done.graded.score == len(quiz.questions) and not done.late and len(done.token) >= 22
    # The result lives at its own address: the token finds this attempt, and nothing else does.
    found_assignment, found = assignments.attempt_by_token(stored.id, done.token)
    assert found.answers == tuple(right) and found_assignment.id == stored.id
    for wrong in (done.token[:-1] + ("A" if done.token[-1] != "A" else "B"), "x" * 22, ""):
        with pytest.raises(AssignmentNotFoundError):
            assignments.attempt_by_token(stored.id, wrong)
    with store.reading() as session:  # kept only hashed
        assert done.token not in str(session.execute(text("SELECT token_hash FROM attempts")).all())
    assignments.submit(stored.id, "Ada Lovelace", [None] * len(right))
    attempts = assignments.attempts(stored.id)
    assert [(a.name, a.score, a.answers) for a in attempts] == [
        ("Ada Lovelace", len(right), tuple(right)), ("Ada Lovelace", 0, (None,) * len(right))]
    assert attempts[0].submitted_at.tzinfo is not None


@pytest.mark.parametrize("name, answers, message", [
    ("Ada", "short", "questions but 4 answers"),
    ("Ada", "out_of_range", "must be an option number"),
    ("Ada", "bool", "must be an option number"),
    ("A" * 101, "ok", "at most 100 characters"),
    ("   ", "ok", "type your name"),
])
def test_a_bad_attempt_stores_nothing(store, quiz, name, answers, message):
    assignments = Assignments(store)
    stored, _ = assignments.create(quiz, "Week 3")
    n = len(quiz.questions)
    sent = {"short": [0] * (n - 1), "out_of_range": [0] * (n - 1) + [len(quiz.questions[-1].options)],
            "bool": [True] + [0] * (n - 1), "ok": [0] * n}[answers]
    with pytest.raises(SubmissionError, match=message):
        assignments.submit(stored.id, name, sent)
    assert _count(store) == 0


def test_an_answer_after_closing_is_kept_and_marked_late(store, quiz):
    assignments = Assignments(store)
    now = datetime.now(UTC)
    stored, _ = assignments.create(quiz, "Week 3", closes_at=now + timedelta(hours=1), now=now)
    assert not assignments.submit(stored.id, "Ada", [0] * len(quiz.questions), now=now + timedelta(minutes=59)).late
    assert assignments.submit(stored.id, "Bob", [0] * len(quiz.questions), now=now + timedelta(hours=1)).late
    assert [(a.name, a.late) for a in assignments.attempts(stored.id)] == [("Ada", False), ("Bob", True)]
    assert assignments.get(stored.id).closes_at == (now + timedelta(hours=1))
    with pytest.raises(SubmissionError, match="in the future"):
        assignments.create(quiz, "Late", closes_at=now - timedelta(seconds=1))


def test_delete_removes_the_assignment_and_every_attempt(store, quiz):
    assignments = Assignments(store)
    stored, secret = assignments.create(quiz, "Week 3")
    other, _ = assignments.create(quiz, "Week 4")
    for name in ("Ada", "Bob"):
        assignments.submit(stored.id, name, [0] * len(quiz.questions))
    assignments.submit(other.id, "Cy", [0] * len(quiz.questions))
    with pytest.raises(AssignmentNotFoundError):
        assignments.delete(stored.id, "wrong")
    assert _count(store) == 3
    assignments.delete(stored.id, secret)
    assert _count(store) == 1 and _count(store, Assignment) == 1
    with pytest.raises(AssignmentNotFoundError):
        assignments.get(stored.id)
    # A process that still had it in memory cannot store an attempt to it either.
    with pytest.raises(AssignmentNotFoundError):
        assignments.submit(stored.id, "Dee", [0] * len(quiz.questions))


def test_a_restart_loses_nothing(store, quiz):
    first = Assignments(store)
    stored, secret = first.create(quiz, "Week 3")
    first.submit(stored.id, "Ada", [0] * len(quiz.questions))
    store.dispose()
    reopened = Store(store.url)
    assert [a.name for a in Assignments(reopened).attempts(stored.id)] == ["Ada"]
    assert Assignments(reopened).for_teacher(stored.id, secret).quiz == stored.quiz
    reopened.dispose()


def test_200_concurrent_submissions_are_all_stored_exactly_once(store, quiz):
    assignments = Assignments(store)
    stored, _ = assignments.create(quiz, "Week 3")
    n = len(quiz.questions)

    def submit(i: int) -> int:
        return assignments.submit(stored.id, f"Student {i}", [i % 2] * n).graded.score

    with ThreadPoolExecutor(max_workers=24) as pool:
        scores = list(pool.map(submit, range(200)))
    attempts = assignments.attempts(stored.id)
    assert len(attempts) == 200
    assert sorted(a.name for a in attempts) == sorted(f"Student {i}" for i in range(200))
    assert sorted(a.score for a in attempts) == sorted(scores)


def test_database_url_prefers_the_option_then_the_environment(monkeypatch, tmp_path):
    monkeypatch.delenv("QUIZGEN_DATABASE_URL", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    assert database_url() == f"sqlite:///{tmp_path / 'data' / 'quizgen' / 'quizgen.db'}"
    monkeypatch.setenv("QUIZGEN_DATABASE_URL", "postgresql://u@h/db")
    assert database_url() == "postgresql://u@h/db"
    assert database_url(tmp_path / "class.db") == f"sqlite:///{tmp_path / 'class.db'}"


def test_an_unusable_database_is_one_plain_error(tmp_path):
    blocker = tmp_path / "file"
    blocker.write_text("not a folder")
    with pytest.raises(StorageError, match="cannot create the folder"):
        Store(f"sqlite:///{blocker / 'sub' / 'q.db'}").migrate()
    with pytest.raises(StorageError, match="unsupported database"):
        Store("mysql://u@h/db").migrate()
    with pytest.raises(StorageError, match="cannot open the results database"):
        Store("postgresql://nobody@127.0.0.1:1/none").migrate()


@pytest.mark.skipif(not hasattr(os, "fork"), reason="needs os.fork")
def test_a_forked_server_worker_opens_its_own_connections(store, quiz):
    assignments = Assignments(store)
    stored, _ = assignments.create(quiz, "Week 3")
    answers = [0] * len(quiz.questions)
    assignments.submit(stored.id, "Parent", answers)  # the parent's pool now holds a connection
    assert store.engine.pool.checkedin() >= 1
    pid = os.fork()
    if pid == 0:  # a pre-forked server worker: it must not talk over its parent's sockets
        code = 1
        try:
            if store.engine.pool.checkedin() == 0:
                assignments.submit(stored.id, "Child", answers)
                code = 0
        finally:
            os._exit(code)
    _, status = os.waitpid(pid, 0)
    assert os.waitstatus_to_exitcode(status) == 0
    assignments.submit(stored.id, "Parent again", answers)  # the parent's connections still work
    assert [a.name for a in assignments.attempts(stored.id)] == ["Parent", "Child", "Parent again"]


@settings(max_examples=40, deadline=None)
@given(seed=st.integers(0, 10**6), count=st.integers(1, 12),
       kinds=st.sets(st.sampled_from(["forward", "reverse", "true_false"]), min_size=1),
       note=st.one_of(st.none(), st.text(max_size=60)))
def test_stored_quiz_json_round_trips(maker, library, seed, count, kinds, note):
    deck = sorted(library.decks)[seed % len(library.decks)]
    quiz = maker.make(QuizSpec(deck, count, seed, tuple(kinds)))
    if quiz.questions:  # any text a curator writes in a note comes back as written
        first = replace(quiz.questions[0], citation=replace(quiz.questions[0].citation, note=note))
        quiz = replace(quiz, questions=(first, *quiz.questions[1:]))
    assert quiz_from_json(quiz_to_json(quiz)) == quiz
