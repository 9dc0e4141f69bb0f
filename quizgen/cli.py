"""The quizgen command line. Library errors become click errors here and only here."""

from __future__ import annotations

import contextlib
import functools
import json
import sys
from collections.abc import Callable, Iterator
from pathlib import Path

import click

from . import __version__
from .content import Library, load_library
from .errors import ContentError, QuizgenError
from .export.formats import FORMATS as EXPORT_FORMATS
from .quiz import DEFAULT_COUNT, KIND_LABELS, LETTERS, MAX_COUNT, MAX_SEED, QuizMaker, QuizSpec
from .webapp import DEFAULT_THREADS, MAX_THREADS, MAX_WORKERS, SERVERS
from .worksheet import DEFAULT_COUNT as WORKSHEET_COUNT
from .worksheet import MAX_VARIANTS, PAPERS


def friendly(fn):
    """Report quizgen errors as one line each and exit 1, never with a traceback."""

    @functools.wraps(fn)
    def wrapper(*args, **kwargs):
        try:
            return fn(*args, **kwargs)
        except ContentError as exc:
            for problem in exc.problems:
                click.echo(str(problem), err=True)
            n = len(exc.problems)
            click.echo(f"{n} problem{'s' if n != 1 else ''} found.", err=True)
            sys.exit(1)
        except QuizgenError as exc:
            raise click.ClickException(str(exc)) from None

    return wrapper


content_option = click.option(
    "--content",
    "content",
    type=click.Path(file_okay=False, path_type=Path),
    default=None,
    help="Folder holding content/ and decks/ (default: the content bundled with quizgen).",
)


def _library(content: Path | None) -> Library:
    return load_library(content)


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="quizgen")
def cli() -> None:
    """Turn curated, cited facts into quizzes, Anki decks and worksheets.

    Example:

        quizgen check && quizgen quiz --deck link-up-1945 --count 5 --seed 1
    """


@cli.command()
@content_option
@friendly
def check(content: Path | None) -> None:
    """Check all content: sources, facts, quotes and decks.

    Lists every problem, one line each with file, line, fact id, field and the fix,
    and exits 1 if there is any. What it accepts works in every command and page;
    what could not (a text over its length limit, a control character, a number or
    year out of range, a stored text outside content/) it refuses. The limits are
    in the README's Content section.

    Example:

        quizgen check --content ./my-content
    """
    from .export.ledger import read_ledger

    library = _library(content)
    _, ledger_problems = read_ledger(library.root)  # its file, ids and times (`anki-ledger --check`: its age)
    if ledger_problems:
        raise ContentError(ledger_problems)
    click.echo(
        f"OK: {len(library.facts)} facts from {len(library.sources)} sources in {len(library.decks)} decks."
    )


@cli.command()
@content_option
@click.option("--json", "as_json", is_flag=True, help="Print JSON instead of a table.")
@friendly
def decks(content: Path | None, as_json: bool) -> None:
    """List the decks: id, number of facts, how many questions one quiz can ask, title.

    Example:

        quizgen decks --json
    """
    library = _library(content)
    maker = QuizMaker(library)
    rows = [
        {"id": d.id, "title": d.title, "description": d.description, "anki_name": d.anki_name,
         "facts": len(library.deck_facts(d.id)), "questions": maker.capacity(d.id).total}
        for d in library.decks.values()
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False))
        return
    width = max(len(r["id"]) for r in rows)
    for r in rows:
        click.echo(f"{r['id']:<{width}}  {r['facts']:>5} facts  up to {r['questions']:>3} questions  {r['title']}")


