"""Reusing a report page whose inputs have not changed: ``make report`` run again.

A notebook's page is reused when its fingerprint is the one recorded at its last
successful run: the notebook itself, its parameters, the workbench's own source, the
versions of the libraries that draw and count, and, for a dataset or predictions on disk,
every file's path, size and modification time. Anything else (a demo, a seed) is in the
parameters. A FiftyOne dataset (``fiftyone:NAME``) has no cheap fingerprint, so its
pages are always run again; so is every page after ``--fresh``.
"""

from __future__ import annotations

import hashlib
import json
import os
import sys
from importlib import metadata
from pathlib import Path

CACHE_FILE = "cache.json"  # in the report's notebooks/ folder
LIBRARIES = ("numpy", "pandas", "scipy", "scikit-learn", "imbalanced-learn", "matplotlib",
             "seaborn", "fiftyone", "albumentations", "pycocotools", "nbconvert", "papermill")
NOT_INPUTS = ("output_dir",)  # parameters that say where to write, not what to compute


def fingerprint(notebook: Path, parameters: dict) -> str | None:
    """The notebook's inputs as one hash; None when one of them cannot be fingerprinted.

    Parameters
    ----------
    notebook : Path
        The notebook.
    parameters : dict
        Its parameters.

    Returns
    -------
    str or None
        A SHA-256 hex digest.
    """
    digest = hashlib.sha256(Path(notebook).read_bytes())
    inputs = {k: v for k, v in parameters.items() if k not in NOT_INPUTS}
    digest.update(json.dumps(inputs, sort_keys=True, default=str).encode())
    digest.update(_package_source())
    digest.update(_library_versions().encode())
    for value in inputs.values():
        if isinstance(value, str) and ":" in value:
            scheme, _, rest = value.partition(":")
            if scheme == "fiftyone":
                return None
            for part in rest.split(":"):
                _files_into(digest, Path(part))
    return digest.hexdigest()


def reusable(folder: Path, name: str, key: str | None, page: Path) -> bool:
    """Whether the page of notebook ``name`` was made from inputs with this ``key``.

    Parameters
    ----------
    folder : Path
        Where the cache file is.
    name : str
        The notebook's file name.
    key : str or None
        Its fingerprint now.
    page : Path
        Its rendered page.

    Returns
    -------
    bool
        True when the page can be reused.
    """
    return key is not None and page.exists() and _read(folder).get(name) == key


def record(folder: Path, name: str, key: str | None) -> None:
    """Remember ``key`` for notebook ``name`` (None forgets it: the run failed).

    Parameters
    ----------
    folder : Path
        Where the cache file is.
    name : str
        The notebook's file name.
    key : str or None
        Its fingerprint.
    """
    cache = _read(folder)
    cache.pop(name, None)
    if key is not None:
        cache[name] = key
    folder.mkdir(parents=True, exist_ok=True)
    (folder / CACHE_FILE).write_text(json.dumps(cache, indent=1, sort_keys=True))


def _read(folder: Path) -> dict:
    try:
        return json.loads((folder / CACHE_FILE).read_text())
    except (OSError, ValueError):
        return {}


def _package_source() -> bytes:
    root = Path(__file__).parent
    digest = hashlib.sha256()
    for path in sorted(root.rglob("*.py")):
        digest.update(str(path.relative_to(root)).encode() + path.read_bytes())
    return digest.digest()


def _library_versions() -> str:
    versions = [sys.version]
    for name in LIBRARIES:
        try:
            versions.append(f"{name}=={metadata.version(name)}")
        except metadata.PackageNotFoundError:
            versions.append(f"{name} missing")
    return ";".join(versions)


def _files_into(digest, path: Path) -> None:
    """Each file's path, size and modification time under ``path`` (a file or folder)."""
    if path.is_file():
        stat = path.stat()
        digest.update(f"{path}|{stat.st_size}|{stat.st_mtime_ns}".encode())
    elif path.is_dir():
        for folder, dirs, files in os.walk(path):
            dirs.sort()
            for name in sorted(files):
                _files_into(digest, Path(folder) / name)
