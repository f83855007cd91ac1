"""Where the demo datasets live on disk, and their generation: once per name, size, seed and
generator version, into a temporary folder renamed into place, under a lock, so two
processes asking at once get the same files.
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

from workbench.catalog import Catalog
from workbench.demo.digits import make_digits
from workbench.demo.surfaces import make_surfaces
from workbench.errors import DataError, check_option
from workbench.sources.manifest import read_manifest

DEMOS = ("digits", "surfaces")
DEFAULT_SIZES = {"digits": None, "surfaces": 2000}
GENERATOR_VERSION = 2  # bump when the generated files change: old folders are not reused


def data_home() -> Path:
    """Where generated data lives: $WORKBENCH_DATA, else the repository's data/ folder.

    Returns
    -------
    Path
        Absolute; ``~/.cache/workbench`` outside a repository checkout.
    """
    if os.environ.get("WORKBENCH_DATA"):
        return Path(os.environ["WORKBENCH_DATA"]).expanduser().absolute()
    repo_data = Path(__file__).resolve().parents[1] / "data"
    if (repo_data / "README.md").is_file():
        return repo_data
    return Path.home() / ".cache" / "workbench"


def demo_path(name: str, n_images: int | None = None, *, seed: int = 0) -> Path:
    """The manifest of a generated demo dataset (generated on first use).

    Parameters
    ----------
    name : {"digits", "surfaces"}
        The demo.
    n_images : int, optional
        Images (at least 20); default the demo's size.
    seed : int
        Seed of the generator.

    Returns
    -------
    Path
        The manifest.
    """
    check_option("demo name", name, DEMOS, func="demo_path")
    n_images = DEFAULT_SIZES[name] if n_images is None else int(n_images)
    if n_images is not None and n_images < 20:
        raise ValueError(f"A demo needs at least 20 images. Got n_images={n_images}.")
    folder = data_home() / "demo" / f"{name}-n{n_images or 'all'}-seed{seed}-v{GENERATOR_VERSION}"
    manifest = folder / "manifest.csv"
    if not manifest.is_file():
        _generate_atomically(name, folder, n_images=n_images, seed=seed)
    return manifest


def load_demo(name: str, n_images: str | int | None = None, *, seed: int = 0) -> Catalog:
    """Load (generating if missing) a demo: ``load_demo("surfaces", 300)``.

    Parameters
    ----------
    name : {"digits", "surfaces"}
        The demo.
    n_images : str or int, optional
        Images (at least 20), a number or its digits; default the demo's size.
    seed : int
        Seed of the generator.

    Returns
    -------
    Catalog
        The demo dataset.
    """
    if isinstance(n_images, str):
        if not n_images.isdigit():
            raise DataError(f"demo:{name}:{n_images}: the size must be a number of images.")
        n_images = int(n_images)
    return read_manifest(demo_path(name, n_images, seed=seed))


def _generate_atomically(name: str, folder: Path, *, n_images, seed: int) -> None:
    """Write into a temporary sibling, then rename: concurrent runs never see half a dataset.
    A process that finds another generating the same demo waits for it (a lock file beside
    it) instead of generating it a second time."""
    folder.parent.mkdir(parents=True, exist_ok=True)
    with _exclusive(folder.parent / f".{folder.name}.lock"):
        if not (folder / "manifest.csv").is_file():  # the process we waited for made it
            _generate_into(name, folder, n_images=n_images, seed=seed)


@contextlib.contextmanager
def _exclusive(lock: Path):
    """Hold an exclusive lock on ``lock`` (POSIX; elsewhere, no lock: the rename still keeps
    datasets whole)."""
    try:
        import fcntl
    except ImportError:
        yield
        return
    with open(lock, "a") as handle:
        fcntl.flock(handle, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(handle, fcntl.LOCK_UN)


def _generate_into(name: str, folder: Path, *, n_images, seed: int) -> None:
    tmp = Path(tempfile.mkdtemp(prefix=f".{folder.name}-", dir=folder.parent))
    try:
        generate = make_digits if name == "digits" else make_surfaces
        generate(tmp, n_images=n_images, seed=seed)
        try:
            tmp.rename(folder)
        except OSError:  # another process finished first
            if not (folder / "manifest.csv").is_file():
                raise
    finally:
        shutil.rmtree(tmp, ignore_errors=True)

