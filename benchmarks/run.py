#!/usr/bin/env python
"""quizgen benchmarks: one markdown table for synthetic libraries of 1,000, 10,000 and 100,000 facts.

    python benchmarks/run.py                      # everything (about 15 minutes on 2 cores)
    python benchmarks/run.py --sizes 1000,10000   # fewer sizes
    python benchmarks/run.py --sizes 200 --repeat 1 --quick   # smoke run: no wrk, seconds

Every measurement runs in a fresh Python process (this script re-invoked with
``--step``), so its peak memory (``ru_maxrss`` of that process: interpreter,
imports, the loaded library and the step itself) belongs to that step alone.
Times are the median over ``--repeat`` processes (fewer for 100,000 facts, see
``--repeat-large``). The web rows start ``python -m quizgen serve`` (gunicorn,
one worker per core) and a hello-world Flask app under the same server, workers
and threads, load them with ``wrk`` on 127.0.0.1 for a bounded time, and read
the server's CPU time (master and workers, /proc/<pid>/stat) around each load
and its memory (PSS, /proc/<pid>/smaps_rollup) after.

The table is printed and written to ``benchmarks/results/latest.md``.
There are no timing assertions anywhere; targets are shown next to results.
"""

from __future__ import annotations

import argparse
import contextlib
import hashlib
import json
import os
import platform
import re
import resource
import shutil
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.parse
import urllib.request
from collections.abc import Callable, Iterator
from datetime import UTC, datetime
from pathlib import Path

HERE = Path(__file__).resolve().parent
ROOT = HERE.parent
RESULTS = HERE / "results"
DEFAULT_SIZES = (1_000, 10_000, 100_000)
LARGE = 100_000  # sizes from here on get --repeat-large runs
QUIZ_COUNT = 20
WORKSHEET_COUNT, WORKSHEET_VARIANTS = 50, 3
SEED = 0

if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from quizgen.webapp import DEFAULT_THREADS, SERVERS, default_workers, gunicorn_available  # noqa: E402

# ---------------------------------------------------------------------------------------------
# Steps: each runs in its own process (``run.py --step NAME --lib DIR``) and prints one JSON line.
# ---------------------------------------------------------------------------------------------


def _peak_rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # KiB on Linux


def _load(lib: str):
    from quizgen.content import load_library

    return load_library(lib)


def step_load(lib: str) -> dict:
    from quizgen.content import load_library

    t = time.perf_counter()
    library = load_library(lib)
    seconds = time.perf_counter() - t
    return {"seconds": seconds, "facts": len(library.facts)}


def step_index(lib: str) -> dict:
    from quizgen.distractors import DistractorIndex

    library = _load(lib)
    t = time.perf_counter()
    DistractorIndex(library.facts.values(), library.sources)
    return {"seconds": time.perf_counter() - t}


def step_quiz(lib: str) -> dict:
    """One 20-question quiz from deck all-facts, after loading and indexing (not timed)."""
    from quizgen.quiz import QuizMaker, QuizSpec

    maker = QuizMaker(_load(lib))
    t = time.perf_counter()
    quiz = maker.make(QuizSpec("all-facts", QUIZ_COUNT, SEED))
    first = time.perf_counter() - t
    times = []
    for seed in range(1, 21):  # warm: what a running server pays per quiz
        t = time.perf_counter()
        maker.make(QuizSpec("all-facts", QUIZ_COUNT, seed))
        times.append(time.perf_counter() - t)
    return {"seconds": statistics.median(times), "first": first, "questions": len(quiz.questions)}


def step_questions(lib: str) -> dict:
    """One question per fact of the library, templates in turn, after loading and indexing."""
    import random

    from quizgen.errors import QuestionError
    from quizgen.questions import make_question, supported_templates
    from quizgen.quiz import QuizMaker

    maker = QuizMaker(_load(lib))
    library, index = maker.library, maker.index
    rng = random.Random(SEED)
    made = failed = 0
    t = time.perf_counter()
    for n, fact in enumerate(library.facts.values()):
        templates = supported_templates(fact)
        try:
            make_question(fact, templates[n % len(templates)], library.sources[fact.source],
                          library.topics[fact.id], index, rng)
            made += 1
        except QuestionError:
            failed += 1
    return {"seconds": time.perf_counter() - t, "made": made, "failed": failed}


def step_apkg(lib: str) -> dict:
    from quizgen.export.anki import write_apkg

    library = _load(lib)
    with tempfile.TemporaryDirectory() as out:
        t, cpu = time.perf_counter(), time.process_time()
        path = write_apkg(library, "all-facts", out)
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        size = path.stat().st_size
    return {"seconds": seconds, "cpu": cpu, "bytes": size}


def step_apkg_bare(lib: str) -> dict:
    """Bare genanki writing the same notes: field strings, tags, GUIDs and decks precomputed.

    The notes are made by quizgen's own note builder (untimed), so fields, tags, GUIDs, the
    note type (ID, name, fields, templates, CSS) and the topic decks are the same; the timed
    part is plain genanki: note type, decks, notes, ``Package.write_to_file``.
    """
    import genanki

    from quizgen.export import anki, notetypes
    from quizgen.export.notes import note_content

    library = _load(lib)
    root = anki.root_name(library)
    decks: dict[str, tuple[int, list]] = {}
    for fact in library.deck_facts("all-facts"):
        name = anki.deck_name(root, library.topics[fact.id])
        fields, tags = note_content(library, fact)
        decks.setdefault(name, (notetypes.stable_id(f"quizgen deck {name}"), []))[1].append(
            (fields, tags, anki.guid(fact.id)))

    class QuietNote(genanki.Note):
        # quizgen skips genanki's per-field HTML warning (its fields are its own escaped markup)
        def _check_invalid_html_tags_in_fields(self) -> None:
            pass

    with tempfile.TemporaryDirectory() as out:
        path = Path(out) / "bare.apkg"
        t, cpu = time.perf_counter(), time.process_time()
        model = genanki.Model(notetypes.ID, notetypes.NAME,
                              fields=[{"name": f, "font": "Arial", "size": 20} for f in notetypes.FIELDS],
                              templates=[dict(x) for x in notetypes.TEMPLATES], css=notetypes.CSS,
                              model_type=genanki.Model.FRONT_BACK, sort_field_index=0)
        gdecks = []
        for name, (deck_id, notes) in decks.items():
            deck = genanki.Deck(deck_id, name)
            for fields, tags, guid in notes:
                deck.add_note(QuietNote(model=model, fields=fields, tags=tags, guid=guid))
            gdecks.append(deck)
        genanki.Package(gdecks).write_to_file(str(path))
        seconds, cpu = time.perf_counter() - t, time.process_time() - cpu
        size = path.stat().st_size
    return {"seconds": seconds, "cpu": cpu, "bytes": size, "notes": sum(len(d[1]) for d in decks.values())}


