"""The Dockerfile, checked without a Docker engine: what the image runs, as whom, what it installs.

No engine runs where the tests run, so the image is never built here. What can
be checked without one is checked: the instructions (a non-root user, ``pacer``
as an exec-form entry point so SIGTERM reaches Pacer itself, the stop signal
Pacer handles, one base image for both stages), the install step against
``pyproject.toml`` (the project itself, no extras), and the build context: the
files the Dockerfile copies, on their own, hold every package ``pip install .``
must find and the migrations it must ship, and run ``pacer db upgrade``.

Installing the project into a fresh virtualenv as the image does was left out:
it needs the package index (the tests never use the network) and a minute.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import sys
import tomllib
from fnmatch import fnmatch
from pathlib import Path
from typing import Any

import pytest

ROOT = Path(__file__).resolve().parents[2]


def _instructions() -> list[tuple[str, str]]:
    """(INSTRUCTION, arguments) in order, continuation lines joined, comments left out."""
    text = (ROOT / "Dockerfile").read_text()
    joined = re.sub(r"\\\n", " ", text)
    out = []
    for line in joined.splitlines():
        line = line.strip()
        if line and not line.startswith("#"):
            word, _, rest = line.partition(" ")
            out.append((word.upper(), " ".join(rest.split())))
    return out


def _stages() -> list[list[tuple[str, str]]]:
    stages: list[list[tuple[str, str]]] = []
    for word, args in _instructions():
        if word == "FROM":
            stages.append([])
        assert stages, "an instruction before the first FROM"
        stages[-1].append((word, args))
    return stages


def _pyproject() -> dict[str, Any]:
    return tomllib.loads((ROOT / "pyproject.toml").read_text())


def _final(word: str) -> list[str]:
    return [args for w, args in _stages()[-1] if w == word]


def test_the_image_runs_pacer_as_a_user_not_root() -> None:
    dockerfile = (ROOT / "Dockerfile").read_text()
    assert 'ENTRYPOINT ["pacer"]' in dockerfile
    users = re.findall(r"^USER\s+(\S+)", dockerfile, re.MULTILINE)
    assert users and users[-1] not in ("root", "0")
    # The user it switches to is made in the same stage, with a uid that is not root's.
    [made] = [a for w, a in _stages()[-1] if w == "RUN" and "useradd" in a]
    assert re.search(rf"\b{re.escape(users[-1])}$", made)
    uid = re.search(r"--uid (\d+)", made)
    assert uid is not None and int(uid.group(1)) != 0
    # Nothing after USER runs as root again.
    final = _stages()[-1]
    last_user = max(i for i, (w, _) in enumerate(final) if w == "USER")
    assert not [w for w, _ in final[last_user + 1 :] if w == "RUN"]


def test_pacer_is_the_exec_form_entry_point_and_gets_the_stop_signal() -> None:
    [entrypoint] = _final("ENTRYPOINT")
    # Exec form (a JSON list): `pacer` is PID 1 and receives SIGTERM itself; the shell
    # form would start /bin/sh -c, which does not pass the signal on.
    assert json.loads(entrypoint) == ["pacer"]
    assert not _final("CMD") or _final("CMD")[0].startswith("[")
    assert _pyproject()["project"]["scripts"]["pacer"] == "bot.__main__:main"
    env = " ".join(_final("ENV"))
    assert "PATH=/opt/pacer/bin:" in env  # where the virtualenv's `pacer` script is
    for stop in _final("STOPSIGNAL"):
        # The signals Pacer stops cleanly on (bot/app.py's handlers).
        assert getattr(signal, stop) in (signal.SIGTERM, signal.SIGINT)


def test_both_stages_use_one_python_so_the_copied_virtualenv_runs() -> None:
    bases = [stage[0][1].split(" AS ")[0] for stage in _stages()]
    assert len(bases) == 2 and bases[0] == bases[1], bases
    version = re.match(r"python:(\d+)\.(\d+)", bases[0])
    assert version is not None
    required = _pyproject()["project"]["requires-python"]
    low = re.fullmatch(r">=(\d+)\.(\d+)", required)
    assert low is not None
    assert (int(version.group(1)), int(version.group(2))) >= (
        int(low.group(1)),
        int(low.group(2)),
    )
    assert "--from=build /opt/pacer /opt/pacer" in _final("COPY")


def test_the_install_step_installs_the_project_without_extras() -> None:
    installs = [
        args for stage in _stages() for w, args in stage if w == "RUN" and "pip install" in args
    ]
    assert installs
    project_installs = [
        command
        for args in installs
        for command in args.split("&&")
        if "pip install" in command and "--upgrade pip" not in command
    ]
    assert len(project_installs) == 1, project_installs
    words = project_installs[0].split()
    targets = [w for w in words[words.index("install") + 1 :] if not w.startswith("-")]
    assert targets == ["."]  # the project as pyproject.toml declares it: no [dev], no -e
    assert "-e" not in words and "--editable" not in words
    assert "dev" in _pyproject()["project"]["optional-dependencies"]  # what must stay out


def _packages(root: Path, include: list[str]) -> set[str]:
    """The packages setuptools' ``find_packages(root, include=...)`` finds (regular ones)."""
    found = set()
    for init in root.rglob("__init__.py"):
        parts = init.parent.relative_to(root).parts
        if "__pycache__" in parts or ".venv" in parts:
            continue
        # A package inside a folder that is not a package is not found.
        chain = all(
            (root.joinpath(*parts[:n]) / "__init__.py").is_file() for n in range(1, len(parts))
        )
        name = ".".join(parts)
        if chain and any(fnmatch(name, pattern) for pattern in include):
            found.add(name)
    return found


