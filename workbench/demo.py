"""The embedded demo datasets, generated on disk from a seed (no download).

``demo:digits``
    The real handwritten digits that scikit-learn ships (1,797 8x8 scans), written as
    32x32 PNGs in an image-folder layout and made long-tailed: the digit of rarity rank
    ``r`` (0 = most common; the order is a seeded permutation of the ten digits) keeps
    ``round(n_max * ratio ** (-r / 9))`` of its images (``ratio`` = 32). With scikit-learn's
    digits, ``n_max`` = 174 (its smallest digit) and the rarest keeps round(5.44) = 5, so the
    largest class is 174 : 5 = 34.8 times the smallest. A ``scanner`` condition (flatbed /
    phone) is mixed differently per class: the rarer the digit, the more of it comes from
    the phone, whose scans are blurrier and greyer, a hidden imbalance to find later.

``demo:surfaces``
    Procedurally generated 128x128 surface-inspection images in the spirit of the
    concrete-crack worked example: mostly intact surfaces, rare cracks (thin, so their
    pixels are sparse), scratches, stains and dents. Every image has boxes and a
    class-index mask, so the same data serves classification, detection and
    segmentation. Conditions: ``lighting`` (day / night; night is rarer, cracks at night
    rarer still) and ``camera`` (A / B / C, fixed per asset). Each physical ``group``
    (asset) has several images, and a damaged asset shows its defect in several of them,
    which is what leaks when a split ignores groups. Default: 2,000 images with image
    labels intact:crack = 1,650:50 = 33:1 (59 images contain a crack, counting the cracks
    beside another label's defect).
"""

from __future__ import annotations

import contextlib
import os
import shutil
import tempfile
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from workbench.apportion import largest_remainder
from workbench.catalog import Catalog
from workbench.errors import DataError, check_option
from workbench.sources.manifest import read_manifest, store_manifest
from workbench.sources.pixels import pixels_table

DEMOS = ("digits", "surfaces")
SURFACE_CLASSES = ("intact", "crack", "scratch", "stain", "dent")
# Share of images per image-level label: intact:crack = 0.825:0.025 = 33:1.
SURFACE_SHARES = {"intact": 0.825, "scratch": 0.075, "stain": 0.045, "dent": 0.03,
                  "crack": 0.025}
NIGHT_SHARE = {"crack": 0.08, "default": 0.3}
CAMERAS = (("A", 0.5), ("B", 0.3), ("C", 0.2))
DIGITS_RATIO = 32.0
DEFAULT_SIZES = {"digits": None, "surfaces": 2000}
# zlib level 1 writes these PNGs 2.7x faster than Pillow's default 6, and no larger
# (measured: 28.8 kB against 30.8 kB an image and its mask); the pixels are the same.
PNG_LEVEL = 1
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


# -- digits ------------------------------------------------------------------------------


def digits_profile(n_max: int, *, ratio: float = DIGITS_RATIO, n_classes: int = 10) -> np.ndarray:
    """Images kept per rarity rank: ``round(n_max * ratio ** (-rank / (n_classes - 1)))``.

    Parameters
    ----------
    n_max : int
        Images of the commonest digit.
    ratio : float
        Commonest over rarest.
    n_classes : int
        Number of ranks.

    Returns
    -------
    numpy.ndarray of int
        Images per rank, commonest first.

    Examples
    --------
    >>> digits_profile(160).tolist()
    [160, 109, 74, 50, 34, 23, 16, 11, 7, 5]
    """
    ranks = np.arange(n_classes)
    return np.round(n_max * ratio ** (-ranks / (n_classes - 1))).astype(int)