def step_worksheet(lib: str) -> dict:
    """The 150-question worksheet PDF (50 questions × 3 variants, with keys), as `quizgen worksheet` makes it."""
    from quizgen.quiz import QuizMaker, QuizSpec
    from quizgen.worksheet import _weasyprint, default_workers, render_pdf

    maker = QuizMaker(_load(lib))
    spec = QuizSpec("all-facts", WORKSHEET_COUNT, SEED)
    _weasyprint()  # the import is not layout; the bare baseline imports it untimed too
    cpu = _cpu_seconds()
    t = time.perf_counter()
    pdf = render_pdf(maker, spec, variants=WORKSHEET_VARIANTS, with_key=True)
    return {"seconds": time.perf_counter() - t, "cpu": _cpu_seconds() - cpu, "bytes": len(pdf),
            "workers": default_workers()}


def _cpu_seconds() -> float:
    """CPU time of this process and its finished children (the worksheet's layout processes)."""
    own, children = resource.getrusage(resource.RUSAGE_SELF), resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime + children.ru_utime + children.ru_stime


def step_worksheet_bare(lib: str) -> dict:
    """Baseline: WeasyPrint alone, one process, laying out the same questions, options and key lines
    (answer, publisher, title, date, quote) from a minimal template."""
    from html import escape

    import weasyprint

    from quizgen.quiz import QuizMaker, QuizSpec
    from quizgen.worksheet import build_variants

    maker = QuizMaker(_load(lib))
    variants = build_variants(maker, QuizSpec("all-facts", WORKSHEET_COUNT, SEED), WORKSHEET_VARIANTS)
    cpu = _cpu_seconds()
    t = time.perf_counter()
    out = ["<html><head><style>@page { size: A4; margin: 16mm } section { break-before: page }</style></head><body>"]
    for v in variants:
        out.append(f"<section><h1>Variant {v.letter}</h1>")
        for item in v.questions:
            out.append(f"<p>{item.number}. {escape(item.question.stem)}</p>")
            out += [f"<p>{letter} {escape(option)}</p>" for letter, option in zip(item.letters, item.options, strict=True)]
        out.append("</section>")
    for v in variants:
        out.append(f"<section><h2>Answer key, variant {v.letter}</h2>")
        for item in v.questions:
            c = item.question.citation
            out.append(f"<p>{item.number} {item.answer_letter} {escape(item.answer)}: {escape(c.publisher)}, "
                       f"{escape(c.title)}, {escape(c.published)}. {escape(c.quote)}</p>")
        out.append("</section>")
    pdf = weasyprint.HTML(string="".join(out) + "</body></html>").write_pdf()
    return {"seconds": time.perf_counter() - t, "cpu": _cpu_seconds() - cpu, "bytes": len(pdf)}


STEPS: dict[str, Callable[[str], dict]] = {
    "load": step_load,
    "index": step_index,
    "quiz": step_quiz,
    "questions": step_questions,
    "apkg": step_apkg,
    "apkg_bare": step_apkg_bare,
    "worksheet": step_worksheet,
    "worksheet_bare": step_worksheet_bare,
}


