"""An image folder with one sub-folder per class (torchvision's ImageFolder layout).

``root/<class>/<image>``, or with the split first, ``root/<split>/<class>/<image>``
where every top-level folder is a split name (train, val/valid/validation, test).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from workbench.catalog import Catalog
from workbench.errors import DataError
from workbench.sources.discover import IMAGE_SUFFIXES, find_images, relative_ids, split_of_folder
from workbench.sources.files import existing_path, usable_images
from workbench.sources.problems import Problems


def read_image_folder(root) -> Catalog:
    """Read ``root/<class>/<image>`` (or ``root/<split>/<class>/<image>``).

    Classes are the class folder names, sorted; a class folder with no usable image is
    kept as a class with 0 images, so its absence shows in every count. Images in nested
    folders below a class folder belong to that class. What is left out (images with no
    class folder, files Pillow cannot read, a folder reached twice through a symlink)
    is listed in ``catalog.problems`` and in a warning.

    Parameters
    ----------
    root : str or Path
        The folder of class folders (or of split folders).

    Returns
    -------
    Catalog
        A classification Catalog, with ``split`` when the top folders are splits.
    """
    root = existing_path(root, what="image folder")
    if not root.is_dir():
        raise DataError(f"{str(root)!r} is a file; folder:PATH needs a folder of class folders.")
    problems = Problems()
    real_root = root.resolve()
    top = sorted(p for p in root.iterdir() if p.is_dir() and not p.name.startswith(".")
                 and p.resolve() not in (real_root, *real_root.parents))  # no link back up
    by_split = bool(top) and all(split_of_folder(p.name) for p in top)
    paths = find_images(root, problems)
    parts = [p.relative_to(root).parts for p in paths]
    depth = 2 if by_split else 1  # the class folder is part 0, or part 1 below a split
    loose = np.array([len(q) <= depth for q in parts], dtype=bool)
    problems.add("images with no class folder", "skipped",
                 [p for p, lo in zip(paths, loose, strict=True) if lo],
                 fix="Move each into a folder named after its class.")
    paths = [p for p, lo in zip(paths, loose, strict=True) if not lo]
    parts = [q for q, lo in zip(parts, loose, strict=True) if not lo]
    labels = [q[depth - 1] for q in parts]
    class_dirs = ({q.name for s in top for q in s.iterdir() if q.is_dir()
                   and not q.name.startswith(".")} if by_split else
                  {p.name for p in top})
    if not paths:
        found = sorted({p.suffix.lower() or "(none)" for p in root.rglob("*") if p.is_file()})
        raise DataError(
            f"Found no images in class folders under {str(root)!r} (file suffixes found: "
            f"{', '.join(found[:12]) or 'none'}). Expected {str(root)}/<class>/<image>.jpg, "
            f"one folder per class, with image suffixes Pillow reads "
            f"({', '.join(sorted(IMAGE_SUFFIXES)[:8])}, ...)."
        )
    info = usable_images(paths, problems)
    keep = (info["status"] == "ok").to_numpy()
    samples = pd.DataFrame({
        "filepath": [str(p) for p in paths], "width": info["width"].to_numpy(),
        "height": info["height"].to_numpy(), "label": labels,
    }, index=pd.Index(relative_ids(paths, root), name="sample_id"))
    if by_split:
        samples["split"] = [split_of_folder(q[0]) for q in parts]
    samples = samples[keep]
    classes = sorted(class_dirs | set(labels))
    used = set(samples["label"])
    lost = sorted(set(labels) - used)
    problems.add("classes whose every image was skipped", "class kept with 0 images",
                 [root / c for c in lost], fix="See the skipped images above.")
    empty = sorted(class_dirs - set(labels))
    problems.add("class folders with no image", "class kept with 0 images",
                 [root / c for c in empty])
    problems.warn()
    return Catalog(samples, classes=classes, task="classification", source=str(root),
                   problems=problems.frame())
