"""The environment is described once: pyproject.toml holds every pin and the supported Python range;
environment.yml (conda users), the Makefile (interpreter choice) and .pre-commit-config.yaml follow it."""

import os
import re
import subprocess
import sys
import tomllib
from pathlib import Path

import pytest
import yaml

ROOT = Path(__file__).resolve().parents[1]
PYPROJECT = tomllib.loads((ROOT / "pyproject.toml").read_text())
PROJECT = PYPROJECT["project"]
EXTRAS = PROJECT["optional-dependencies"]
ALL_PINS = PROJECT["dependencies"] + [pin for group in EXTRAS.values() for pin in group]
MAKEFILE = (ROOT / "Makefile").read_text()


def _makefile_var(name: str) -> str:
    match = re.search(rf"^{name}\s*:?=\s*(.+)$", MAKEFILE, flags=re.MULTILINE)
    assert match, f"Makefile defines no {name}"
    return match.group(1).strip()


def _pin(name: str) -> str:
    return next(p for p in ALL_PINS if p.split("==")[0] == name)


def test_environment_yml_matches_pyproject_pins():
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert sorted(p for p in pip_section if p != "-e .") == sorted(ALL_PINS)
    assert "-e ." in pip_section


def test_every_dependency_is_pinned_exactly():
    assert all("==" in p for p in ALL_PINS), [p for p in ALL_PINS if "==" not in p]


def test_dev_and_lab_groups_hold_the_tools_the_makefile_uses():
    assert {p.split("==")[0] for p in EXTRAS["dev"]} >= {"ruff", "pre-commit"}
    assert {p.split("==")[0] for p in EXTRAS["lab"]} >= {"jupyterlab"}
    assert '-e ".[dev]"' in MAKEFILE and '-e ".[dev,lab]"' in MAKEFILE


def test_python_range_is_the_same_in_pyproject_makefile_and_environment_yml():
    lo, hi = _makefile_var("PY_MIN"), _makefile_var("PY_MAX")
    major, minor = map(int, hi.split("."))
    assert PROJECT["requires-python"] == f">={lo},<{major}.{minor + 1}"
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    assert f"python>={lo},<{major}.{minor + 1}" in env["dependencies"]
    # the Makefile looks for every supported minor version, newest first, then plain python3
    lo_minor = int(lo.split(".")[1])
    expected = [f"python3.{m}" for m in range(minor, lo_minor - 1, -1)] + ["python3"]
    assert _makefile_var("PY_CANDIDATES").split() == expected


def test_this_interpreter_is_in_the_supported_range():
    # the tests run on the venv the Makefile created: it must be one the Makefile accepts
    lo = tuple(map(int, _makefile_var("PY_MIN").split(".")))
    hi = tuple(map(int, _makefile_var("PY_MAX").split(".")))
    assert lo <= sys.version_info[:2] <= hi


@pytest.mark.parametrize(("version", "accepted"), [("3.10", False), ("3.11", True), ("3.14", True), ("3.15", False)])
def test_makefile_version_check_accepts_exactly_the_range(version, accepted):
    # PY_OK is the Python snippet the Makefile runs on each candidate interpreter; run it with a faked version
    snippet = subprocess.run(
        [
            "make",
            "-s",
            "--no-print-directory",
            "-f",
            "Makefile",
            "--eval",
            "print-py-ok: ; @printf '%s' '$(PY_OK)'",
            "print-py-ok",
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
        env={k: v for k, v in os.environ.items() if k not in ("MAKEFLAGS", "MAKELEVEL")},
    ).stdout
    faked = f"import sys; sys.version_info = ({version.replace('.', ', ')}, 0, 'final', 0)\n" + snippet
    rc = subprocess.run([sys.executable, "-c", faked]).returncode
    assert (rc == 0) is accepted, (version, snippet)


def test_pre_commit_runs_ruff_from_the_venv_and_refuses_notebooks():
    config = yaml.safe_load((ROOT / ".pre-commit-config.yaml").read_text())
    hooks = {hook["id"]: hook for repo in config["repos"] for hook in repo["hooks"]}
    assert hooks["ruff"]["entry"].split()[:2] == [".venv/bin/ruff", "check"]
    refuse = hooks["no-notebooks"]
    assert refuse["language"] == "fail"
    files = re.compile(refuse["files"])
    assert files.search("chapters/03_tco.ipynb")
    assert not files.search("chapters/03_tco.md")


def test_pre_commit_config_is_valid():
    pre_commit = Path(sys.executable).parent / "pre-commit"
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed in .venv (run `make install`)")
    out = subprocess.run(
        [str(pre_commit), "validate-config", ".pre-commit-config.yaml"], cwd=ROOT, capture_output=True, text=True
    )
    assert out.returncode == 0, out.stdout + out.stderr


def test_ruff_version_in_use_is_the_pinned_one():
    ruff = Path(sys.executable).parent / "ruff"
    if not ruff.exists():
        pytest.skip("ruff is not installed in .venv (run `make install`)")
    version = subprocess.run([str(ruff), "--version"], capture_output=True, text=True, check=True).stdout.split()[1]
    assert f"ruff=={version}" == _pin("ruff")


def test_pre_commit_hooks_refuse_a_notebook_and_a_ruff_finding(tmp_path):
    # a contributor's commit, replayed in a throwaway repository that uses this checkout's .venv
    pre_commit = Path(sys.executable).parent / "pre-commit"
    if not pre_commit.exists():
        pytest.skip("pre-commit is not installed in .venv (run `make install`)")
    repo = tmp_path / "repo"
    repo.mkdir()
    (repo / ".venv").symlink_to(Path(sys.executable).parents[1])
    for name in (".pre-commit-config.yaml", "pyproject.toml"):
        (repo / name).write_text((ROOT / name).read_text())
    (repo / "ok.py").write_text('"""Fine."""\n\nVALUE = 1\n')
    env = {
        "PATH": "/usr/bin:/bin",
        "HOME": str(tmp_path),
        "PRE_COMMIT_HOME": str(tmp_path / "cache"),
        "GIT_CONFIG_NOSYSTEM": "1",
    }

    def run(*args):
        return subprocess.run(args, cwd=repo, env=env, capture_output=True, text=True)

    assert run("git", "init", "-q").returncode == 0
    run("git", "add", "-A")
    clean = run(str(pre_commit), "run", "--all-files")
    assert clean.returncode == 0, clean.stdout + clean.stderr

    (repo / "chapter.ipynb").write_text("{}")
    (repo / "bad.py").write_text("import os\n")  # F401: unused import
    run("git", "add", "-A")
    dirty = run(str(pre_commit), "run", "--all-files")
    assert dirty.returncode != 0
    assert "chapter.ipynb" in dirty.stdout and "F401" in dirty.stdout, dirty.stdout


def test_package_data_declared_in_pyproject_exists():
    # e.g. helpers/py.typed (PEP 561: helpers ships its type hints)
    declared = PYPROJECT["tool"]["setuptools"]["package-data"]
    missing = [f"{pkg}/{name}" for pkg, names in declared.items() for name in names if not (ROOT / pkg / name).exists()]
    assert not missing, missing
