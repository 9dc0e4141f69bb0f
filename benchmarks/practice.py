"""Practice: the server CPU of choosing a learner's next card, on a database of many learners.

    python benchmarks/practice.py                       # 10,000 learners × 300 facts, SQLite
    python benchmarks/practice.py --postgres            # the same on a throwaway PostgreSQL cluster too
    python benchmarks/practice.py --learners 50 --facts 30 --samples 50   # a quick smoke run

Every learner has met every card of a 300-fact deck (forward and reverse: about 500 cards each, some
5 million rows), in random states: due dates spread over two months either side of now, so each
choice sorts a few hundred due cards by retrievability. The target: under 5 ms of server CPU per
choice. Measured on ``samples`` random learners, CPU time of this process (it runs the query and
the choice, as a server worker would) plus, on PostgreSQL, the CPU time of the backend process that
answered (read from /proc, in 10 ms clock ticks: one sample's share is 0 or 10 ms, so the target is
judged on the mean, which is exact over many samples). The baseline in the same run: looking up one learner by code (one
primary-key-sized query through the same store), and the ratio of the two.
"""

from __future__ import annotations

import argparse
import os
import random
import shutil
import statistics
import sys
import tempfile
import time
from datetime import UTC, datetime, timedelta
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path[:0] = [str(ROOT), str(ROOT / "web")]

from fsrs import State  # noqa: E402
from sqlalchemy import insert, text  # noqa: E402

from quizgen.content import load_library  # noqa: E402
from quizgen.practice import PracticeDeck, code_hash, learner_code  # noqa: E402
from quizgen.practice_store import Learner, PracticeCard, PracticeStore  # noqa: E402
from quizgen.quiz import QuizMaker  # noqa: E402
from quizgen.storage import Store  # noqa: E402
from quizgen.synth import write_library  # noqa: E402

TARGET_MS = 5.0
NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
BATCH = 20_000


def fill(store: PracticeStore, deck: PracticeDeck, learners: int, seed: int) -> list[str]:
    """``learners`` learners who have met every card of ``deck``; their codes."""
    rng = random.Random(seed)
    codes = [learner_code(rng) for _ in range(learners)]
    engine = store.store.engine
    with engine.begin() as conn:
        conn.execute(insert(Learner), [{"code_hash": code_hash(c), "created_at": NOW, "retention": 0.9}
                                       for c in codes])
        ids = [row[0] for row in conn.execute(text("SELECT id FROM practice_learners ORDER BY id"))]
    rows: list[dict] = []
    for learner_id in ids:
        for ref in deck.cards:
            stability = rng.uniform(0.5, 120)
            due = NOW + timedelta(days=rng.uniform(-60, 60))
            last = due - timedelta(days=max(1.0, stability * rng.uniform(0.8, 1.2)))
            state = rng.choices((State.Review.value, State.Learning.value, State.Relearning.value), (90, 5, 5))[0]
            rows.append({"learner_id": learner_id, "fact_id": ref.fact_id, "direction": ref.direction,
                         "deck_id": deck.deck_id, "state": state, "step": None if state == 2 else 0,
                         "stability": stability, "difficulty": rng.uniform(1, 10), "due": due, "last_review": last,
                         "introduced_at": NOW - timedelta(days=90), "reps": rng.randint(1, 20),
                         "lapses": rng.randint(0, 3)})
            if len(rows) >= BATCH:
                with engine.begin() as conn:
                    conn.execute(insert(PracticeCard), rows)
                rows.clear()
    if rows:
        with engine.begin() as conn:
            conn.execute(insert(PracticeCard), rows)
    if engine.url.get_backend_name() == "postgresql":
        with engine.begin() as conn:
            conn.execute(text("ANALYZE"))
    return codes


