"""``demo:surfaces``: procedurally drawn surface-inspection images with rare cracks, their
masks and boxes, lighting and camera conditions, and assets as groups (see
:mod:`workbench.demo`).
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image, ImageDraw

from workbench.apportion import largest_remainder
from workbench.catalog import Catalog
from workbench.demo.png import PNG_LEVEL
from workbench.sources.manifest import store_manifest
from workbench.sources.pixels import pixels_table

SURFACE_CLASSES = ("intact", "crack", "scratch", "stain", "dent")
# Share of images per image-level label: intact:crack = 0.825:0.025 = 33:1.
SURFACE_SHARES = {"intact": 0.825, "scratch": 0.075, "stain": 0.045, "dent": 0.03,
                  "crack": 0.025}
NIGHT_SHARE = {"crack": 0.08, "default": 0.3}
CAMERAS = (("A", 0.5), ("B", 0.3), ("C", 0.2))


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