def run_step_here(name: str, lib: str) -> None:
    import warnings

    warnings.simplefilter("ignore")
    try:
        out = STEPS[name](lib)
    except ModuleNotFoundError as exc:
        out = {"unavailable": f"module {exc.name} missing"}
    except (ImportError, AttributeError) as exc:
        out = {"unavailable": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:  # noqa: BLE001 - e.g. RenderError when Pango is missing
        if type(exc).__name__ != "RenderError":
            raise
        out = {"unavailable": str(exc)[:200]}
    out["peak_rss_mb"] = _peak_rss_mb()
    print("RESULT " + json.dumps(out), flush=True)


# ---------------------------------------------------------------------------------------------
# The parent: libraries, child processes, servers, wrk, the table.
# ---------------------------------------------------------------------------------------------


class Row:
    def __init__(self, facts: int, what: str, result: str, runs: str = "", rss: str = "",
                 target: str = "", met: str = ""):
        self.cells = [f"{facts:,}", what, result, runs, rss, target, met]


HEADER = ["Facts", "Measurement", "Result (median)", "Runs", "Peak RSS", "Target", "Met"]


def child_env() -> dict[str, str]:
    env = dict(os.environ)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    env.setdefault("PYTHONHASHSEED", "0")
    return env


def run_child(step: str, lib: Path, timeout: float = 1800) -> dict:
    proc = subprocess.run([sys.executable, str(Path(__file__).resolve()), "--step", step, "--lib", str(lib)],
                          capture_output=True, text=True, env=child_env(), timeout=timeout)
    for line in proc.stdout.splitlines():
        if line.startswith("RESULT "):
            return json.loads(line[7:])
    tail = (proc.stderr.strip().splitlines() or ["no output"])[-1]
    return {"unavailable": f"step failed (exit {proc.returncode}): {tail[:200]}"}


def measure(step: str, lib: Path, runs: int) -> list[dict]:
    return [run_child(step, lib) for _ in range(runs)]


def synth_dir(n: int, cache: Path) -> Path:
    """A synthetic library of ``n`` facts, generated once per synth.py version and kept in ``cache``."""
    version = hashlib.sha256((ROOT / "quizgen" / "synth.py").read_bytes()).hexdigest()[:10]
    path = cache / f"synth-{n}-seed{SEED}-{version}"
    if not (path / "decks" / "all-facts.toml").is_file():
        shutil.rmtree(path, ignore_errors=True)
        from quizgen.synth import write_library

        print(f"  generating a {n:,}-fact library in {path} …", file=sys.stderr, flush=True)
        write_library(n, path, seed=SEED)
    return path


def fmt_s(seconds: float) -> str:
    if seconds < 1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def fmt_bytes(n: int) -> str:
    return f"{n / 1e6:.1f} MB" if n >= 1e6 else f"{n / 1e3:.0f} kB"


def median_of(results: list[dict], key: str = "seconds") -> float:
    return statistics.median(r[key] for r in results)


def rss_of(results: list[dict]) -> str:
    return f"{max(r['peak_rss_mb'] for r in results):.0f} MB"


def met(ok: bool) -> str:
    return "yes" if ok else "**no**"


def unavailable(results: list[dict]) -> str | None:
    for r in results:
        if "unavailable" in r:
            return f"not available: {r['unavailable']}"
    return None


def offline_rows(n: int, lib: Path, runs: int, note: str, progress: Callable[[str], None]) -> list[Row]:
    rows: list[Row] = []
    large = n >= LARGE

    progress(f"{n:,}: load and validate")
    r = measure("load", lib, runs)
    if (u := unavailable(r)):
        rows.append(Row(n, "Load and validate (citations checked)", u))
    else:
        t = median_of(r)
        rows.append(Row(n, "Load and validate (citations checked)", fmt_s(t), f"{runs}{note}", rss_of(r),
                        "< 5 s" if large else "", met(t < 5) if large else ""))

    progress(f"{n:,}: distractor index")
    r = measure("index", lib, runs)
    rows.append(Row(n, "Build the distractor index", unavailable(r) or fmt_s(median_of(r)),
                    f"{runs}{note}", "" if unavailable(r) else rss_of(r)))

    progress(f"{n:,}: 20-question quiz")
    r = measure("quiz", lib, runs)
    if (u := unavailable(r)):
        rows.append(Row(n, f"Make one {QUIZ_COUNT}-question quiz", u))
    else:
        t = median_of(r)
        rows.append(Row(n, f"Make one {QUIZ_COUNT}-question quiz (warm; first in a process: "
                        f"{fmt_s(median_of(r, 'first'))})", fmt_s(t), f"{runs}×20{note}", rss_of(r),
                        "< 20 ms" if large else "", met(t < 0.020) if large else ""))

    progress(f"{n:,}: one question per fact")
    r = measure("questions", lib, runs)
    if (u := unavailable(r)):
        rows.append(Row(n, "One question per fact, whole library", u))
    else:
        t = median_of(r)
        failed = r[0]["failed"]
        rows.append(Row(n, f"One question per fact, whole library ({fmt_s(t / n * 1)} per question"
                        + (f"; {failed} facts without a question" if failed else "") + ")",
                        fmt_s(t), f"{runs}{note}", rss_of(r)))

    progress(f"{n:,}: .apkg export and bare genanki")
    quizgen_runs: list[dict] = []
    bare_runs: list[dict] = []
    for _ in range(runs):  # interleaved, so both see the same machine load
        quizgen_runs.append(run_child("apkg", lib))
        bare_runs.append(run_child("apkg_bare", lib))
    uq, ub = unavailable(quizgen_runs), unavailable(bare_runs)
    tq = None if uq else median_of(quizgen_runs)
    tb = None if ub else median_of(bare_runs)
    rows.append(Row(n, "Export deck all-facts to .apkg (quizgen, 1 note and 2 cards per fact, "
                    "database streamed through a temporary file)",
                    uq or f"{fmt_s(tq)}, CPU {fmt_s(median_of(quizgen_runs, 'cpu'))} "
                    f"({fmt_bytes(quizgen_runs[0]['bytes'])}, deflated)", f"{runs}{note}",
                    "" if uq else rss_of(quizgen_runs)))
    rows.append(Row(n, "Same notes with bare genanki (fields precomputed)",
                    ub or f"{fmt_s(tb)}, CPU {fmt_s(median_of(bare_runs, 'cpu'))} "
                    f"({fmt_bytes(bare_runs[0]['bytes'])}, genanki stores the zip uncompressed)", f"{runs}{note}",
                    "" if ub else rss_of(bare_runs)))
    if tq is not None and tb is not None:
        ratio = tq / tb
        cpu_ratio = median_of(quizgen_runs, "cpu") / median_of(bare_runs, "cpu")
        rss_ratio = (max(r["peak_rss_mb"] for r in quizgen_runs) / max(r["peak_rss_mb"] for r in bare_runs))
        rows.append(Row(n, "Ratio quizgen / bare genanki (wall time; CPU time, which machine load "
                        f"does not skew: {cpu_ratio:.2f}×)", f"{ratio:.2f}×", "", "",
                        "≤ 1.3×" if large else "", met(ratio <= 1.3) if large else ""))
        rows.append(Row(n, "Ratio quizgen / bare genanki, peak memory", f"{rss_ratio:.2f}×", "", "",
                        "≤ 1.25×" if large else "", met(rss_ratio <= 1.25) if large else ""))
    else:
        rows.append(Row(n, "Ratio quizgen / bare genanki", "not available: " + (uq or ub or "")))

    progress(f"{n:,}: worksheet PDF and bare WeasyPrint")
    ws_runs: list[dict] = []
    ws_bare: list[dict] = []
    for _ in range(runs):  # interleaved, so both see the same machine load
        ws_runs.append(run_child("worksheet", lib))
        ws_bare.append(run_child("worksheet_bare", lib))
    what = f"Worksheet PDF: {WORKSHEET_COUNT} questions × {WORKSHEET_VARIANTS} variants, with keys"
    uw, ub = unavailable(ws_runs), unavailable(ws_bare)
    tw = None if uw else median_of(ws_runs)
    tb = None if ub else median_of(ws_bare)
    rows.append(Row(n, what + ("" if uw else f" ({fmt_bytes(ws_runs[0]['bytes'])}, parts laid out in "
                               f"{ws_runs[0]['workers']} processes)"),
                    uw or fmt_s(tw), f"{runs}{note}", "" if uw else rss_of(ws_runs)))
    rows.append(Row(n, "Same text with bare WeasyPrint (minimal template, one process)",
                    ub or f"{fmt_s(tb)} ({fmt_bytes(ws_bare[0]['bytes'])})", f"{runs}{note}",
                    "" if ub else rss_of(ws_bare)))
    if tw is not None and tb is not None:
        ratio = tw / tb
        cpu = median_of(ws_runs, "cpu") / median_of(ws_bare, "cpu")
        rows.append(Row(n, f"Ratio worksheet / bare WeasyPrint (CPU time, all processes: {cpu:.2f}×)",
                        f"{ratio:.2f}×", "", "", "≤ 1.5×", met(ratio <= 1.5)))
    else:
        rows.append(Row(n, "Ratio worksheet / bare WeasyPrint", "not available: " + (uw or ub or "")))
    return rows


# ---- servers and load -----------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@contextlib.contextmanager
def server(argv: list[str], port: int, log: Path, startup: float = 300) -> Iterator[subprocess.Popen]:
    with open(log, "wb") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT, env=child_env(), cwd=ROOT)
    try:
        deadline = time.monotonic() + startup
        while True:
            if proc.poll() is not None:
                raise RuntimeError(f"server exited with {proc.returncode}: "
                                   + log.read_text(errors="replace")[-400:])
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), timeout=0.5):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"server did not listen on port {port} within {startup:.0f} s")
            time.sleep(0.2)
        yield proc
    finally:
        proc.terminate()  # only the process this script started
        try:
            proc.wait(timeout=10)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def proc_status_mb(pid: int, key: str) -> float | None:
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    except OSError:
        return None
    return None