def _copied() -> list[str]:
    """The paths the build stage copies from the context."""
    sources = []
    for word, args in _stages()[0]:
        if word == "COPY" and not args.startswith("--from"):
            *paths, _destination = args.split()
            sources += paths
    return sources


def test_the_build_context_holds_what_the_copies_need_and_no_secrets() -> None:
    ignored = [
        line.strip()
        for line in (ROOT / ".dockerignore").read_text().splitlines()
        if line.strip() and not line.startswith("#")
    ]
    assert ".env" in ignored  # tokens never baked into an image
    for source in _copied():
        assert (ROOT / source).exists(), source
        assert not any(fnmatch(source, pattern) for pattern in ignored), source
    assert _pyproject()["project"]["readme"] in _copied()


@pytest.mark.slow  # a subprocess: pacer db upgrade from the copied files
def test_the_copied_files_alone_hold_every_package_and_run_the_migrations(
    tmp_path: Path,
) -> None:
    context = tmp_path / "context"
    context.mkdir()
    for source in _copied():
        path = ROOT / source
        if path.is_dir():
            shutil.copytree(path, context / source, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy(path, context / source)
    pyproject = _pyproject()
    include = pyproject["tool"]["setuptools"]["packages"]["find"]["include"]
    # What `pip install .` finds in the context: every package of the repository.
    found = _packages(context, include)
    wanted = _packages(ROOT, include)
    assert found == wanted and "bot" in found and "adapters" in found
    # Files beside the code that are not packages must be declared as package data.
    data = pyproject["tool"]["setuptools"]["package-data"]
    for package, patterns in data.items():
        base = context.joinpath(*package.split("."))
        assert package in found and base.is_dir()
        shipped = {p for pattern in patterns for p in base.glob(pattern)}
        migrations = base / "migrations"
        needed = {p for p in migrations.rglob("*") if p.is_file() and "__pycache__" not in p.parts}
        assert needed and needed <= shipped
    # The copied tree alone (not this checkout) runs `pacer db upgrade`.
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "PYTHONPATH")}
    env["PYTHONPATH"] = str(context)
    db = tmp_path / "upgrade.db"
    done = subprocess.run(
        [sys.executable, "-m", "bot", "db", "upgrade", "--db", f"sqlite:///{db}"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr[-2000:]
    assert db.is_file()
    probe = subprocess.run(
        [sys.executable, "-c", "import bot; print(bot.__file__)"],
        cwd=tmp_path,
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert probe.stdout.strip().startswith(str(context))
