"""The README's set-up, as a newcomer types it: on a copy of the project, with the distribution's own
Python where pip refuses to install into it (PEP 668), and with or without a uv already on the PATH."""

from __future__ import annotations

import os
import re
import shutil
import subprocess
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
SYSTEM_PYTHON = Path("/usr/bin/python3")
# The distribution's commands only: no pyenv, no Homebrew, no uv installed by hand.
SYSTEM_PATH = "/usr/bin:/bin"
# What the set-up needs of the project: the lock, what the editable install of the project builds
# from (pyproject.toml names README.md and the two packages), and the script itself.
PROJECT_FILES = ["pyproject.toml", "uv.lock", "README.md", "setup.sh", "bot", "handlers"]


def quick_start() -> str:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    return readme.split("\n## Quick start\n", 1)[1].split("\n## ", 1)[0]


def readme_setup() -> str:
    """The first ```sh block of the README's "## Quick start" section, exactly as written."""
    block = re.search(r"^```sh\n(.*?)^```", quick_start(), re.MULTILINE | re.DOTALL)
    assert block, "no ```sh block in the README's Quick start"
    return block.group(1)


def commands(script: str) -> list[str]:
    """The lines of a shell script without comments and blank lines."""
    lines = (re.sub(r"(^|\s)#.*", "", line).strip() for line in script.splitlines())
    return [line for line in lines if line]


def pinned_uv_version() -> str:
    match = re.search(r"^UV_VERSION=(\S+)$", (ROOT / "setup.sh").read_text(), re.MULTILINE)
    assert match, "setup.sh sets no UV_VERSION"
    return match.group(1)


def test_ci_runs_the_readme_setup_as_written():
    setup = commands(readme_setup())
    assert setup, "the README's set-up block is empty"
    ci = commands((ROOT / ".ci" / "run").read_text())
    start = ci.index(setup[0]) if setup[0] in ci else -1
    assert ci[start : start + len(setup)] == setup, f".ci/run should run {setup} in a row"
    assert "uv run --frozen pytest" in ci


def test_the_uv_pinned_is_the_one_in_the_readme_and_the_docker_image():
    version = pinned_uv_version()
    assert f"uv {version}" in quick_start()
    assert f'"uv=={version}"' in (ROOT / "Dockerfile").read_text()


def distribution_python_missing() -> str | None:
    """Why the set-up cannot be tried with the distribution's Python here, or None if it can."""
    if not SYSTEM_PYTHON.exists():
        return f"no {SYSTEM_PYTHON} on this machine"
    probe = subprocess.run(
        [
            SYSTEM_PYTHON,
            "-I",
            "-c",
            "import importlib.util, os, sysconfig\n"
            "print(os.path.exists(os.path.join(sysconfig.get_path('stdlib'), 'EXTERNALLY-MANAGED')))\n"
            "print(importlib.util.find_spec('ensurepip') is not None)",
        ],
        capture_output=True,
        text=True,
        timeout=30,
    )
    if probe.returncode != 0:
        return f"{SYSTEM_PYTHON} does not run: {probe.stderr.strip()}"
    managed, venv = probe.stdout.split()
    if managed != "True":
        return f"{SYSTEM_PYTHON} is not externally managed (PEP 668): pip still installs into it"
    if venv != "True":
        return f"{SYSTEM_PYTHON} has no venv (the README asks for: sudo apt install python3-venv)"
    return None


def a_pinned_uv() -> str | None:
    """A uv of the pinned version that this test run can reach, as a machine that has one would."""
    # `uv run` names the uv it is; else the PATH's, whose real file a pyenv shim would hide.
    found = os.environ.get("UV") or shutil.which("uv")
    if found is None:
        return None
    found = os.path.realpath(found)
    version = subprocess.run([found, "--version"], capture_output=True, text=True, timeout=30)
    return found if version.stdout.startswith(f"uv {pinned_uv_version()} ") else None


@pytest.mark.parametrize("uv_on_path", ["none", "another version", "the pinned version"])
def test_the_readme_setup_works_with_the_distributions_python(tmp_path, uv_on_path):
    reason = distribution_python_missing()
    if reason:
        pytest.skip(reason)
    project = tmp_path / "breathing-room"
    project.mkdir()
    for name in PROJECT_FILES:
        source = ROOT / name
        if source.is_dir():
            shutil.copytree(source, project / name, ignore=shutil.ignore_patterns("__pycache__"))
        else:
            shutil.copy2(source, project / name)

    # The machine's own bin folders, behind one holding the uv of this case (if any).
    own_bin = tmp_path / "bin"
    own_bin.mkdir()
    if uv_on_path == "another version":
        (own_bin / "uv").write_text("#!/bin/sh\necho 'uv 0.1.0'\n")
        (own_bin / "uv").chmod(0o755)
    elif uv_on_path == "the pinned version":
        existing = a_pinned_uv()
        if existing is None:
            pytest.skip(f"no uv {pinned_uv_version()} on this test run's PATH to start from")
        (own_bin / "uv").symlink_to(existing)
    if uv_on_path != "the pinned version" and shutil.which("uv", path=SYSTEM_PATH):
        pytest.skip(f"a uv in {SYSTEM_PATH} cannot be hidden from the set-up")
    env = {
        key: value
        for key, value in os.environ.items()
        # What `uv run` and pyenv set around this test is not what a newcomer's shell has.
        if key not in {"VIRTUAL_ENV", "UV", "UV_RUN_RECURSION_DEPTH", "CONDA_PREFIX"}
        and not key.startswith(("PYTHON", "PYENV"))
    }
    env["PATH"] = f"{own_bin}:{SYSTEM_PATH}"

    # The README's lines in one shell, then what a newcomer does next with the `uv` they got.
    script = readme_setup() + (
        "command -v uv\n"
        "uv --version\n"
        "uv run --frozen python -c 'import sys, bot.app; print(sys.base_prefix)'\n"
    )
    result = subprocess.run(
        ["/bin/sh", "-e", "-c", script],
        cwd=project,
        env=env,
        capture_output=True,
        text=True,
        timeout=240,
    )
    assert result.returncode == 0, f"the README's set-up failed:\n{result.stdout}\n{result.stderr}"
    *_, uv_path, uv_version, base_prefix = result.stdout.splitlines()
    assert uv_version.startswith(f"uv {pinned_uv_version()} ")
    if uv_on_path == "the pinned version":
        assert uv_path == str(own_bin / "uv")
        assert not (project / ".uv").exists(), "setup.sh installed a uv while a right one was there"
    else:
        assert uv_path == f"{project}/.uv/bin/uv"
        # The uv came from a venv made by the distribution's Python, and .uv/bin shadows no python3.
        pyvenv = (project / ".uv" / "venv" / "pyvenv.cfg").read_text()
        assert f"home = {SYSTEM_PYTHON.parent}" in pyvenv
        assert sorted(path.name for path in (project / ".uv" / "bin").iterdir()) == ["uv", "uvx"]
    assert (project / ".venv").is_dir()
    assert base_prefix, "the project's environment does not run"
