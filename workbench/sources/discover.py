"""Finding image files: which files are images, where they are, and their sample ids.

Every loader finds its files the same way: :func:`is_image_file` tells an image by its
suffix (one Pillow decodes), :func:`find_images` walks a folder once (symlinks followed,
loops and second paths to the same file not) and records the files it skipped,
:func:`split_of_folder` reads a split from a folder name, and :func:`relative_ids` names
each image by its path below the root. Reading the files is
:mod:`workbench.sources.files`'s.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path

import pandas as pd
from PIL import Image

from workbench.sources.problems import Problems

# Formats Pillow decodes itself (no external program), intersected with the plugins
# this Pillow has; the suffix is compared in lower case (.JPG, .Jfif).
_COMMON_SUFFIXES = (".png", ".jpg", ".jpeg", ".jpe", ".jfif", ".bmp", ".dib", ".tif", ".tiff",
                    ".webp", ".gif", ".ppm", ".pgm", ".pbm", ".pnm", ".tga", ".avif", ".jp2",
                    ".j2k", ".qoi", ".pcx", ".sgi", ".ras", ".ico")


def _decodable_suffixes() -> frozenset[str]:
    Image.init()
    known = {ext for ext, fmt in Image.registered_extensions().items() if fmt in Image.OPEN}
    return frozenset(s for s in _COMMON_SUFFIXES if s in known)


IMAGE_SUFFIXES = _decodable_suffixes()
SPLIT_FOLDERS = {"train": "train", "training": "train", "val": "val", "valid": "val",
                 "validation": "val", "test": "test", "testing": "test"}


def is_image_file(path: Path) -> bool:
    """Whether the suffix is one Pillow reads (any case).

    Parameters
    ----------
    path : Path
        A file.

    Returns
    -------
    bool
        True for an image suffix.
    """
    return path.suffix.lower() in IMAGE_SUFFIXES


def find_images(root: Path, problems: Problems | None = None) -> list[Path]:
    """Image files below ``root``, sorted; hidden folders skipped.

    Symlinked folders are followed once: a link back to a folder already walked (a loop)
    is not followed again, and a file reached by a second path counts once. Both, and
    files that are not images Pillow reads, are recorded in ``problems``.

    Parameters
    ----------
    root : Path
        The folder to walk.
    problems : Problems, optional
        Where skipped files and folders are recorded.

    Returns
    -------
    list of Path
        The image files.
    """
    root = Path(root)
    images, others, seen_files = [], [], {}
    seen_dirs = set()
    for folder, dirs, files in os.walk(root, followlinks=True):
        real = os.path.realpath(folder)
        if real in seen_dirs:
            if problems is not None:
                problems.add("folders reached twice through a symlink", "skipped",
                             [folder], fix="Remove the link or point it outside the dataset.")
            dirs[:] = []
            continue
        seen_dirs.add(real)
        dirs[:] = sorted(d for d in dirs if not d.startswith("."))
        for name in sorted(files):
            path = Path(folder) / name
            if name.startswith("."):
                continue
            if not is_image_file(path):
                others.append(path)
                continue
            key = os.path.realpath(path)
            if key in seen_files:
                if problems is not None:
                    problems.add("files that are the same image as another path", "counted once",
                                 [path], [f"= {seen_files[key].relative_to(root)}"])
                continue
            seen_files[key] = path
            images.append(path)
    if others and problems is not None:
        problems.add("files that are not images Pillow reads", "skipped", others,
                     fix=f"Readable suffixes: {', '.join(sorted(IMAGE_SUFFIXES))}.")
    return sorted(images)


def split_of_folder(name: str) -> str | None:
    """The split a folder name stands for (``valid`` -> ``val``), or None.

    Parameters
    ----------
    name : str
        A folder name (any case).

    Returns
    -------
    str or None
        "train", "val" or "test".
    """
    return SPLIT_FOLDERS.get(name.lower())


def relative_ids(paths: Sequence[Path], root: Path) -> list[str]:
    """Sample ids: each path relative to ``root`` without its suffix (``cls/img``).

    Two files that differ only by suffix (``x.png`` and ``x.jpg``) keep their suffixes,
    so both load.

    Parameters
    ----------
    paths : sequence of Path
        The image files.
    root : Path
        The folder ids are relative to.

    Returns
    -------
    list of str
        One id per path, with ``/`` separators.
    """
    stems = [Path(os.path.relpath(p, root)).with_suffix("").as_posix() for p in paths]
    full = [Path(os.path.relpath(p, root)).as_posix() for p in paths]
    clash = pd.Series(stems).duplicated(keep=False).to_numpy()
    return [f if c else s for s, f, c in zip(stems, full, clash, strict=True)]