def make_digits(out: Path, *, n_images=None, seed: int = 0) -> Catalog:
    """Write the long-tailed digits into ``out`` and return their Catalog.

    Parameters
    ----------
    out : Path
        An existing folder.
    n_images : int, optional
        Images; default all that the profile keeps.
    seed : int
        Seed of the draws.

    Returns
    -------
    Catalog
        The digits, with a ``scanner`` condition.
    """
    from sklearn.datasets import load_digits

    rng = np.random.default_rng(seed)
    digits = load_digits()
    images, target = digits.images, digits.target
    rarity = rng.permutation(10)  # rarity[r] is the digit of rank r
    per_class = np.bincount(target)
    kept = digits_profile(int(per_class.min()))
    rank_of = np.argsort(rarity)
    chosen = np.concatenate([
        rng.choice(np.flatnonzero(target == d), kept[rank_of[d]], replace=False)
        for d in range(10)
    ])
    if n_images is not None and n_images < len(chosen):  # shrink, keeping the profile's shape
        chosen = chosen[_proportional_pick(target[chosen], n_images, rng)]
    chosen = np.sort(chosen)
    labels = target[chosen]
    p_phone = 0.15 + 0.6 * rank_of[labels] / 9  # rarer digits come more often from the phone
    scanner = np.where(rng.random(len(chosen)) < p_phone, "phone", "flatbed")
    pixels = _render_digits(images[chosen], scanner == "phone", rng)
    rows = []
    for idx, label, img, scan in zip(chosen, labels, pixels, scanner, strict=True):
        rel = Path(str(label)) / f"digit_{idx:04d}.png"
        (out / rel).parent.mkdir(parents=True, exist_ok=True)
        Image.fromarray(img).save(out / rel, compress_level=PNG_LEVEL)
        rows.append({"sample_id": f"{label}/digit_{idx:04d}", "filepath": str(out / rel),
                     "width": 32, "height": 32, "label": str(label), "scanner": scan})
    samples = pd.DataFrame(rows).set_index("sample_id")
    catalog = Catalog(samples, classes=[str(d) for d in range(10)], conditions=["scanner"],
                      source=str(out))
    store_manifest(catalog, out / "manifest.csv")
    return catalog


def _render_digits(images: np.ndarray, phone: np.ndarray, rng) -> np.ndarray:
    """8x8 scans (0..16) -> 32x32 dark ink on paper; phone scans blurrier and greyer."""
    from scipy.ndimage import gaussian_filter

    big = np.kron(images / 16.0, np.ones((4, 4)))  # nearest-neighbour upscale, vectorised
    soft = gaussian_filter(big, sigma=(0, 0.8, 0.8))
    big = np.where(phone[:, None, None], gaussian_filter(big, sigma=(0, 1.6, 1.6)), soft)
    paper = np.where(phone, 0.78, 0.97)[:, None, None]
    ink = paper - big * np.where(phone, 0.55, 0.85)[:, None, None]
    ink = ink + rng.normal(0, 0.02, ink.shape) * (1 + 2 * phone[:, None, None])
    return (np.clip(ink, 0, 1) * 255).astype(np.uint8)


def _proportional_pick(labels: np.ndarray, n: int, rng) -> np.ndarray:
    """Indices of ``n`` items keeping each label's share (largest remainder, >= 1 each)."""
    values, counts = np.unique(labels, return_counts=True)
    quota = np.maximum(1, largest_remainder(counts / counts.sum(), n))
    picked = [rng.choice(np.flatnonzero(labels == v), min(q, c), replace=False)
              for v, q, c in zip(values, quota, counts, strict=True)]
    return np.sort(np.concatenate(picked))


def make_surfaces(out: Path, *, n_images: int = 2000, seed: int = 0, size: int = 128) -> Catalog:
    """Write ``n_images`` surface-inspection images, masks and boxes into ``out``.

    Parameters
    ----------
    out : Path
        The folder.
    n_images : int
        Images.
    seed : int
        Seed of the draws.
    size : int
        Side of an image, in pixels.

    Returns
    -------
    Catalog
        Images with masks and boxes.
    """
    rng = np.random.default_rng(seed)
    plan = _surface_plan(n_images, rng)
    (out / "images").mkdir(parents=True, exist_ok=True)
    (out / "masks").mkdir(parents=True, exist_ok=True)
    (out / "masks" / "classes.txt").write_text("\n".join(SURFACE_CLASSES) + "\n")
    textures = _textures(len(plan), size, plan["tone"].to_numpy(), rng)
    boxes, counts = [], np.zeros((len(plan), len(SURFACE_CLASSES)), dtype=np.int64)
    for i, row in enumerate(plan.itertuples()):  # a generator, not a hot path: ~5 ms an image
        image, mask, found = _draw_defects(textures[i], row.defects, rng)
        image = _apply_conditions(image, row.lighting, row.camera, rng)
        name = f"{row.Index}.png"
        Image.fromarray(image).save(out / "images" / name, compress_level=PNG_LEVEL)
        Image.fromarray(mask).save(out / "masks" / name, compress_level=PNG_LEVEL)
        counts[i] = np.bincount(mask.ravel(), minlength=len(SURFACE_CLASSES))
        boxes += [(row.Index, label, *box) for label, box in found]
    samples = plan.drop(columns=["defects", "tone"]).assign(
        filepath=[str(out / "images" / f"{i}.png") for i in plan.index],
        mask_path=[str(out / "masks" / f"{i}.png") for i in plan.index],
        width=size, height=size,
    )
    objects = pd.DataFrame(boxes, columns=["sample_id", "label", "x", "y", "w", "h"])
    catalog = Catalog(samples, classes=SURFACE_CLASSES, task="detection", objects=objects,
                      pixels=pixels_table(plan.index, counts, SURFACE_CLASSES),
                      conditions=["lighting", "camera"], background="intact", source=str(out))
    store_manifest(catalog, out / "manifest.csv")
    return catalog


