"""Shared fixtures: generated data in a temporary home, FiftyOne on a private database."""

from __future__ import annotations

import atexit
import contextlib
import os
import shutil
import sys
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from PIL import Image

# Before anything imports workbench.demo or fiftyone: generated data and FiftyOne's
# settings stay private to this test run.
_HOME = Path(tempfile.mkdtemp(prefix="workbench-tests-"))
# Generated data and the caches (demo sets, trained models, features) are shared by the
# processes of one run: make test's workers inherit the folder from the process that
# starts them, which made it and removes it at the end. Each worker generated the
# 2,000-image demo itself (20-35 s) before. Writes there are atomic (temporary, renamed).
_DATA_OWNER = "WORKBENCH_TESTS_DATA" not in os.environ
if _DATA_OWNER:
    os.environ["WORKBENCH_TESTS_DATA"] = tempfile.mkdtemp(prefix="workbench-tests-data-")
# A temp folder per test process (make test runs three, pytest-xdist): the notebook test's
# check that nothing is left in the temp folder sees only its own process's files.
_TMP = tempfile.mkdtemp(prefix="wbt-")
os.environ["TMPDIR"] = tempfile.tempdir = _TMP
os.environ["WORKBENCH_DATA"] = os.environ["WORKBENCH_TESTS_DATA"]
os.environ["FIFTYONE_DO_NOT_TRACK"] = "true"
os.environ["FIFTYONE_DATABASE_VALIDATION"] = "false"
os.environ["MPLBACKEND"] = "Agg"


_DATABASE = contextlib.ExitStack()
# `make mutants` runs pytest again and again in one process (and in processes forked from
# it): the folders and the database then live as long as that process, not one session.
_MUTATION_RUN = os.environ.get("WORKBENCH_MUTANTS") == "1"
_STARTED_BY = os.getpid()


def pytest_configure(config):
    """Start the private mongod before anything imports fiftyone.

    FiftyOne reads its database settings when it is imported, and collecting the
    doctests imports workbench.browse: a database started later (in a fixture) would
    leave FiftyOne on the user's default database.
    """
    from workbench.environment import private_database

    if config.getoption("numprocesses", None) and "PYTEST_XDIST_WORKER" not in os.environ:
        return  # pytest-xdist's controller runs no test: only its workers need a database
    for folder in (_HOME, _TMP, os.environ["WORKBENCH_TESTS_DATA"]):
        Path(folder).mkdir(parents=True, exist_ok=True)
    if "FIFTYONE_DATABASE_NAME" in os.environ and _MUTATION_RUN:
        return  # started by an earlier session of this mutation run
    _DATABASE.enter_context(private_database(_HOME / "mongo"))
    os.environ["FIFTYONE_DATABASE_NAME"] = "workbench-tests"


_UNGROUPED: set[str] = set()


@pytest.hookimpl(trylast=True)  # after pytest-xdist has put its group names in the ids
def pytest_collection_modifyitems(config, items):
    """The notebook tests first (the longest: a worker that starts one last would finish
    long after the others), in a stable order, the same in every worker.

    Under ``--dist loadgroup``, a test marked ``xdist_group`` must carry its group in its
    node id, or the groups are silently ignored (pytest-xdist#1386, on pytest 9.2): the
    JupyterLab tests then run two at a time and module fixtures are built twice. Such
    tests fail, saying so (an error raised here would only crash the worker)."""
    items.sort(key=lambda item: item.get_closest_marker("notebook") is None)
    if getattr(config.option, "loadgroup", False):
        _UNGROUPED.update(item.nodeid for item in items
                          if item.get_closest_marker("xdist_group") and "@" not in item.nodeid)


def pytest_runtest_setup(item):
    if item.nodeid in _UNGROUPED:
        pytest.fail(f"pytest-xdist did not put this test in its xdist_group: pytest "
                    f"{pytest.__version__} with this pytest-xdist ignores the groups "
                    "(pytest-xdist#1386). Install the pinned versions: make env.",
                    pytrace=False)


def pytest_unconfigure(config):
    if _MUTATION_RUN:
        return  # cleaned up when the mutation run's own process exits (below)
    _clean_up()


def _clean_up():
    if os.getpid() != _STARTED_BY:
        return  # a forked mutant's process: the database and folders are its parent's
    _DATABASE.close()
    shutil.rmtree(_HOME, ignore_errors=True)
    if _DATA_OWNER:
        shutil.rmtree(os.environ["WORKBENCH_TESTS_DATA"], ignore_errors=True)
    shutil.rmtree(_TMP, ignore_errors=True)


if _MUTATION_RUN:
    atexit.register(_clean_up)


@pytest.fixture(autouse=True)
def no_idle_worker_processes():
    """Under `make mutants`, joblib's idle loky workers are stopped after each test: mutmut
    waits on its own forked children, and a worker of the tests exiting 300 s later in the
    same process crashed it (KeyError in mutmut's wait_for_result)."""
    yield
    if _MUTATION_RUN and "joblib.externals.loky" in sys.modules:
        from joblib.externals.loky import get_reusable_executor

        get_reusable_executor().shutdown(wait=True)


@pytest.fixture(autouse=True)
def fresh_hint_ladders():
    """The exercise checkers count wrong answers per process to escalate their hints: each
    test starts from none, whatever ran before it on its worker."""
    from workbench import exercises
    from workbench.coding import checker

    exercises.reset_attempts()
    checker.reset_attempts()
    yield


@pytest.fixture(scope="session")
def fiftyone_db():
    """The private mongod's URI; FiftyOne (and kernels) connect to it."""
    return os.environ["FIFTYONE_DATABASE_URI"]


@pytest.fixture
def fo(fiftyone_db):
    """The fiftyone module on the private database; datasets made by a test are deleted."""
    import fiftyone

    before = set(fiftyone.list_datasets())
    yield fiftyone
    for name in set(fiftyone.list_datasets()) - before:
        fiftyone.delete_dataset(name)


# -- small files written by the tests ----------------------------------------------------


def write_image(path: Path, width: int = 20, height: int = 10, value: int = 128) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.full((height, width, 3), value, np.uint8)).save(path)
    return path


def write_mask(path: Path, mask: np.ndarray) -> Path:
    path.parent.mkdir(parents=True, exist_ok=True)
    Image.fromarray(np.asarray(mask, dtype=np.uint8)).save(path)
    return path


@pytest.fixture
def small_detection(tmp_path):
    """Three 20x10 images; boxes: a has 2 cats, b has a cat and a dog, c none."""
    from workbench.catalog import Catalog

    root = tmp_path / "src"
    paths = {k: write_image(root / f"{k}.png") for k in "abc"}
    samples = pd.DataFrame({
        "filepath": [str(paths[k]) for k in "abc"], "width": 20, "height": 10,
        "split": ["train", "train", "val"], "group": ["g1", "g1", "g2"],
        "light": ["day", "night", "day"],
    }, index=pd.Index(list("abc"), name="sample_id"))
    objects = pd.DataFrame({
        "sample_id": ["a", "a", "b", "b"], "label": ["cat", "cat", "cat", "dog"],
        "x": [0.0, 0.5, 0.25, 0.1], "y": [0.0, 0.2, 0.5, 0.1],
        "w": [0.5, 0.5, 0.25, 0.3], "h": [1.0, 0.4, 0.5, 0.2],
    })
    return Catalog(samples, classes=["cat", "dog"], task="detection", objects=objects,
                   conditions=["light"], source=str(root))
