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
    assert "quizgen/_bundled/decks/link-up-1945.toml" in names


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
                with urllib.request.urlopen(f"http://127.0.0.1:{port}/decks/link-up-1945", timeout=2) as r:
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


# ---- scripts/: what they install, run against stand-in commands (no root, no network) ----------


def _stub(bin_dir: Path, name: str, body: str) -> None:
    path = bin_dir / name
    path.write_text("#!/bin/sh\n" + body + "\n")
    path.chmod(0o755)


def _stub_bin(tmp_path: Path, present: set[str]) -> tuple[Path, Path]:
    """A PATH of stand-ins: the tools in ``present`` exist, apt-get and sudo log their arguments."""
    bin_dir, log = tmp_path / "bin", tmp_path / "calls.log"
    bin_dir.mkdir()
    for tool in ("dirname", "grep", "ls", "cat", "rm", "mkdir", "chmod"):
        (bin_dir / tool).symlink_to(subprocess.run(["sh", "-c", f"command -v {tool}"], capture_output=True,
                                                   text=True, check=True).stdout.strip())
    _stub(bin_dir, "id", 'echo 0')  # as root: no sudo
    _stub(bin_dir, "apt-get", f'echo "apt-get $*" >> {log}')
    _stub(bin_dir, "ldconfig", 'echo "libpango-1.0.so.0 libpangoft2-1.0.so.0"')
    _stub(bin_dir, "fc-list", 'echo "/usr/share/fonts/DejaVuSans.ttf: DejaVu Sans"')
    for tool in present:
        _stub(bin_dir, tool, f'echo "{tool} $*" >> {log}')
    return bin_dir, log


def _copy_script(tmp_path: Path, name: str) -> Path:
    root = tmp_path / "repo"
    (root / "scripts").mkdir(parents=True)
    (root / "tests" / "js").mkdir(parents=True)
    script = root / "scripts" / name
    script.write_text((ROOT / "scripts" / name).read_text())
    return script


def test_system_deps_installs_node_and_npm_when_missing_and_never_wrk(tmp_path):
    bin_dir, log = _stub_bin(tmp_path, present={"chromium", "pdftoppm"})
    script = _copy_script(tmp_path, "system-deps.sh")
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    done = subprocess.run(["/bin/bash", str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    installs = [line for line in log.read_text().splitlines() if line.startswith("apt-get install")]
    assert len(installs) == 1
    packages = installs[0].split()
    assert "nodejs" in packages and "npm" in packages
    assert "wrk" not in packages and "chromium" not in packages  # wrk is the benchmarks' (benchmark-deps.sh)


def test_system_deps_runs_npm_ci_for_the_gift_parser(tmp_path):
    bin_dir, log = _stub_bin(tmp_path, present={"chromium", "pdftoppm", "node", "npm"})
    script = _copy_script(tmp_path, "system-deps.sh")
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    done = subprocess.run(["/bin/bash", str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    calls = log.read_text().splitlines()
    assert any(c.startswith("npm ci") for c in calls)
    assert all("nodejs" not in c for c in calls if c.startswith("apt-get install"))


def test_benchmark_deps_installs_wrk_only_when_missing(tmp_path):
    bin_dir, log = _stub_bin(tmp_path, present=set())
    script = _copy_script(tmp_path, "benchmark-deps.sh")
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    done = subprocess.run(["/bin/bash", str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stderr
    assert [c for c in log.read_text().splitlines() if c.startswith("apt-get install")][0].split()[-1] == "wrk"
    _stub(bin_dir, "wrk", "exit 0")
    log.unlink()
    assert subprocess.run(["/bin/bash", str(script)], env=env, capture_output=True, timeout=60).returncode == 0
    assert not log.exists()  # present: nothing installed


def test_venv_script_installs_python3_venv_when_debian_lacks_it(tmp_path):
    """Debian's python3 without python3-venv: `-m venv` fails until apt-get installs python3-venv."""
    bin_dir, log = _stub_bin(tmp_path, present=set())
    script = _copy_script(tmp_path, "venv.sh")
    flag = tmp_path / "venv-installed"
    # A stand-in python3: 3.11; `-m venv DIR` fails (as without python3-venv) until apt-get has run.
    _stub(bin_dir, "apt-get", f'echo "apt-get $*" >> {log}; case "$*" in *python3-venv*) : > {flag};; esac')
    fake_venv_python = '#!/bin/sh\\necho "venv-python $*" >> ' + str(log) + '\\n'
    _stub(bin_dir, "python3", f"""
case "$1" in
  -c) exit 0;;
  -m) if [ "$2" = venv ]; then
        if [ -e {flag} ]; then mkdir -p "$3/bin"; printf '{fake_venv_python}' > "$3/bin/python";
          chmod +x "$3/bin/python"; exit 0; fi
        mkdir -p "$3"; echo "ensurepip is not available" >&2; exit 1
      fi;;
esac
exit 2""")
    env = {"PATH": str(bin_dir), "HOME": str(tmp_path)}
    done = subprocess.run(["/bin/bash", str(script)], capture_output=True, text=True, env=env, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    calls = log.read_text().splitlines()
    assert any(c.startswith("apt-get install") and c.endswith("python3-venv") for c in calls)
    assert (tmp_path / "repo" / ".venv" / "bin" / "python").exists()
    assert "venv-python -m pip install --quiet --upgrade pip" in calls
    # Run again (the second Quick start command, or a fresh shell): the venv is there, nothing is redone.
    log.unlink()
    assert subprocess.run(["/bin/bash", str(script)], env=env, capture_output=True, timeout=60).returncode == 0
    assert log.read_text().splitlines() == ["venv-python -m pip --version"]


def test_venv_script_refuses_a_python_older_than_3_11(tmp_path):
    bin_dir, _ = _stub_bin(tmp_path, present=set())
    script = _copy_script(tmp_path, "venv.sh")
    real = sys.executable
    _stub(bin_dir, "python3", f'exec {real} -c "import sys; sys.exit(\\"venv: quizgen needs Python 3.11 or newer\\")"')
    done = subprocess.run(["/bin/bash", str(script)], capture_output=True, text=True,
                          env={"PATH": str(bin_dir), "HOME": str(tmp_path)}, timeout=60)
    assert done.returncode != 0 and "3.11 or newer" in done.stderr
    assert not (tmp_path / "repo" / ".venv").exists()