def _backends(store: PracticeStore) -> list[int]:
    """The PostgreSQL backend processes of this database (the pool's connections); none on SQLite."""
    engine = store.store.engine
    if engine.url.get_backend_name() != "postgresql":
        return []
    with engine.connect() as conn:
        return list(conn.execute(text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()"))
                    .scalars())


def _cpu(pids: list[int]) -> float:
    """This process's CPU seconds plus those of the database's backends, read from /proc (no query)."""
    total = time.process_time()
    for pid in pids:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        total += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return total


def measure(store: PracticeStore, deck: PracticeDeck, codes: list[str], samples: int, seed: int) -> dict:
    rng = random.Random(seed)
    ids = [store.learner_id(c) for c in rng.sample(codes, min(samples, len(codes)))]
    chosen, baseline = [], []
    pids = _backends(store)  # after the warm-up run: the pool holds its connections by now
    for learner_id, code in zip(ids, rng.sample(codes, len(ids)), strict=True):
        c0 = _cpu(pids)
        nxt = store.next_card(learner_id, deck, NOW)
        chosen.append((_cpu(pids) - c0) * 1000)
        assert nxt.card is not None and not nxt.new
        c0 = _cpu(pids)
        store.learner_id(code)
        baseline.append((_cpu(pids) - c0) * 1000)
    med, base = statistics.median(chosen), statistics.median(baseline)
    return {"median_ms": med, "p95_ms": sorted(chosen)[int(0.95 * (len(chosen) - 1))],
            "mean_ms": statistics.fmean(chosen), "baseline_ms": base, "ratio": med / base if base else float("nan")}


def run(url: str, deck: PracticeDeck, learners: int, samples: int, label: str) -> dict:
    inner = Store(url)
    store = PracticeStore(inner)
    store.store.migrate()
    t = time.perf_counter()
    codes = fill(store, deck, learners, 1)
    filled = time.perf_counter() - t
    measure(store, deck, codes, min(20, samples), 99)  # warm the caches and the pool
    result = measure(store, deck, codes, samples, 2)
    inner.dispose()
    result.update(label=label, filled_s=filled, cards=learners * len(deck.cards))
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--learners", type=int, default=10_000)
    parser.add_argument("--facts", type=int, default=300)
    parser.add_argument("--samples", type=int, default=500)
    parser.add_argument("--postgres", action="store_true", help="also on a throwaway PostgreSQL cluster")
    args = parser.parse_args()
    scratch = Path(tempfile.mkdtemp(prefix="quizgen-practice-bench-"))
    library = load_library(write_library(args.facts, scratch / "lib", seed=3))
    deck = PracticeDeck(QuizMaker(library), "all-facts")
    print(f"deck all-facts: {args.facts} facts, {len(deck.cards)} cards; {args.learners:,} learners "
          f"({args.learners * len(deck.cards):,} card rows)", flush=True)
    results = [run(f"sqlite:///{scratch / 'practice.db'}", deck, args.learners, args.samples, "SQLite")]
    print(results[-1], flush=True)
    if args.postgres:
        from quizgen.storage.testing import TemporaryCluster, postgres_bin

        bindir = postgres_bin()
        if bindir is None:
            print("PostgreSQL is not installed: skipped")
        else:
            cluster = TemporaryCluster(bindir).start()
            try:
                results.append(run(cluster.create_database(), deck, args.learners, args.samples, "PostgreSQL"))
                print(results[-1], flush=True)
            finally:
                cluster.stop()
    shutil.rmtree(scratch, ignore_errors=True)
    print(f"\n| Choose the next card ({args.learners:,} learners × {args.facts} facts) | median | p95 | mean "
          f"| baseline: learner by code | ratio | target < {TARGET_MS:g} ms |")
    print("|---|---|---|---|---|---|---|")
    for r in results:
        # Judged on the mean: PostgreSQL's backend CPU comes from /proc in 10 ms clock ticks, so one sample
        # reads 0 or 10 ms of it and only the mean over many samples is its true share (the p95 is a tick).
        ok = "met" if r["mean_ms"] < TARGET_MS else "MISSED"
        print(f"| {r['label']} ({r['cards']:,} card rows, filled in {r['filled_s']:.0f} s) | {r['median_ms']:.2f} ms "
              f"| {r['p95_ms']:.2f} ms | {r['mean_ms']:.2f} ms | {r['baseline_ms']:.2f} ms | {r['ratio']:.1f}× | {ok} |")


if __name__ == "__main__":
    main()
