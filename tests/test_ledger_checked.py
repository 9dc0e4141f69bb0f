"""content/anki-ledger.tsv as a hostile hand or a bad merge leaves it: `check` refuses it with one
line per problem, every other command and the site still work, and nothing hangs or tracebacks."""

from __future__ import annotations

import os
import shutil
import signal
from pathlib import Path

import pytest
from click.testing import CliRunner

from quizgen.cli import cli
from quizgen.limits import MAX_FILE_BYTES

MINI = Path(__file__).parent / "data" / "mini"
LEDGER = "content/anki-ledger.tsv"
DEADLINE = 60  # seconds for every command of one case; a named pipe used to hang them for ever


def _line(text: str, column: int, new: str) -> str:
    """The ledger with one column of its first entry replaced."""
    lines = text.splitlines(keepends=True)
    i = next(n for n, line in enumerate(lines) if not line.startswith("#"))
    parts = lines[i].rstrip("\n").split("\t")
    parts[column] = new
    lines[i] = "\t".join(parts) + "\n"
    return "".join(lines)


def _text(fn):  # noqa: ANN001, ANN202
    return lambda path: path.write_text(fn(path.read_text("utf-8")), "utf-8")


def _fifo(path: Path) -> None:
    path.unlink()
    os.mkfifo(path)


def _folder(path: Path) -> None:
    path.unlink()
    path.mkdir()


CASES = {
    "superscript-time": (_text(lambda t: _line(t, 2, "²")), "not a time"),
    "time-1e17": (_text(lambda t: _line(t, 2, str(10**17))), "not a time"),
    "bad-fact-id": (_text(lambda t: _line(t, 0, "Not An Id")), "not a fact id"),
    "bad-hash": (_text(lambda t: _line(t, 1, "zz")), "not a note hash"),
    "two-columns": (_text(lambda t: t + "lonely\tline\n"), "columns"),
    "repeated-fact": (_text(lambda t: t + [x for x in t.splitlines(keepends=True) if not x.startswith("#")][0]),
                      "listed twice"),
    "merge-conflict": (_text(lambda t: t + "<<<<<<< HEAD\n=======\n>>>>>>> other\n"), "columns"),
    "not-utf8": (lambda p: p.write_bytes(p.read_bytes() + b"\xff\xfe\n"), "not UTF-8"),
    "too-large": (lambda p: p.write_bytes(b"#" * (MAX_FILE_BYTES + 1)), "larger than"),
    "named-pipe": (_fifo, "a named pipe"),
    "folder": (_folder, "a folder"),
}


@pytest.fixture(scope="module")
def base(tmp_path_factory) -> Path:
    root = tmp_path_factory.mktemp("ledger") / "root"
    shutil.copytree(MINI, root)
    result = CliRunner().invoke(cli, ["anki-ledger", "--content", str(root)])
    assert result.exit_code == 0, result.output
    return root


def _deadline(signum, frame):  # noqa: ANN001, ARG001
    raise TimeoutError(f"a command over the ledger took more than {DEADLINE} s (a hang)")


@pytest.mark.parametrize("case", sorted(CASES))
def test_a_broken_ledger_is_refused_by_check_and_handled_by_every_other_command(case, base, tmp_path):
    mutate, words = CASES[case]
    root = tmp_path / "root"
    shutil.copytree(base, root)
    mutate(root / LEDGER)
    runner = CliRunner()
    old = signal.signal(signal.SIGALRM, _deadline)
    signal.alarm(DEADLINE)
    try:
        check = runner.invoke(cli, ["check", "--content", str(root)])
        assert check.exit_code == 1 and check.exception is None or isinstance(check.exception, SystemExit)
        lines = [x for x in check.stderr.splitlines() if x.strip()]
        n = 3 if case == "merge-conflict" else 1  # one line per conflict marker
        assert len(lines) == n + 1 and lines[-1] == f"{n} problem{'s' if n > 1 else ''} found.", check.stderr
        for line in lines[:-1]:
            assert line.startswith(f"In {LEDGER}") and words in line and "`quizgen anki-ledger`" in line, line

        stale = runner.invoke(cli, ["anki-ledger", "--check", "--content", str(root)])
        assert stale.exit_code == 1 and "Traceback" not in stale.output and words in stale.stderr

        # Exports still work: the facts the ledger cannot vouch for get the fallback time.
        out = tmp_path / "dist"
        anki = runner.invoke(cli, ["anki", "--all", "--content", str(root), "-o", str(out)])
        assert anki.exit_code == 0 and anki.exception is None, anki.output
        assert any(out.glob("*.apkg"))

        from quizgen.webapp import create_app

        client = create_app({"TESTING": True, "CONTENT": str(root)}).test_client()
        page = client.get("/decks/all/deck.apkg")
        assert page.status_code == 200 and page.data[:2] == b"PK"

        # And the fix the messages name works.
        if case == "folder":
            shutil.rmtree(root / LEDGER)
        rewrite = runner.invoke(cli, ["anki-ledger", "--content", str(root)])
        assert rewrite.exit_code == 0, rewrite.output
        assert runner.invoke(cli, ["check", "--content", str(root)]).exit_code == 0
    finally:
        signal.alarm(0)
        signal.signal(signal.SIGALRM, old)