class NoRedirect(urllib.request.HTTPRedirectHandler):
    def redirect_request(self, *args, **kwargs):  # noqa: ANN002, ANN003
        return None


def http(url: str, data: bytes | None = None, ctype: str | None = None) -> tuple[int, dict, bytes]:
    req = urllib.request.Request(url, data=data, method="POST" if data is not None else "GET")
    if ctype:
        req.add_header("Content-Type", ctype)
    opener = urllib.request.build_opener(NoRedirect)
    try:
        with opener.open(req, timeout=30) as resp:
            return resp.status, dict(resp.headers), resp.read()
    except urllib.error.HTTPError as exc:
        return exc.code, dict(exc.headers), exc.read()


_UNITS = {"us": 1e-3, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def parse_wrk(text: str) -> dict:
    out: dict = {"rps": None, "p99_ms": None, "non2xx": 0, "socket_errors": 0, "requests": 0}
    if m := re.search(r"Requests/sec:\s*([\d.]+)", text):
        out["rps"] = float(m[1])
    if m := re.search(r"^\s*99%\s+([\d.]+)(us|ms|s|m)\s*$", text, re.M):
        out["p99_ms"] = float(m[1]) * _UNITS[m[2]]
    if m := re.search(r"Non-2xx or 3xx responses:\s*(\d+)", text):
        out["non2xx"] = int(m[1])
    if m := re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", text):
        out["socket_errors"] = sum(int(x) for x in m.groups())
    if m := re.search(r"(\d+) requests in", text):
        out["requests"] = int(m[1])
    return out


def wrk(url: str, opts: argparse.Namespace, body: str | None = None, ctype: str | None = None,
        fresh: tuple[str, str] | None = None) -> dict:
    argv = ["wrk", "--latency", f"-t{opts.wrk_threads}", f"-c{opts.wrk_connections}",
            f"-d{opts.wrk_duration}s", "--timeout", "10s"]
    env = dict(os.environ)
    if body is not None:
        argv += ["-s", str(HERE / "post.lua")]
        env.update(WRK_BODY=body, WRK_CONTENT_TYPE=ctype or "application/json")
    elif fresh is not None:
        argv += ["-s", str(HERE / "fresh.lua")]
        env.update(WRK_PREFIX=fresh[0], WRK_SUFFIX=fresh[1])
    proc = subprocess.run(argv + [url], capture_output=True, text=True, env=env,
                          timeout=opts.wrk_duration + 60)
    out = parse_wrk(proc.stdout)
    if out["rps"] is None:
        raise RuntimeError(f"wrk failed: {proc.stdout[-300:]} {proc.stderr[-300:]}")
    return out


def python_load(url: str, seconds: float, body: str | None = None, ctype: str | None = None,
                fresh: tuple[str, str] | None = None) -> dict:
    """No wrk (or --quick): a few sequential requests from Python, to check the endpoint works."""
    import random

    data = body.encode() if body is not None else None
    latencies: list[float] = []
    errors = 0
    end = time.monotonic() + seconds
    while time.monotonic() < end or not latencies:
        t = time.perf_counter()
        try:
            target = url if fresh is None else url + fresh[0] + str(random.randrange(10**9)) + fresh[1]
            status, _, _ = http(target, data, ctype)
        except OSError:
            status = 0
        latencies.append((time.perf_counter() - t) * 1000)
        errors += not 200 <= status < 400  # as wrk counts: the form POST answers 303 to its result page
    latencies.sort()
    return {"rps": len(latencies) / seconds, "p99_ms": latencies[min(len(latencies) - 1, int(len(latencies) * 0.99))],
            "non2xx": errors, "socket_errors": 0, "requests": len(latencies)}


def server_pids(master: int) -> list[int]:
    """The server's processes: the master and its workers (gunicorn forks them straight from it)."""
    pids = [master]
    with contextlib.suppress(OSError):
        pids += [int(p) for p in Path(f"/proc/{master}/task/{master}/children").read_text().split()]
    return pids


_TICK = os.sysconf("SC_CLK_TCK") if hasattr(os, "sysconf") else 100


def cpu_seconds(master: int) -> float | None:
    """User + system CPU time of the server's processes so far, from /proc/<pid>/stat."""
    total = 0
    for pid in server_pids(master):
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (OSError, IndexError):
            if pid == master:
                return None
            continue  # a worker that just exited
        total += int(fields[11]) + int(fields[12])  # utime, stime: fields 14 and 15 of stat(5)
    return total / _TICK


def pss_mb(master: int) -> float | None:
    """Proportional set size summed over the server's processes: shared pages counted once in all."""
    total_kb = 0
    for pid in server_pids(master):
        try:
            text = Path(f"/proc/{pid}/smaps_rollup").read_text()
        except OSError:
            return None
        total_kb += int(re.search(r"^Pss:\s+(\d+) kB", text, re.M)[1])
    return total_kb / 1024


def wait_for_workers(master: int, workers: int, timeout: float = 60) -> None:
    """gunicorn forks its workers just after it listens: wait for them before measuring memory."""
    deadline = time.monotonic() + timeout
    while len(server_pids(master)) < workers + 1 and time.monotonic() < deadline:
        time.sleep(0.2)
    time.sleep(0.5)  # each worker's own start-up (imports are preloaded, so this is short)


def load_test(url: str, opts: argparse.Namespace, runs: int, body: str | None = None,
              ctype: str | None = None, fresh: tuple[str, str] | None = None,
              server_pid: int | None = None) -> dict:
    """``fresh`` = (path prefix, path suffix): each request asks for a new random seed in between.

    With ``server_pid``, also the server's CPU time per request over the measured runs.
    """
    if opts.no_wrk:
        measured = lambda: [python_load(url, 1.0, body, ctype, fresh)]  # noqa: E731
    else:
        wrk_warmup = argparse.Namespace(**{**vars(opts), "wrk_duration": 1})
        wrk(url, wrk_warmup, body, ctype, fresh)  # warm up: first requests, caches, thread pool
        measured = lambda: [wrk(url, opts, body, ctype, fresh) for _ in range(runs)]  # noqa: E731
    before = cpu_seconds(server_pid) if server_pid else None
    results = measured()
    after = cpu_seconds(server_pid) if server_pid else None
    requests = sum(r["requests"] for r in results)
    return {
        "rps": statistics.median(r["rps"] for r in results),
        "p99_ms": statistics.median(r["p99_ms"] for r in results),
        "non2xx": sum(r["non2xx"] for r in results),
        "socket_errors": sum(r["socket_errors"] for r in results),
        "requests": requests,
        "cpu_ms": (after - before) * 1000 / requests if before is not None and after is not None and requests
        else None,
    }


def fmt_load(r: dict) -> str:
    errors = r["non2xx"] + r["socket_errors"]
    err = "0 errors" if not errors else f"**{r['non2xx']} non-2xx, {r['socket_errors']} socket errors**"
    cpu = f", server CPU {r['cpu_ms']:.2f} ms/request" if r.get("cpu_ms") is not None else ""
    return f"{r['rps']:,.0f} req/s, p99 {r['p99_ms']:.1f} ms{cpu}, {err} ({r['requests']:,} requests)"


def server_settings(opts: argparse.Namespace) -> list[str]:
    """The same server arguments for quizgen serve and the hello-world app."""
    return ["--server", opts.server, "--threads", str(opts.threads)] + (
        [] if opts.server == "waitress" else ["--workers", str(opts.workers)])


ATTEMPT_BURST = 400  # submissions sent by Python threads after the wrk load, every response counted


def stored_attempts(db_url: str, assignment_id: str) -> int:
    """Attempts stored for the assignment, read from the database itself (not through the server)."""
    from sqlalchemy import create_engine, text

    engine = create_engine(db_url)
    try:
        with engine.connect() as conn:
            return conn.execute(text("SELECT count(*) FROM attempts WHERE assignment_id = :a"),
                                {"a": assignment_id}).scalar_one()
    finally:
        engine.dispose()


def settled_attempts(db_url: str, assignment_id: str, timeout: float = 30) -> int:
    """The stored count once it stops changing (two reads a second apart agree)."""
    count = stored_attempts(db_url, assignment_id)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        time.sleep(1)
        now = stored_attempts(db_url, assignment_id)
        if now == count:
            break
        count = now
    return count


def attempt_burst(url: str, body: str, total: int = ATTEMPT_BURST, threads: int = 8) -> int:
    """POST ``total`` attempts from ``threads`` threads at once; how many got a 2xx answer."""
    from concurrent.futures import ThreadPoolExecutor

    def one(_: int) -> bool:
        try:
            return 200 <= http(url, body.encode(), "application/json")[0] < 300
        except OSError:
            return False

    with ThreadPoolExecutor(threads) as pool:
        return sum(pool.map(one, range(total)))


def attempts_rows(n: int, lib: Path, runs: int, opts: argparse.Namespace, progress: Callable[[str], None],
                  workdir: Path, hello: dict, runs_label: str) -> list[Row]:
    """Submitting attempts to a stored assignment, on SQLite and on PostgreSQL."""
    rows: list[Row] = []
    databases: list[tuple[str, str, Callable[[], None]]] = [
        ("SQLite", f"sqlite:///{workdir / f'attempts-{n}.db'}", lambda: None)]
    try:
        from quizgen.storage.testing import TemporaryCluster, postgres_bin

        bindir = postgres_bin()
        if bindir is None:
            rows.append(Row(n, "Web: attempts on PostgreSQL", "not available: no PostgreSQL installed"))
        else:
            cluster = TemporaryCluster(bindir).start()
            databases.append(("PostgreSQL", cluster.create_database(), cluster.stop))
    except Exception as exc:  # noqa: BLE001 - a missing server or driver is a row, not a crash
        rows.append(Row(n, "Web: attempts on PostgreSQL", f"not available: {str(exc)[:200]}"))
    # One load generator plays a whole class from one address: the per-client limit on submissions
    # (quizgen_web.ratelimit) would refuse it after a few, so the measured servers lift it.
    os.environ["QUIZGEN_SUBMIT_ATTEMPT_RATE"] = "100000000 per minute"
    for name, db_url, cleanup in databases:
        progress(f"{n:,}: attempts on {name}")
        port = free_port()
        base = f"http://127.0.0.1:{port}"
        try:
            with server([sys.executable, "-m", "quizgen", "serve", "--content", str(lib), "--port", str(port),
                         "--db", db_url, *server_settings(opts)], port, workdir / f"serve-{name}.log") as proc:
                status, _, body = http(f"{base}/api/assignments", json.dumps(
                    {"deck": "all-facts", "count": QUIZ_COUNT, "seed": 1}).encode(), "application/json")
                if status != 201:
                    raise RuntimeError(f"POST /api/assignments gave HTTP {status}: {body[:200]!r}")
                created = json.loads(body)
                ident = created["id"]
                answers = [i % len(q["options"]) for i, q in enumerate(created["quiz"]["questions"])]
                attempt = json.dumps({"name": "Ada Lovelace", "answers": answers})
                url = f"{base}/api/assignments/{ident}/attempts"
                r = load_test(url, opts, runs, attempt, "application/json", server_pid=proc.pid)
                before = settled_attempts(db_url, ident)  # wrk's last requests may still be running
                ok = attempt_burst(url, attempt)
                stored = stored_attempts(db_url, ident) - before
        except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
            rows.append(Row(n, f"Web: attempts on {name}", f"not available: {exc}"))
            continue
        finally:
            cleanup()
        ratio = r["rps"] / hello["rps"]
        errors = r["non2xx"] + r["socket_errors"]
        cpu = ""
        if r["cpu_ms"] is not None and hello["cpu_ms"]:
            cpu = f"; server CPU per request {r['cpu_ms'] / hello['cpu_ms']:.1f}× hello's"
        rows.append(Row(n, f"Web: submit an attempt to a stored assignment, POST /api/assignments/<id>/attempts "
                        f"({name})", fmt_load(r), runs_label))
        rows.append(Row(n, f"… throughput vs hello-world (p99 {r['p99_ms'] / hello['p99_ms']:.1f}× hello's{cpu}); "
                        f"then {ATTEMPT_BURST} submissions from 8 threads: {ok} answered 2xx, {stored} stored",
                        f"{ratio:.0%}", "", "", "≥ 30%, 0 errors, stored = 2xx",
                        "" if opts.no_wrk else met(ratio >= 0.3 and errors == 0 and ok == stored)))
    return rows


def web_rows(n: int, lib: Path, runs: int, note: str, opts: argparse.Namespace,
             progress: Callable[[str], None], workdir: Path) -> list[Row]:
    rows: list[Row] = []
    large = n >= LARGE
    how = "python client, no wrk" if opts.no_wrk else (
        f"wrk -t{opts.wrk_threads} -c{opts.wrk_connections} -d{opts.wrk_duration}s")
    kind = ("waitress" if opts.server == "waitress" else f"gunicorn {opts.workers} workers ×")
    settings = f"{kind} {opts.threads} threads; {how}"
    runs_label = "1 (smoke)" if opts.no_wrk else f"{runs}{note}"

    progress(f"{n:,}: hello-world baseline")
    port = free_port()
    try:
        with server([sys.executable, str(HERE / "hello_app.py"), "--port", str(port), *server_settings(opts)],
                    port, workdir / "hello.log") as proc:
            hello = load_test(f"http://127.0.0.1:{port}/", opts, runs, server_pid=proc.pid)
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        return [Row(n, "Web app rows", f"not available: {exc}")]

    progress(f"{n:,}: quizgen serve")
    port = free_port()
    base = f"http://127.0.0.1:{port}"
    loads: list[tuple[str, dict, float]] = []  # (what, result, target ratio of hello-world's throughput)
    try:
        t = time.perf_counter()
        with server([sys.executable, "-m", "quizgen", "serve", "--content", str(lib), "--port", str(port),
                     *server_settings(opts)], port, workdir / "serve.log") as proc:
            startup = time.perf_counter() - t
            wait_for_workers(proc.pid, 0 if opts.server == "waitress" else opts.workers)
            pss_start = pss_mb(proc.pid)
            status, headers, _ = http(f"{base}/decks/all-facts/quiz?count={QUIZ_COUNT}&seed=1")
            location = headers.get("Location", "")
            if status not in (302, 303) or "/q/" not in location:
                raise RuntimeError(f"starting a quiz gave HTTP {status}, no /q/<code> redirect")
            code = location.rsplit("/q/", 1)[1]
            page = f"{base}/q/{urllib.parse.quote(code)}"
            status, _, body = http(f"{base}/api/quiz/{urllib.parse.quote(code)}")
            if status != 200:
                raise RuntimeError(f"GET /api/quiz/{code} gave HTTP {status}")
            # A mix of right and wrong answers, each a valid option number for its question.
            answers = [i % len(q["options"]) for i, q in enumerate(json.loads(body)["questions"])]
            api_body = json.dumps({"answers": answers})
            form_body = urllib.parse.urlencode({f"q{i}": a for i, a in enumerate(answers)})
            # The form POST grades and answers 303 to the result page (a reload never re-submits).
            status, headers, text = http(page, form_body.encode(), "application/x-www-form-urlencoded")
            if status != 303 or not headers.get("Location"):
                raise RuntimeError(f"POST {page} gave HTTP {status}: {text[:200]!r}")
            result_page = urllib.parse.urljoin(page, headers["Location"])
            checks = [("GET", page, None, None, 200),
                      ("POST", f"{base}/api/quiz/{code}/grade", api_body, "application/json", 200),
                      ("GET", result_page, None, None, 200)]
            for method, url, body, ctype, expected in checks:  # each endpoint must answer before it is loaded
                status, _, text = http(url, body.encode() if body else None, ctype)
                if status != expected:
                    raise RuntimeError(f"{method} {url} gave HTTP {status}: {text[:200]!r}")
            pid = proc.pid
            progress(f"{n:,}: quiz page")
            loads.append((f"Web: quiz page GET /q/<code> ({QUIZ_COUNT} questions, one code: a class sharing a link)",
                          load_test(page, opts, runs, server_pid=pid), 0.5))
            progress(f"{n:,}: quiz page, a new quiz every request")
            deck_count_kinds, _seed, digest = code.rsplit(".", 2)
            loads.append(("Web: quiz page, a new random seed every request (the quiz is made each time)",
                          load_test(base, opts, runs, fresh=(f"/q/{deck_count_kinds}.", f".{digest}"),
                                    server_pid=pid), 0.25))
            progress(f"{n:,}: grading (API)")
            loads.append(("Web: grading POST /api/quiz/<code>/grade (JSON)",
                          load_test(f"{base}/api/quiz/{code}/grade", opts, runs, api_body, "application/json",
                                    server_pid=pid), 0.5))
            progress(f"{n:,}: grading (form)")
            loads.append(("Web: grading POST /q/<code> (HTML form; answers 303 to the result page)",
                          load_test(page, opts, runs, form_body, "application/x-www-form-urlencoded",
                                    server_pid=pid), 0.5))
            progress(f"{n:,}: result page")
            loads.append(("Web: result page GET after the form's 303 (score, answers, citations)",
                          load_test(result_page, opts, runs, server_pid=pid), 0.5))
            pss = pss_mb(pid)
            processes = len(server_pids(pid))
    except (RuntimeError, OSError, subprocess.SubprocessError) as exc:
        rows.append(Row(n, f"Web: hello-world Flask ({settings})", fmt_load(hello), runs_label))
        rows.append(Row(n, "Web: quizgen rows", f"not available: {exc}"))
        return rows

    rows.append(Row(n, f"Web: hello-world Flask, GET / ({settings})", fmt_load(hello), runs_label))
    for what, r, target in loads:
        ratio = r["rps"] / hello["rps"]
        errors = r["non2xx"] + r["socket_errors"]
        cpu = ""
        if r["cpu_ms"] is not None and hello["cpu_ms"]:
            cpu = f"; server CPU per request {r['cpu_ms'] / hello['cpu_ms']:.1f}× hello's"
        rows.append(Row(n, what, fmt_load(r), runs_label))
        rows.append(Row(n, f"… throughput vs hello-world (p99 {r['p99_ms'] / hello['p99_ms']:.1f}× hello's{cpu})",
                        f"{ratio:.0%}", "", "", f"≥ {target:.0%}, 0 errors",
                        "" if opts.no_wrk else met(ratio >= target and errors == 0)))
    at_start = f"; {pss_start:.0f} MB before the load" if pss_start else ""
    rows.append(Row(n, f"Web: server memory after the load, PSS summed over its {processes} processes "
                    f"(startup {startup:.1f} s{at_start})", f"PSS {pss:.0f} MB" if pss else "not available", "", "",
                    "< 600 MB" if large else "", met(pss is not None and pss < 600) if large else ""))
    return rows + attempts_rows(n, lib, runs, opts, progress, workdir, hello, runs_label)


# ---- machine and output ---------------------------------------------------------------------


def machine() -> dict[str, str]:
    model = platform.processor() or platform.machine()
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        for line in subprocess.run(["lscpu"], capture_output=True, text=True, timeout=10).stdout.splitlines():
            if line.startswith("Model name:"):
                model = line.split(":", 1)[1].strip()
    ram = ""
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split("MemTotal:")[1].split()[0])
        ram = f"{kb / 1024 / 1024:.0f} GiB"
    versions = []
    from importlib.metadata import PackageNotFoundError, version

    for pkg in ("genanki", "flask", "gunicorn", "waitress", "weasyprint", "pydantic"):
        with contextlib.suppress(PackageNotFoundError):
            versions.append(f"{pkg} {version(pkg)}")
    wrk_version = ""
    if shutil.which("wrk"):
        with contextlib.suppress(OSError, subprocess.SubprocessError):
            p = subprocess.run(["wrk", "-v"], capture_output=True, text=True, timeout=10)
            wrk_version = (p.stdout + p.stderr).strip().splitlines()[0].split(" [")[0]
    commit = ""
    with contextlib.suppress(OSError, subprocess.SubprocessError):
        commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True,
                                cwd=ROOT, timeout=10).stdout.strip()
    return {
        "cpus": str(os.cpu_count()),
        "model": model,
        "ram": ram,
        "python": platform.python_version(),
        "os": f"{platform.system()} {platform.release()}",
        "packages": ", ".join(versions),
        "wrk": wrk_version,
        "commit": commit,
        "load": " ".join(f"{x:.2f}" for x in os.getloadavg()),
    }