def _surface_plan(n_images: int, rng) -> pd.DataFrame:
    """Per image: its label, defects to draw, asset (group), camera and lighting."""
    names = list(SURFACE_SHARES)
    counts = dict(zip(names, largest_remainder(np.array(list(SURFACE_SHARES.values())),
                                               n_images), strict=True))
    rows, asset = [], 0
    intact_left = counts["intact"]
    for label in names[1:]:  # damaged assets: 2-4 images of the defect plus 0-3 intact ones
        left = counts[label]
        while left > 0:
            k = min(left, int(rng.integers(2, 5)))
            rows += [(asset, label)] * k
            extra = min(intact_left, int(rng.integers(0, 4)))
            rows += [(asset, "intact")] * extra
            left, intact_left, asset = left - k, intact_left - extra, asset + 1
    while intact_left > 0:  # sound assets: 3-8 intact images
        k = min(intact_left, int(rng.integers(3, 9)))
        rows += [(asset, "intact")] * k
        intact_left, asset = intact_left - k, asset + 1
    plan = pd.DataFrame(rows, columns=["group", "label"])
    plan = plan.sample(frac=1.0, random_state=int(rng.integers(2**31))).reset_index(drop=True)
    plan.index = pd.Index([f"surf_{i:05d}" for i in range(len(plan))], name="sample_id")
    n_assets = plan["group"].max() + 1
    cameras, p = zip(*CAMERAS, strict=True)
    asset_camera = rng.choice(cameras, size=n_assets, p=p)
    asset_tone = rng.uniform(0.45, 0.68, size=n_assets)
    plan["camera"] = asset_camera[plan["group"]]
    plan["tone"] = asset_tone[plan["group"]]
    p_night = np.where(plan["label"] == "crack", NIGHT_SHARE["crack"], NIGHT_SHARE["default"])
    plan["lighting"] = np.where(rng.random(len(plan)) < p_night, "night", "day")
    plan["group"] = [f"asset_{g:04d}" for g in plan["group"]]
    plan["defects"] = [_defects_of(label, rng) for label in plan["label"]]
    return plan


def _defects_of(label: str, rng) -> list[str]:
    """The defects drawn in an image: the label's 1-3 instances, sometimes a second kind."""
    if label == "intact":
        return []
    n = {"crack": rng.integers(1, 3), "scratch": rng.integers(1, 4), "stain": rng.integers(1, 3),
         "dent": 1}[label]
    defects = [label] * int(n)
    if rng.random() < 0.12:  # some damaged surfaces carry a second kind of defect
        defects.append(str(rng.choice([c for c in SURFACE_CLASSES[1:] if c != label])))
    return defects


def _textures(n: int, size: int, tone: np.ndarray, rng) -> np.ndarray:
    """Concrete-like grey textures: smooth blotches plus fine grain, (n, size, size) in [0, 1]."""
    from scipy.ndimage import zoom

    coarse = rng.normal(0, 1, (n, 8, 8))
    # zoom(coarse, (1, size / 8, size / 8), order=3), 15x faster: the cubic spline zoom is
    # linear and separable, so it is one (size, 8) matrix applied on each side
    spline = zoom(np.eye(8), (size / 8, 1), order=3)
    blotch = spline @ coarse @ spline.T
    grain = rng.normal(0, 1, (n, size, size))
    pores = (rng.random((n, size, size)) < 0.004) * -0.25
    return np.clip(tone[:, None, None] + 0.05 * blotch + 0.035 * grain + pores, 0, 1)