@cli.command()
@content_option
@click.option("--deck", "deck_id", help="Only the facts of this deck.")
@click.option("--json", "as_json", is_flag=True, help="Print the facts as JSON (stable order and keys).")
@friendly
def facts(content: Path | None, deck_id: str | None, as_json: bool) -> None:
    """Dump the facts with their slots and citations.

    Example:

        quizgen facts --deck link-up-1945 --json
    """
    from .citations import Citation

    library = _library(content)
    selected = library.deck_facts(deck_id) if deck_id else list(library.facts.values())
    rows = [
        {
            "id": f.id,
            "kind": f.kind,
            "topic": library.topics[f.id],
            "slots": f.slots(),
            "answer": f.answer_text(),
            "tags": list(f.tags),
            "attributed": f.attributed,
            "citation": Citation.of(f, library.source_of(f)).to_dict(),
        }
        for f in selected
    ]
    if as_json:
        click.echo(json.dumps(rows, indent=2, ensure_ascii=False, sort_keys=True))
        return
    for r in rows:
        claim = " [attributed]" if r["attributed"] else ""
        click.echo(f"{r['id']} ({r['kind']}){claim}: {r['answer']}")


def _kinds(value: str) -> tuple[str, ...]:
    return tuple(k.strip().replace("-", "_") for k in value.split(",") if k.strip())


def seed_option(**kwargs):
    """--seed, the same range everywhere (the quiz code's seed field)."""
    return click.option("--seed", type=click.IntRange(0, MAX_SEED), **kwargs)


def count_option(default: int):
    """--count, the number of questions, the same range everywhere."""
    return click.option("--count", default=default, show_default=True, type=click.IntRange(1, MAX_COUNT),
                        help="How many questions.")


_KINDS_HELP = "Question kinds, comma-separated: " + "; ".join(
    f"{kind} ({label.lower()})" for kind, label in KIND_LABELS.items())


@cli.command()
@content_option
@click.option("--deck", "deck_id", help="Deck id (see `quizgen decks`); not needed with --code.")
@count_option(DEFAULT_COUNT)
@seed_option(default=0, show_default=True)
@click.option("--kinds", default=",".join(KIND_LABELS), show_default=True, help=_KINDS_HELP)
@click.option("--code", help="Remake the quiz with this code (as the web site shows it) instead of "
              "--deck/--count/--seed/--kinds.")