def table(rows: list[Row]) -> str:
    lines = ["| " + " | ".join(HEADER) + " |", "|" + "|".join("---" for _ in HEADER) + "|"]
    lines += ["| " + " | ".join(c.replace("|", "\\|") for c in r.cells) + " |" for r in rows]
    return "\n".join(lines)


def report(rows: list[Row], opts: argparse.Namespace, m: dict[str, str], argv: list[str]) -> str:
    when = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    runs = f"median of {opts.repeat} runs, each in a fresh process"
    if any(s >= LARGE for s in opts.sizes) and opts.repeat_large < opts.repeat:
        runs += f" ({opts.repeat_large} for {LARGE:,} facts: marked †)"
    return "\n".join([
        "## quizgen benchmarks",
        "",
        f"`python benchmarks/run.py {' '.join(argv)}`".replace(" `", "`") + f" — {when}, commit {m['commit']}",
        "",
        f"Machine: {m['cpus']} CPUs ({m['model']}), {m['ram']} RAM, {m['os']}, Python {m['python']}; "
        f"{m['packages']}; {m['wrk'] or 'no wrk'}. Load average (1, 5, 15 min) "
        f"at the start: {opts.load_start}; at the end: {m['load']}.",
        "",
        f"Times are the {runs}. Peak RSS is that process's maximum resident memory (interpreter, imports, "
        "the loaded library and the step). The quiz row is the median of 20 quizzes with different seeds "
        "in a warm process. Web rows: the median over runs of wrk's requests/s and p99 latency, against "
        "`python -m quizgen serve` and a hello-world Flask app under the same server settings; server CPU "
        "is user + system time of the server's processes (master and workers) per request during the "
        "measured runs, which does not depend on the load generator sharing the cores. "
        "QuizMaker keeps recent quizzes, so the one-code rows show and grade a known quiz; the new-seed "
        "row makes a quiz per request.",
        "",
        table(rows),
        "",
    ])