def _draw_defects(texture: np.ndarray, defects: list[str], rng):
    """Draw each defect into the texture and the mask; return image, mask, [(label, box)]."""
    size = texture.shape[0]
    gray = texture.copy()
    mask = np.zeros((size, size), dtype=np.uint8)
    found = []
    for label in defects:
        layer = Image.new("L", (size, size), 0)
        draw = ImageDraw.Draw(layer)
        shade = _DRAWERS[label](draw, size, rng)
        alpha = np.asarray(layer, dtype=float) / 255.0
        region = alpha > 0.5
        if not region.any():
            continue
        gray = gray * (1 - alpha) + shade(gray) * alpha
        mask[region] = SURFACE_CLASSES.index(label)
        rows, cols = np.nonzero(region)
        x0, x1, y0, y1 = cols.min(), cols.max() + 1, rows.min(), rows.max() + 1
        found.append((label, (x0 / size, y0 / size, (x1 - x0) / size, (y1 - y0) / size)))
    return gray, mask, found


def _crack(draw, size, rng):
    """A thin dark random walk: 1-2 px wide, 25-70 px long."""
    point = rng.uniform(0.2, 0.8, 2) * size
    angle = rng.uniform(0, 2 * np.pi)
    points = [tuple(point)]
    for _ in range(int(rng.integers(8, 20))):
        angle += rng.normal(0, 0.45)
        point = np.clip(point + 3.5 * np.array([np.cos(angle), np.sin(angle)]), 2, size - 3)
        points.append(tuple(point))
    draw.line(points, fill=255, width=int(rng.choice([1, 1, 2])))
    return lambda g: g * 0.35


def _scratch(draw, size, rng):
    """A long, nearly straight bright line."""
    a = rng.uniform(0.05, 0.95, 2) * size
    angle = rng.uniform(0, np.pi)
    length = rng.uniform(35, 90)
    b = np.clip(a + length * np.array([np.cos(angle), np.sin(angle)]), 1, size - 2)
    mid = (a + b) / 2 + rng.normal(0, 2, 2)
    draw.line([tuple(a), tuple(mid), tuple(b)], fill=255, width=1)
    return lambda g: np.minimum(g + 0.28, 1)


def _stain(draw, size, rng):
    """A soft dark blob (an ellipse with a feathered edge)."""
    centre = rng.uniform(0.2, 0.8, 2) * size
    radii = rng.uniform(7, 18, 2)
    for k, fill in [(1.0, 140), (0.8, 200), (0.6, 255)]:
        r = radii * k
        draw.ellipse([*(centre - r), *(centre + r)], fill=fill)
    return lambda g: g * 0.62 + 0.04


def _dent(draw, size, rng):
    """A round depression: darker on one side, lighter on the other."""
    centre = rng.uniform(0.2, 0.8, 2) * size
    r = rng.uniform(6, 13)
    draw.ellipse([*(centre - r), *(centre + r)], fill=255)
    yy, xx = np.mgrid[0:size, 0:size]
    ramp = ((xx - centre[0]) + (yy - centre[1])) / (2 * r)  # light from the top-left
    return lambda g: np.clip(g + 0.22 * ramp - 0.05, 0, 1)


_DRAWERS = {"crack": _crack, "scratch": _scratch, "stain": _stain, "dent": _dent}


def _apply_conditions(gray: np.ndarray, lighting: str, camera: str, rng) -> np.ndarray:
    """Camera tint and lighting: night is darker, noisier and flatter. Returns RGB uint8."""
    tint = {"A": (1.0, 1.0, 1.0), "B": (1.04, 1.0, 0.93), "C": (0.95, 0.99, 1.05)}[camera]
    image = gray[..., None] * np.array(tint)
    if lighting == "night":
        image = 0.12 + 0.42 * image + rng.normal(0, 0.045, image.shape)
    return (np.clip(image, 0, 1) * 255).astype(np.uint8)
