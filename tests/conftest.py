from __future__ import annotations

from pathlib import Path

import pytest
from click.testing import CliRunner

from quizgen.content import Library, bundled_root, load_library
from quizgen.quiz import QuizMaker
from quizgen.synth import write_library

ROOT = Path(__file__).resolve().parent.parent


def _seeds_folder() -> Path | None:
    """The original documents the bundled quotes come from: ../shared/seeds beside the repository
    (a clone in CI; for a git worktree, beside the worktrees' folder), else /work/shared/seeds."""
    candidates = [ROOT.parent / "shared" / "seeds", ROOT.parent.parent / "shared" / "seeds",
                  Path("/work/shared/seeds")]
    return next((p for p in candidates if p.is_dir() and any(p.glob("*.txt"))), None)


@pytest.fixture(scope="session", autouse=True)
def _results_database_in_tmp(tmp_path_factory):
    """Apps and servers the tests start store assignments in a throwaway file, never the user's own."""
    import os

    url = f"sqlite:///{tmp_path_factory.mktemp('results') / 'quizgen.db'}"
    old = os.environ.get("QUIZGEN_DATABASE_URL")
    os.environ["QUIZGEN_DATABASE_URL"] = url
    yield url
    if old is None:
        os.environ.pop("QUIZGEN_DATABASE_URL", None)
    else:
        os.environ["QUIZGEN_DATABASE_URL"] = old


@pytest.fixture(scope="session")
def seeds() -> Path:
    folder = _seeds_folder()
    if folder is None:
        pytest.skip("the original documents are not in ../shared/seeds beside the repository")
    return folder


@pytest.fixture(scope="session")
def library() -> Library:
    """The bundled content."""
    return load_library(bundled_root())


@pytest.fixture(scope="session")
def maker(library) -> QuizMaker:
    return QuizMaker(library)


@pytest.fixture(scope="session")
def synth_root(tmp_path_factory) -> Path:
    """A 1,000-fact synthetic content folder."""
    return write_library(1000, tmp_path_factory.mktemp("synth") / "lib", seed=7)


@pytest.fixture(scope="session")
def synth_library(synth_root) -> Library:
    return load_library(synth_root)


@pytest.fixture
def app():
    from quizgen.webapp import create_app

    return create_app({"TESTING": True, "CONTENT": str(bundled_root())})


@pytest.fixture
def client(app):
    return app.test_client()


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture(scope="session")
def synth_app(synth_root):
    """The web app over the 1,000-fact synthetic library."""
    from quizgen.webapp import create_app

    return create_app({"TESTING": True, "CONTENT": str(synth_root)})


@pytest.fixture
def sclient(synth_app):
    return synth_app.test_client()


@pytest.fixture(scope="session")
def smaker(synth_app) -> QuizMaker:
    return synth_app.extensions["quizgen.maker"]


@pytest.fixture(scope="session")
def pg_cluster():
    """A throwaway PostgreSQL cluster (Debian's binaries) for the whole session, or a skip."""
    from quizgen.storage.testing import TemporaryCluster, postgres_bin

    bindir = postgres_bin()
    if bindir is None:
        pytest.skip("PostgreSQL is not installed; install it with `bash scripts/system-deps.sh`")
    cluster = TemporaryCluster(bindir).start()
    try:
        yield cluster
    finally:
        cluster.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def database_url(request, tmp_path) -> str:
    """An empty database: a SQLite file, then a new PostgreSQL database."""
    if request.param == "sqlite":
        return f"sqlite:///{tmp_path / 'quizgen.db'}"
    return request.getfixturevalue("pg_cluster").create_database()