@click.option("--json", "as_json", is_flag=True, help="Print JSON with answers and citations.")
@friendly
def quiz(content: Path | None, deck_id: str | None, count: int, seed: int, kinds: str, code: str | None,
         as_json: bool) -> None:
    """Make a multiple-choice quiz, with its answer key and citations.

    The same deck, count, seed and kinds always give the same quiz, and so does its code.

    Example:

        quizgen quiz --deck link-up-1945 --count 10 --seed 1

        quizgen quiz --code link-up-1945.10.frt.1.3fa9c2d1
    """
    ctx = click.get_current_context()
    if code:
        given = [f"--{name}" for name in ("count", "seed", "kinds")
                 if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
        if given:
            raise click.UsageError(f"--code already holds the deck, count, seed and kinds; drop {', '.join(given)}")
    elif not deck_id:
        raise click.UsageError("give --deck ID (see `quizgen decks`) or --code CODE")
    maker = QuizMaker(_library(content))
    if code:
        made = maker.from_code(code.strip())
        if deck_id and deck_id != made.spec.deck_id:
            raise click.UsageError(
                f"--deck {deck_id} disagrees with quiz code {made.code}, which is a quiz of deck "
                f"{made.spec.deck_id}; drop --deck"
            )
    else:
        made = maker.make(QuizSpec(deck_id, count, seed, _kinds(kinds)))
    if as_json:
        click.echo(json.dumps(made.to_dict(), indent=2, ensure_ascii=False))
        return
    click.echo(f"{made.title} — quiz {made.code}\n")
    if made.short:
        click.echo(f"(This deck gave {len(made.questions)} questions of these kinds, not the {made.spec.count} "
                   "asked for.)\n")
    for n, q in enumerate(made.questions, start=1):
        click.echo(f"{n}. {q.stem}")
        for letter, option in zip(LETTERS, q.options, strict=False):
            click.echo(f"   {letter}) {option}")
        click.echo()
    click.echo("Answer key")
    for n, q in enumerate(made.questions, start=1):
        click.echo(f"{n}. {LETTERS[q.answer_index]}) {q.answer}\n   Source: {q.citation.line()}")


@cli.command()
@content_option
@click.option("--deck", "deck_id", help="Only this deck (default: every deck).")
@click.option("--json", "as_json", is_flag=True, help="Print JSON (stable keys and order).")
@click.option("--questions", is_flag=True, help="Also list every question with its options and findings.")
@friendly
def review(content: Path | None, deck_id: str | None, as_json: bool, questions: bool) -> None:
    """Report question quality: each kind of finding once per deck, with the edit that mends it.

    Warns when a question gives away another's answer, facts are about one subject (a quiz asks
    one), a note reads as a verdict under a false statement, a disputed claim is asked as plain
    fact, options come from another topic, the answer stands out by length or position, or a
    template has too few coherent wrong options. Exits 1 on errors (a deck title or id, or a
    stem, naming an answer; a fact never asked). `check` is about validity.

    Example:

        quizgen review --deck link-up-1945 --questions
    """
    from .review import ERROR, to_json, to_text
    from .review import review as review_decks

    reviews = review_decks(_library(content), deck_id)
    if as_json:
        click.echo(json.dumps(to_json(reviews), indent=2, ensure_ascii=False, sort_keys=True))
    else:
        click.echo(to_text(reviews, "ABCDEFGH", questions))
    if any(r.count(ERROR) for r in reviews):
        sys.exit(1)


ANKI_PROGRESS_MIN = 1000  # facts in a deck from which `anki` shows a progress bar on a terminal


@cli.command()
@content_option
@click.option("--deck", "deck_id", help="Deck id to export (see `quizgen decks`).")
@click.option("--all", "all_decks", is_flag=True, help="Export every deck.")
@click.option("-o", "--output", "out_dir", type=click.Path(file_okay=False, path_type=Path),
              default=Path("dist"), show_default=True, help="Folder for the .apkg files.")
@friendly
def anki(content: Path | None, deck_id: str | None, all_decks: bool, out_dir: Path) -> None:
    """Export decks as Anki packages (.apkg) with a citation on every card.

    One note per fact, with a question card and a fill-in card. Re-importing a
    newer export updates exactly the notes whose content changed (see
    `quizgen anki-ledger`). A progress bar shows on a terminal for large decks.

    Example:

        quizgen anki --deck link-up-1945 -o dist/
    """
    from .export.anki import write_apkg
    from .export.ledger import LEDGER_FILE

    if bool(deck_id) == all_decks:
        raise click.UsageError("give either --deck ID or --all")
    library = _library(content)
    ids = list(library.decks) if all_decks else [library.deck(deck_id).id]
    stale: set[str] = set()
    for ident in ids:
        n = len(library.deck_facts(ident))
        if n >= ANKI_PROGRESS_MIN and sys.stderr.isatty():
            with click.progressbar(length=n, label=f"{ident} ({n:,} facts)", file=sys.stderr,
                                   show_pos=True, show_eta=True) as bar:
                path = write_apkg(library, ident, out_dir, progress=bar.update, stale=stale)
        else:  # not a terminal (a pipe, a log, CI): no bar, no carriage returns
            path = write_apkg(library, ident, out_dir, stale=stale)
        click.echo(f"Wrote {path}")
    if stale:
        click.echo(f"Warning: {LEDGER_FILE} is behind the content ({len(stale)} new or changed facts, "
                   f"first {min(stale)}); run `quizgen anki-ledger` and commit it before publishing, "
                   "so learners' Anki takes every update.", err=True)


@cli.command("anki-ledger")
@content_option
@click.option("--check", "check_only", is_flag=True,
              help="Change nothing; exit 1 if the ledger is behind the content.")
@friendly
def anki_ledger(content: Path | None, check_only: bool) -> None:
    """Record in content/anki-ledger.tsv when each fact's Anki note changed.

    A note's modification time in every export comes from this file, so Anki
    updates exactly the notes whose content changed. Run it after editing facts
    (or changing quizgen's wording) and commit the file with the content.

    Example:

        quizgen anki-ledger && git add content/anki-ledger.tsv
    """
    from .export.ledger import LEDGER_FILE, ledger_problems, update_ledger

    library = _library(content)
    if check_only:
        problems = ledger_problems(library)
        for problem in problems:
            click.echo(str(problem), err=True)
        if problems:
            sys.exit(1)
        click.echo(f"OK: {LEDGER_FILE} is up to date for {len(library.facts)} facts.")
        return
    change = update_ledger(library)
    click.echo(f"{LEDGER_FILE}: {len(change.added)} new, {len(change.changed)} changed, "
               f"{len(change.removed)} removed, {len(library.facts) - len(change.added) - len(change.changed)} "
               "unchanged.")


@cli.command()
@content_option
@click.option("--format", "fmt", required=True, type=click.Choice(list(EXPORT_FORMATS)),
              help="moodle-xml, gift (Moodle), canvas-qti (zip), blackboard (tab-delimited), quizizz or kahoot (.xlsx).")
@click.option("--deck", "deck_id", help="Deck id (see `quizgen decks`); not needed with --code.")
@count_option(DEFAULT_COUNT)
@seed_option(default=0, show_default=True)
@click.option("--kinds", default=",".join(KIND_LABELS), show_default=True, help=_KINDS_HELP)
@click.option("--code", help="Export the quiz with this code instead of --deck/--count/--seed/--kinds.")
@click.option("-o", "--output", "out", type=click.Path(dir_okay=False, path_type=Path),
              help="Output file (default: CODE-FORMAT with the format's ending, in this folder).")
@click.option("--skip-too-long", is_flag=True,
              help="Kahoot/Quizizz: write the file without the questions that break the platform's limits.")
@friendly
def export(content: Path | None, fmt: str, deck_id: str | None, count: int, seed: int, kinds: str,
           code: str | None, out: Path | None, skip_too_long: bool) -> None:
    """Export a quiz to Moodle, Canvas, Blackboard, Quizizz or Kahoot, citations included.

    The questions, options, order and right answers are exactly those of
    `quizgen quiz` with the same deck, count, seed and kinds (or --code). Every
    question carries its citation in the feedback; Blackboard has no feedback
    field, so there the question shows only its source's publisher and date
    (students see it while answering), and Kahoot has none either, so its
    citations are on the sheet "Sources". A text over Kahoot's limits (question
    120 characters, answer 75) is given in a short form written on purpose; one
    still over is never cut short: it is listed, and nothing is written (exit 1)
    unless --skip-too-long.

    Example:

        quizgen export --format moodle-xml --deck link-up-1945 --count 10 --seed 1 -o elbe.xml
    """
    from .atomic import write_bytes

    if bool(deck_id) == bool(code):
        raise click.UsageError("give either --deck ID (with --count, --seed, --kinds) or --code CODE")
    ctx = click.get_current_context()
    given = [f"--{name}" for name in ("count", "seed", "kinds")
             if ctx.get_parameter_source(name) is not click.core.ParameterSource.DEFAULT]
    if code and given:
        raise click.UsageError(f"--code already holds the deck, count, seed and kinds; drop {', '.join(given)}")
    export_format = EXPORT_FORMATS[fmt]
    maker = QuizMaker(_library(content))
    made = maker.from_code(code.strip()) if code else maker.make(QuizSpec(deck_id, count, seed, _kinds(kinds)))
    if not made.questions:
        raise click.ClickException("no questions of these kinds can be made from this deck; nothing to export")
    if made.short:
        click.echo(f"(This deck gave {len(made.questions)} questions of these kinds, not the {made.spec.count} "
                   "asked for.)", err=True)
    with _progress(len(made.questions), f"{export_format.label}: {made.code}") as update:
        rendered = export_format.render(made, maker.library, update)
    for left in rendered.left_out:
        click.echo(f"Left out {left}", err=True)
    if rendered.left_out and not skip_too_long:
        raise click.ClickException(
            f"{len(rendered.left_out)} of {len(made.questions)} questions break {export_format.platform}'s "
            "limits (listed above); nothing was written. Use --skip-too-long to write the other "
            f"{rendered.written}, or try another --seed."
        )
    target = out or Path(export_format.filename(made.code))
    write_bytes(target, rendered.data)
    click.echo(f"Wrote {target} ({rendered.written} questions, {export_format.label})")


@contextlib.contextmanager
def _progress(length: int, label: str) -> Iterator[Callable[[int], None] | None]:
    """A progress bar on a terminal (stderr); nothing at all when output goes to a file or pipe."""
    if not sys.stderr.isatty():
        yield None
        return
    with click.progressbar(length=length, label=label, file=sys.stderr, show_pos=True, show_eta=True) as bar:
        yield bar.update


@cli.command()
@content_option
@click.option("--deck", "deck_id", required=True, help="Deck id (see `quizgen decks`).")
@count_option(WORKSHEET_COUNT)
@seed_option(default=None, help="The same seed always prints the same sheets (default: drawn at random and "
            "printed here, never on the sheets: anyone with the seed can print the key).")
@click.option("--variants", default=1, show_default=True, type=click.IntRange(1, MAX_VARIANTS),
              help="Versions A, B, C… with the same questions in different orders.")
@click.option("--no-key", is_flag=True, help="Leave out the marking grid and the answer keys.")
@click.option("--paper", type=click.Choice(sorted(PAPERS), case_sensitive=False), default=None,
              help="Paper size (default: Letter for locales such as en_US or en_CA in LC_PAPER/LANG, else A4).")
@click.option("-o", "--output", "out", required=True, type=click.Path(dir_okay=False, path_type=Path),
              help="Output file: .pdf or .html.")
@friendly
def worksheet(content: Path | None, deck_id: str, count: int, seed: int | None, variants: int, no_key: bool,
              paper: str | None, out: Path) -> None:
    """Make a printable worksheet (PDF or HTML) with variants, a marking grid and answer keys.

    Example:

        quizgen worksheet --deck link-up-1945 --count 20 --variants 3 --paper letter -o w.pdf
    """
    import secrets

    from .worksheet import default_paper, part_count, write_worksheet

    paper = (paper or default_paper()).lower()
    maker = QuizMaker(_library(content))
    drawn = seed is None
    seed = secrets.randbelow(MAX_SEED + 1) if seed is None else seed
    spec = QuizSpec(deck_id, count, seed)
    parts = part_count(variants, not no_key)
    # A bar only where someone watches and the wait is long enough to wonder; pipes and logs stay clean.
    if out.suffix.lower() == ".pdf" and parts >= 4 and sys.stderr.isatty():
        with click.progressbar(length=parts, label="Laying out", file=sys.stderr, show_pos=True) as bar:
            write_worksheet(maker, spec, variants, not no_key, out, paper, progress=bar.update)
    else:
        write_worksheet(maker, spec, variants, not no_key, out, paper)
    click.echo(f"Wrote {out}")
    if drawn:
        click.echo(f"Seed {seed}: keep it to yourself; --seed {seed} prints the same sheets and keys again.")


@cli.command()
@content_option
@click.option("--host", default="127.0.0.1", show_default=True)
@click.option("--port", default=8000, show_default=True, type=click.IntRange(1, 65535))
@click.option("--threads", default=DEFAULT_THREADS, show_default=True, type=click.IntRange(1, MAX_THREADS),
              help="Threads per worker process.")
@click.option("--workers", type=click.IntRange(1, MAX_WORKERS),
              help="Worker processes (gunicorn); default one per core.")
@click.option("--server", "server_name", default="auto", show_default=True, type=click.Choice(SERVERS),
              help="auto: gunicorn on Linux and macOS, waitress (one process) on Windows.")
@click.option("--db", "db", default=None, metavar="PATH|URL",
              help="Where assignments and results are stored: a SQLite file or a postgresql:// URL "
                   "(default: $QUIZGEN_DATABASE_URL, else quizgen.db in your data folder; printed at start).")
@click.option("--trusted-proxy", default=None, metavar="ADDRESS",
              help="The address of a reverse proxy in front (e.g. 127.0.0.1): its X-Forwarded-For names "
                   "the client for rate limits. Without it every client is the address that connected.")
@click.option("--public-url", default=None, metavar="URL",
              help="The address students' devices use, such as https://quiz.school.example (behind a proxy); "
                   "default: the address the teacher opened the site at.")
@click.option("--timezone", default=None, metavar="ZONE",
              help="The school's time zone for students' pages and new accounts, such as Europe/Berlin (default: UTC).")
@friendly
def serve(content: Path | None, host: str, port: int, threads: int, workers: int | None,
          server_name: str, db: str | None, trusted_proxy: str | None, public_url: str | None,
          timezone: str | None) -> None:
    """Serve the quiz site with a production WSGI server, using every core.

    The library is loaded once, before the worker processes start, so they share its memory.

    Example:

        quizgen serve --port 8000 --db ./class.db    # then open http://127.0.0.1:8000

        quizgen serve --workers 4 --threads 4 --host 0.0.0.0

        quizgen serve --trusted-proxy 127.0.0.1    # behind nginx or Caddy on the same machine

        quizgen serve --host 0.0.0.0 --timezone Europe/Berlin    # students join from their phones
    """
    from .webapp import serve as run_server

    if workers and server_name == "waitress":
        raise click.UsageError("--workers needs gunicorn; waitress serves from one process (use --threads)")
    # Content problems surface from the app factory's load, as from every other command.
    from .storage.accounts import check_timezone

    if public_url is not None and not public_url.startswith(("http://", "https://")):
        raise click.BadParameter("must start with http:// or https://, such as https://quiz.school.example",
                                 param_hint="--public-url")
    try:
        timezone = check_timezone(timezone)
    except QuizgenError as exc:
        raise click.BadParameter(str(exc), param_hint="--timezone") from None
    if host in ("127.0.0.1", "localhost", "::1"):
        click.echo("quizgen: only this computer can reach the site; for students' devices on the same network "
                   "start it with --host 0.0.0.0", err=True)
    run_server(content=content, host=host, port=port, threads=threads, workers=workers, server=server_name,
               db=db, trusted_proxy=trusted_proxy, public_url=public_url.rstrip("/") if public_url else None,
               timezone=timezone)


@cli.group()
def teacher() -> None:
    """Teacher accounts of the site's database (the same one `serve` uses).

    Example:

        quizgen teacher add --email ada@school.example --name "Ada Lovelace"
    """


@teacher.command("add")
@click.option("--email", required=True, help="The address the teacher signs in with.")
@click.option("--name", required=True, help="The teacher's name, as students know it.")
@click.option("--timezone", default=None, metavar="ZONE", help="Such as Europe/Berlin (default: UTC).")
@click.option("--db", "db", default=None, metavar="PATH|URL", help="The database (default as for `serve`).")
@click.password_option(help="The password (asked for twice if not given; at least 10 characters).")
@friendly
def teacher_add(email: str, name: str, timezone: str | None, db: str | None, password: str) -> None:
    """Create a teacher account, or set a new password for an existing one.

    Example:

        quizgen teacher add --email ada@school.example --name "Ada Lovelace" --db ./class.db
    """
    from .storage import Store, database_url
    from .storage.accounts import Accounts

    store = Store(database_url(db))
    try:
        accounts = Accounts(store)
        if accounts.set_password(email, password):
            click.echo(f"Set a new password for {email.strip()}")
        else:
            accounts.create(email, name, password, timezone)
            click.echo(f"Created the teacher account {email.strip()}; sign in at /signin")
    finally:
        store.dispose()


@cli.command()
@click.option("--facts", "n", required=True, type=click.IntRange(5, 10_000_000), help="How many facts.")
@click.option("-o", "--output", "out", required=True, type=click.Path(file_okay=False, path_type=Path),
              help="New folder to write (must not exist or be empty).")
@click.option("--seed", default=0, show_default=True, type=int)
@friendly
def synth(n: int, out: Path, seed: int) -> None:
    """Write a synthetic content folder of N valid facts (for tests and benchmarks).

    Example:

        quizgen synth --facts 10000 -o /tmp/big && quizgen check --content /tmp/big
    """
    from .synth import write_library

    if out.exists() and not out.is_dir():
        raise click.UsageError(f"{out} is not a folder; give a new folder for the content, e.g. -o /tmp/big")
    try:
        with _progress(n, "Writing facts") as progress:
            write_library(n, out, seed, progress=progress)
    except OSError as exc:
        raise click.ClickException(f"cannot write {out}: {exc.strerror or exc}; give a folder you can write to") from None
    click.echo(f"Wrote {n} facts to {out}")