def main(argv: list[str] | None = None) -> int:
    argv = sys.argv[1:] if argv is None else argv
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--sizes", default=",".join(map(str, DEFAULT_SIZES)),
                        help="comma-separated library sizes (facts); default 1000,10000,100000")
    parser.add_argument("--repeat", type=int, default=5, help="runs per measurement (default 5)")
    parser.add_argument("--repeat-large", type=int, default=2,
                        help=f"runs per measurement at {LARGE:,}+ facts (default 2)")
    parser.add_argument("--quick", action="store_true",
                        help=f"smoke run: no wrk (a few Python requests instead), no sizes ≥ {LARGE:,}")
    parser.add_argument("--no-web", action="store_true", help="leave out the web rows")
    parser.add_argument("--web-only", action="store_true", help="only the web rows")
    parser.add_argument("--server", choices=SERVERS, default="auto",
                        help="server for quizgen serve and the hello-world app (default auto, as quizgen serve)")
    parser.add_argument("--workers", type=int, default=default_workers(),
                        help="gunicorn workers (default one per core, as quizgen serve)")
    parser.add_argument("--threads", type=int, default=DEFAULT_THREADS,
                        help=f"threads per worker (default {DEFAULT_THREADS}, as quizgen serve)")
    parser.add_argument("--wrk-duration", type=int, default=5, help="seconds per wrk run (default 5)")
    parser.add_argument("--wrk-connections", type=int, default=8)
    parser.add_argument("--wrk-threads", type=int, default=2)
    parser.add_argument("--cache", type=Path, default=RESULTS / "libraries",
                        help="where synthetic libraries are kept between runs")
    parser.add_argument("--output", type=Path, default=RESULTS / "latest.md")
    parser.add_argument("--step", choices=sorted(STEPS), help=argparse.SUPPRESS)
    parser.add_argument("--lib", help=argparse.SUPPRESS)
    opts = parser.parse_args(argv)

    if opts.step:
        run_step_here(opts.step, opts.lib)
        return 0

    opts.sizes = [int(s.replace("_", "").replace(",", "")) for s in opts.sizes.split(",") if s.strip()]
    if opts.quick:
        opts.sizes = [s for s in opts.sizes if s < LARGE]
    opts.no_wrk = opts.quick or shutil.which("wrk") is None
    opts.repeat = max(1, opts.repeat)
    if opts.server == "auto":  # name the server actually used in the table
        opts.server = "gunicorn" if gunicorn_available() else "waitress"
    opts.repeat_large = max(1, min(opts.repeat_large, opts.repeat))
    started = time.monotonic()
    opts.load_start = " ".join(f"{x:.2f}" for x in os.getloadavg())

    def progress(msg: str) -> None:
        print(f"[{time.monotonic() - started:6.0f} s] {msg}", file=sys.stderr, flush=True)

    rows: list[Row] = []
    with tempfile.TemporaryDirectory(prefix="quizgen-bench-") as tmp:
        for n in opts.sizes:
            lib = synth_dir(n, opts.cache)
            large = n >= LARGE
            runs = opts.repeat_large if large else opts.repeat
            note = "†" if large and runs < opts.repeat else ""
            if not opts.web_only:
                rows += offline_rows(n, lib, runs, note, progress)
            if not opts.no_web:
                rows += web_rows(n, lib, runs, note, opts, progress, Path(tmp))
    text = report(rows, opts, machine(), argv)
    print(text)
    opts.output.parent.mkdir(parents=True, exist_ok=True)
    opts.output.write_text(text, encoding="utf-8")
    progress(f"written to {opts.output}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
