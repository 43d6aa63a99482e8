"""environment.yml (conda users) must carry exactly the pins of pyproject.toml (the single source of truth)."""

import tomllib
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parents[1]


def test_environment_yml_matches_pyproject_pins():
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip_section = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict) and "pip" in d)
    assert sorted(p for p in pip_section if p != "-e .") == sorted(pins)
    assert "-e ." in pip_section
    assert "python=3.11" in env["dependencies"]


def test_every_dependency_is_pinned_exactly():
    pins = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]["dependencies"]
    assert all("==" in p for p in pins), [p for p in pins if "==" not in p]
