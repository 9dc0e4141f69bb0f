"""Smoke test of benchmarks/run.py: a quick run finishes and prints every row. No timing assertions."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent

ROWS = (
    "Load and validate (citations checked)",
    "Build the distractor index",
    "Make one 20-question quiz",
    "One question per fact, whole library",
    "Export deck all-facts to .apkg",
    "Same notes with bare genanki",
    "Ratio quizgen / bare genanki",
    "Worksheet PDF: 50 questions × 3 variants, with keys",
    "Web: hello-world Flask",
    "Web: quiz page GET /q/<code>",
    "Web: quiz page, a new random seed every request",
    "Web: grading POST /api/quiz/<code>/grade (JSON)",
    "Web: grading POST /q/<code> (HTML form",
    "Web: result page GET after the form's 303",
    "… throughput vs hello-world",
    "Web: server memory after the load, PSS summed over its",
    "Web: submit an attempt to a stored assignment",
)


def test_quick_benchmark_prints_every_row(tmp_path):
    out = tmp_path / "latest.md"
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")]))}
    proc = subprocess.run(
        [sys.executable, str(ROOT / "benchmarks" / "run.py"), "--sizes", "200", "--repeat", "1", "--quick",
         "--cache", str(tmp_path / "libraries"), "--output", str(out)],
        capture_output=True, text=True, env=env, timeout=300, cwd=ROOT,
    )
    assert proc.returncode == 0, proc.stderr[-2000:]
    table = [line for line in proc.stdout.splitlines() if line.startswith("| 200 |")]
    for row in ROWS:
        hits = [line for line in table if row in line]
        assert hits, f"no row {row!r} in:\n{proc.stdout}"
        # The rows hold results: a crash shows as "not available" or a failed step, never as a missing row.
        for line in hits:
            assert "step failed" not in line, line
            # Only a missing system library (Pango, for PDFs) or PostgreSQL may make a row unavailable.
            assert "not available" not in line or "Pango" in line or "PostgreSQL" in line, line
    attempts = [line for line in table if "Web: submit an attempt" in line]
    assert "(SQLite)" in attempts[0]
    # Every attempt row checks that each 2xx answer is one stored attempt, and none more.
    for line in table:
        if "answered 2xx" in line:
            ok, stored = re.search(r"(\d+) answered 2xx, (\d+) stored", line).groups()
            assert ok == stored != "0", line
    assert sum("… throughput vs hello-world" in line for line in table) == 5 + len(attempts)
    assert out.read_text(encoding="utf-8").strip() == proc.stdout.strip()
