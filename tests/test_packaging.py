"""One import name everywhere: the wheel, the editable install and the checkout run the same app."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import textwrap
import time
import urllib.error
import urllib.request
import zipfile
from pathlib import Path

import pytest

from quizgen.content import bundled_root

ROOT = Path(__file__).resolve().parent.parent

hatchling_build = pytest.importorskip("hatchling.build", reason="pip install hatchling (the test extra)")


def _clean_env() -> dict[str, str]:
    # No PYTHONPATH: the venv must find quizgen and quizgen_web in its own site-packages.
    return {k: v for k, v in os.environ.items() if k not in ("PYTHONPATH", "FLASK_APP")}


def _build(kind: str, out: Path) -> zipfile.ZipFile:
    out.mkdir()
    name = subprocess.run(
        [sys.executable, "-c", f"from hatchling.build import {kind}; print({kind}({str(out)!r}))"],
        cwd=ROOT, capture_output=True, text=True, check=True, env=_clean_env(),
    ).stdout.strip().splitlines()[-1]
    return zipfile.ZipFile(out / name)


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture(scope="module")
def venv(tmp_path_factory) -> Path:
    """A fresh venv holding the built wheel beside an unrelated package named ``web``."""
    tmp = tmp_path_factory.mktemp("wheel")
    wheel = _build("build_wheel", tmp / "dist")
    env = tmp / "venv"
    subprocess.run([sys.executable, "-m", "venv", "--without-pip", str(env)], check=True)
    python = env / "bin" / "python"
    subprocess.run([sys.executable, "-m", "pip", "--python", str(python), "install", "--quiet", "--no-deps",
                    "--no-index", wheel.filename], check=True, env=_clean_env())
    site = Path(subprocess.run([str(python), "-c", "import sysconfig; print(sysconfig.get_paths()['purelib'])"],
                               capture_output=True, text=True, check=True).stdout.strip())
    # The dependencies (no network) come from the site-packages of the interpreter running the tests, listed
    # after the venv's own: `--system-site-packages` would give the base interpreter's instead, which lack
    # them when the tests run inside a venv (as the README's Quick start does). Lines of a .pth are only
    # appended to sys.path (the .pth files found there are not run), so the tests' own editable quizgen,
    # if any, never shadows the wheel.
    outer = [p for p in sys.path if Path(p).name in ("site-packages", "dist-packages") and Path(p).is_dir()]
    (site / "_outer_site_packages.pth").write_text("".join(f"{p}\n" for p in outer))
    (site / "web").mkdir()
    (site / "web" / "__init__.py").write_text('"""Someone else\'s package named web."""\nNAME = "foreign"\n')
    return env


def test_wheel_holds_one_app_package_and_the_bundled_content(tmp_path):
    names = _build("build_wheel", tmp_path / "dist").namelist()
    assert "quizgen_web/__init__.py" in names and "quizgen_web/templates/quiz/show.html" in names
    assert "quizgen_web/static/quiz.js" in names
    assert not any(n.startswith("web/") for n in names)
    assert "quizgen/_bundled/decks/elbe-1945.toml" in names


def test_editable_install_exposes_the_checkout_and_copies_no_content(tmp_path):
    wheel = _build("build_editable", tmp_path / "dist")
    names = wheel.namelist()
    assert not any("_bundled" in n for n in names)  # a copy would go stale as content/ changes
    pth = [n for n in names if n.endswith(".pth")]
    assert len(pth) == 1
    assert wheel.read(pth[0]).decode().split() == [str(ROOT), str(ROOT / "web")]


def test_a_checkout_reads_its_own_content_folder():
    assert bundled_root() == ROOT
    assert not (ROOT / "quizgen" / "_bundled").exists()


def test_installed_wheel_serves_pages_beside_a_foreign_web_package(venv, tmp_path):
    python = str(venv / "bin" / "python")
    probe = textwrap.dedent("""
        import quizgen, quizgen_web, web
        from quizgen.content import bundled_root
        from quizgen.webapp import create_app
        print(quizgen.__file__); print(quizgen_web.__file__); print(web.NAME); print(bundled_root())
        assert create_app.__module__ == "quizgen.webapp"
        client = create_app().test_client()
        print(client.get("/").status_code)
    """)
    out = subprocess.run([python, "-c", probe], cwd=tmp_path, capture_output=True, text=True,
                         env=_clean_env(), timeout=120)
    assert out.returncode == 0, out.stderr
    quizgen_file, web_file, web_name, content, status = out.stdout.split()
    assert quizgen_file.startswith(str(venv)) and web_file.startswith(str(venv))
    assert web_name == "foreign" and content.startswith(str(venv)) and content.endswith("_bundled")
    assert status == "200"

    # `flask --app quizgen_web` finds the same factory.
    routes = subprocess.run([python, "-m", "flask", "--app", "quizgen_web", "routes"], cwd=tmp_path,
                            capture_output=True, text=True, env=_clean_env(), timeout=120)
    assert routes.returncode == 0, routes.stderr
    assert "/q/<code>/results/<given>" in routes.stdout

    # `quizgen serve` from the installed package answers real HTTP requests.
    port = _free_port()
    server = subprocess.Popen([python, "-m", "quizgen", "serve", "--port", str(port)], cwd=tmp_path,
                              env=_clean_env(), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/decks/elbe-1945", timeout=2) as r:
                    page = r.read().decode()
                    break
            except (urllib.error.URLError, ConnectionError, TimeoutError):
                if server.poll() is not None or time.monotonic() > deadline:
                    pytest.fail(f"quizgen serve did not answer:\n{server.stdout.read() if server.stdout else ''}")
                time.sleep(0.2)
        assert "Start a quiz" in page
    finally:
        server.terminate()
        server.wait(timeout=10)
        if server.stdout:
            server.stdout.close()


def _quick_start_commands() -> list[str]:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    section = readme.split("## Quick start", 1)[1].split("\n## ", 1)[0]
    return [line.strip() for line in section.splitlines() if line.startswith("    ")]


def test_the_quick_start_is_two_commands_in_a_venv_and_ci_runs_the_test_one_verbatim():
    commands = _quick_start_commands()
    assert len(commands) == 2
    # Debian's own Python refuses pip outside a venv: both commands make (or reuse) and activate one first.
    assert all(c.startswith("bash scripts/venv.sh && . .venv/bin/activate && pip install ") for c in commands)
    assert commands[0].endswith("quizgen serve") and commands[1].endswith("python -m pytest")
    ci = (ROOT / ".ci" / "run").read_text(encoding="utf-8").strip().splitlines()
    assert ci[-1] == commands[1]
