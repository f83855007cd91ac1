"""Class-aware augmentation: stronger for rare classes, boxes and masks kept aligned.

Albumentations does the transforms (it declined class-conditional augmentation, its
issue #1661, so that part is ours and stays thin): a policy is a function of a
strength in [0, 1] returning an ``A.Compose`` with box and mask targets configured;
0 is the identity, 1 the strongest setting that still looks like a real photograph.
Per-class strengths come from the counts; an image's strength follows its rarest class.
"""

from __future__ import annotations

import json
import warnings
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import albumentations as A
import cv2
import numpy as np
import pandas as pd
from PIL import Image, UnidentifiedImageError

from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning, check_option, some
from workbench.measure import class_counts, image_class_pairs

FAMILIES = ("lighting", "blur", "noise", "cutout", "affine", "night")
DEFAULT_FAMILIES = ("lighting", "blur", "noise", "affine")
TASKS = ("classification", "detection", "segmentation")
LEVELS = 20  # strengths are rounded to 1/20: at most 21 policies are ever built


def _check_strength(strength: float, name: str = "strength") -> float:
    if not (isinstance(strength, (int, float, np.floating)) and 0 <= strength <= 1):
        raise ValueError(f"The {name!r} parameter must be a number in [0, 1]. "
                         f"Got {strength!r} instead.")
    return float(strength)


def _check_families(families: Sequence[str]) -> tuple[str, ...]:
    families = (families,) if isinstance(families, str) else tuple(families)
    for family in families:
        check_option("families", family, FAMILIES, func="policy")
    return families


def _transforms(family: str, s: float) -> list:
    """The Albumentations transforms of one family at strength ``s`` (0 < s <= 1)."""
    p = 0.5 + 0.5 * s  # stronger policies also apply more often
    if family == "lighting":
        return [A.RandomBrightnessContrast(brightness_limit=0.25 * s, contrast_limit=0.25 * s,
                                           p=p),
                A.RandomGamma(gamma_limit=(100 - 30 * s, 100 + 30 * s), p=p)]
    if family == "blur":
        k = 3 + 2 * int(round(2 * s))
        return [A.OneOf([A.GaussianBlur(blur_limit=0, sigma_limit=(0.1, 0.2 + 1.2 * s)),
                         A.MotionBlur(blur_limit=(3, k))], p=p)]
    if family == "noise":
        return [A.GaussNoise(std_range=(0.005, 0.01 + 0.06 * s), p=p)]
    if family == "cutout":
        return [A.CoarseDropout(num_holes_range=(1, 1 + int(round(3 * s))),
                                hole_height_range=(0.04, 0.04 + 0.12 * s),
                                hole_width_range=(0.04, 0.04 + 0.12 * s), fill=0, p=p)]
    if family == "affine":
        return [A.Affine(scale=(1 - 0.1 * s, 1 + 0.1 * s),
                         translate_percent=(-0.06 * s, 0.06 * s), rotate=(-12 * s, 12 * s),
                         mask_interpolation=cv2.INTER_NEAREST, fill=0, fill_mask=0, p=p)]
    # night: underexposed (gamma > 1 darkens mid-tones, keeps the order of the shadows),
    # flatter and noisier; what a low-light inspection camera records
    return [A.RandomGamma(gamma_limit=(100 + 20 * s, 100 + 70 * s), p=1.0),
            A.RandomBrightnessContrast(brightness_limit=(-0.08 * s, 0.0),
                                       contrast_limit=(-0.3 * s, -0.1 * s), p=1.0),
            A.GaussNoise(std_range=(0.02 * s, 0.05 * s), p=1.0)]


def policy(strength: float, *, families: Sequence[str] = DEFAULT_FAMILIES,
           task: str = "detection", min_visibility: float = 0.3,
           seed: int | None = None) -> A.Compose:
    """An Albumentations ``Compose`` at ``strength`` in [0, 1] (0 is the identity).

    Boxes are in Albumentations' relative (x_min, y_min, x_max, y_max) with a
    ``labels`` field; boxes that leave the image or keep less than ``min_visibility``
    of their area are dropped. Masks use nearest-neighbour interpolation, so class ids
    stay class ids.
    """
    s = _check_strength(strength)
    families = _check_families(families)
    check_option("task", task, TASKS, func="policy")
    transforms = [t for f in families for t in _transforms(f, s)] if s > 0 else []
    with warnings.catch_warnings():  # the identity has no transform for its box processor
        warnings.filterwarnings("ignore", message="Got processor for bboxes")
        return A.Compose(
            transforms,
            bbox_params=A.BboxParams(format="albumentations", label_fields=["labels"],
                                     min_visibility=min_visibility, clip=True),
            mask_interpolation=cv2.INTER_NEAREST, seed=seed, save_applied_params=True,
        )


def class_strengths(counts, *, strength: float = 1.0,
                    overrides: Mapping[str, float] | None = None) -> pd.Series:
    """Per class: ``strength`` scaled by rarity on a log scale, overridable per class.

    The largest class gets 0, the smallest ``strength``; in between,
    ``log(max / n) / log(max / min)``. Classes with no examples get ``strength``.
    """
    strength = _check_strength(strength)
    if hasattr(counts, "total"):
        counts = counts.total
    counts = pd.Series(dict(counts) if isinstance(counts, Mapping) else counts, dtype=float)
    present = counts[counts > 0]
    if len(present) and present.max() > present.min():
        rarity = np.log(present.max() / counts.clip(lower=present.min())) / np.log(
            present.max() / present.min())
    else:
        rarity = pd.Series(0.0, index=counts.index)
    out = (strength * rarity.clip(0, 1)).where(counts > 0, strength).rename("strength")
    for cls, value in (overrides or {}).items():
        if cls not in out.index:
            raise DataError(f"Override for unknown class {cls!r}; classes: {some(out.index)}.")
        out[cls] = _check_strength(value, f"overrides[{cls!r}]")
    return out


def image_strengths(catalog: Catalog, strengths: pd.Series) -> pd.Series:
    """Per image: the strength of its rarest (strongest) class; 0 with no class."""
    rows, codes = image_class_pairs(catalog)
    per_class = strengths.reindex(list(catalog.classes)).fillna(0).to_numpy()
    out = np.zeros(len(catalog))
    np.maximum.at(out, rows, per_class[codes])
    return pd.Series(out, index=catalog.samples.index, name="strength")


def _level(s: float) -> float:
    return round(s * LEVELS) / LEVELS


class ClassAwareAugmenter:
    """Online use: ``augmenter(image, boxes=..., labels=..., mask=..., label=...)``.

    The strength is that of the image's rarest class (from ``labels`` of the boxes, the
    mask's class ids and the image ``label``). Policies are built once per strength
    level (1/20 steps) and reused. The same ``seed`` gives the same sequence.
    """

    def __init__(self, strengths: pd.Series, classes: Sequence[str], *,
                 families: Sequence[str] = DEFAULT_FAMILIES, task: str = "detection",
                 seed: int = 0, min_visibility: float = 0.3):
        self.classes = list(classes)
        self.strengths = strengths.reindex(self.classes).fillna(0.0)
        self._by_name = {str(k): float(v) for k, v in self.strengths.items()}  # hot path
        self._by_id = self.strengths.to_numpy(dtype=float)
        self.families, self.task, self.min_visibility = _check_families(families), task, \
            min_visibility
        self._rng = np.random.default_rng(seed)
        self._policies: dict[float, A.Compose] = {}

    @classmethod
    def from_catalog(cls, catalog: Catalog, *, strength: float = 1.0, unit: str = "images",
                     overrides=None, **kwargs) -> ClassAwareAugmenter:
        strengths = class_strengths(class_counts(catalog, unit=unit), strength=strength,
                                    overrides=overrides)
        return cls(strengths, catalog.classes, task=catalog.task, **kwargs)

    def policy_for(self, strength: float) -> A.Compose:
        level = _level(strength)
        if level not in self._policies:
            self._policies[level] = policy(level, families=self.families, task=self.task,
                                           min_visibility=self.min_visibility,
                                           seed=int(self._rng.integers(2**31)))
        return self._policies[level]

    def strength_of(self, labels=(), mask=None, label=None) -> float:
        """The strength of the rarest class among box labels, image label and mask ids."""
        by_name = self._by_name
        best = max((by_name.get(str(x), 0.0) for x in labels), default=0.0)
        if label is not None:
            best = max(best, by_name.get(str(label), 0.0))
        if mask is not None:
            present = np.bincount(mask.ravel(), minlength=len(self._by_id))[:len(self._by_id)]
            best = max(best, float(self._by_id[present > 0].max(initial=0.0)))
        return best

    def __call__(self, image: np.ndarray, *, boxes=None, labels=(), mask=None, label=None):
        """Augment one sample; returns Albumentations' result dict (image, bboxes, labels,
        mask, applied_transforms)."""
        boxes = np.zeros((0, 4)) if boxes is None else np.asarray(boxes, dtype=float)
        if boxes.ndim != 2 or boxes.shape[1] != 4:
            raise ValueError(f"boxes must be an (n, 4) array of relative (x_min, y_min, "
                             f"x_max, y_max); got shape {boxes.shape}.")
        if len(boxes) and ((boxes < -1e-6) | (boxes > 1 + 1e-6)).any():
            raise ValueError("boxes must be relative (x_min, y_min, x_max, y_max) in [0, 1]; "
                             "pixel boxes? Divide by the image width and height first.")
        compose = self.policy_for(self.strength_of(labels, mask, label))
        data = {"image": image, "bboxes": boxes, "labels": list(labels)}
        if mask is not None:
            data["mask"] = mask
        return compose(**data)


# -- preview and materialise ---------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """Originals of one class next to augmented versions, with boxes and masks."""

    cls: str
    strength: float
    originals: list[dict]   # each: image, bboxes, labels, mask, sample_id
    augmented: list[list[dict]]  # per original: n results

    def to_frame(self) -> pd.DataFrame:
        rows = [{"sample_id": o["sample_id"], "version": v, "boxes": len(a["bboxes"]),
                 "transforms": ", ".join(t[0] for t in a.get("applied_transforms", []))}
                for o, augs in zip(self.originals, self.augmented, strict=True)
                for v, a in enumerate(augs)]
        return pd.DataFrame(rows)


def read_sample(catalog: Catalog, sample_id: str) -> dict:
    """One sample as arrays: image (RGB), relative corner boxes, box labels, mask."""
    row = catalog.samples.loc[sample_id]
    with Image.open(row["filepath"]) as im:
        image = np.asarray(im.convert("RGB"))
    objects = catalog.objects[catalog.objects["sample_id"] == sample_id]
    boxes = objects[["x", "y", "w", "h"]].to_numpy(float)
    corners = np.column_stack([boxes[:, 0], boxes[:, 1], boxes[:, 0] + boxes[:, 2],
                               boxes[:, 1] + boxes[:, 3]]) if len(boxes) else np.zeros((0, 4))
    mask = None
    if "mask_path" in catalog.samples.columns and pd.notna(row["mask_path"]):
        with Image.open(row["mask_path"]) as m:
            mask = np.asarray(m)
    label = row["label"] if "label" in row.index and pd.notna(row["label"]) else None
    return {"image": image, "bboxes": corners, "labels": objects["label"].astype(str).tolist(),
            "mask": mask, "label": label, "sample_id": sample_id}


def preview(catalog: Catalog, cls: str, *, n: int = 4, n_originals: int = 3,
            strength: float | None = None, seed: int = 0,
            families: Sequence[str] = DEFAULT_FAMILIES) -> Preview:
    """``n`` augmented versions of ``n_originals`` images containing ``cls``.

    ``strength`` defaults to the class's own strength from the counts (at global
    strength 1).
    """
    check_option("cls", cls, list(catalog.classes), func="preview")
    if strength is None:
        strength = float(class_strengths(class_counts(catalog))[cls])
    compose = policy(strength, families=families, task=catalog.task, seed=seed)
    rows, codes = image_class_pairs(catalog)
    ids = catalog.samples.index[np.unique(rows[codes == catalog.classes.index(cls)])]
    if not len(ids):
        raise DataError(f"No image contains {cls!r}; nothing to preview.")
    chosen = ids[np.random.default_rng(seed).permutation(len(ids))[:n_originals]]
    originals, augmented = [], []
    for sample_id in chosen:  # a handful of images
        sample = read_sample(catalog, sample_id)
        data = {k: sample[k] for k in ("image", "bboxes", "labels")}
        if sample["mask"] is not None:
            data["mask"] = sample["mask"]
        originals.append(sample)
        augmented.append([compose(**data) for _ in range(n)])
    return Preview(cls=cls, strength=float(strength), originals=originals, augmented=augmented)


def copies_per_image(count: int, extra: int, rng) -> np.ndarray:
    """How many extra copies each of ``count`` images gets: even, the rest without
    replacement (no image gets two more than another)."""
    base, rest = divmod(extra, count)
    copies = np.full(count, base, dtype=np.int64)
    copies[rng.permutation(count)[:rest]] += 1
    return copies


def materialize(catalog: Catalog, plan, out_dir, *, seed: int = 0,
                families: Sequence[str] = DEFAULT_FAMILIES, strength: float = 1.0,
                overwrite: bool = False) -> Catalog:
    """Write the extra copies a resampling plan asks for, augmented, into ``out_dir``.

    For each class whose planned count exceeds its image count, ``effective - count``
    augmented copies of its images are written (images, masks and boxes) with a
    manifest linking each copy to its ``source_id`` and the transform parameters used.
    Returns the Catalog of the copies (``read_manifest(out_dir / 'manifest.csv')``
    gives it back). The source dataset is never written; unreadable images are skipped
    and listed.
    """
    from workbench.sources.manifest import read_manifest, store_manifest
    from workbench.sources.output import new_output_dir

    if "label" not in catalog.samples.columns:
        raise DataError("materialize follows a plan over image labels; this Catalog has none.")
    out = new_output_dir(catalog, out_dir, overwrite=overwrite)
    (out / "images").mkdir(exist_ok=True)
    strengths = class_strengths(class_counts(catalog), strength=strength)
    rng = np.random.default_rng(seed)
    labels = catalog.samples["label"].astype(str)
    has_masks = "mask_path" in catalog.samples.columns
    if has_masks:
        (out / "masks").mkdir(exist_ok=True)
    rows, boxes, skipped = [], [], []
    for cls in plan.count.index:  # one step per class, then per copy
        extra = int(plan.effective[cls]) - int(plan.count[cls])
        if extra <= 0:
            continue
        members = catalog.samples.index[(labels == cls).to_numpy()]
        if not len(members):
            raise DataError(f"The plan asks for copies of {cls!r}, which has no images here.")
        copies = copies_per_image(len(members), extra, rng)
        compose = policy(float(strengths.get(cls, strength)), families=families,
                         task=catalog.task)
        for sample_id, k in zip(members, copies, strict=True):
            if not k:
                continue
            try:
                sample = read_sample(catalog, sample_id)
            except (UnidentifiedImageError, OSError):
                skipped.append(sample_id)
                continue
            for j in range(k):
                compose.set_random_seed(int(rng.integers(2**31)))
                data = {key: sample[key] for key in ("image", "bboxes", "labels")}
                if sample["mask"] is not None:
                    data["mask"] = sample["mask"]
                result = compose(**data)
                new_id = f"{sample_id}__aug{j:03d}"
                name = new_id.replace("/", "_")
                image_path = out / "images" / f"{name}.png"
                Image.fromarray(result["image"]).save(image_path)
                row = catalog.samples.loc[sample_id].to_dict()
                row.update(sample_id=new_id, filepath=str(image_path), source_id=sample_id,
                           transforms=_params_json(result.get("applied_transforms", [])))
                if has_masks and sample["mask"] is not None:
                    mask_path = out / "masks" / f"{name}.png"
                    Image.fromarray(result["mask"].astype(np.uint8)).save(mask_path)
                    row["mask_path"] = str(mask_path)
                rows.append(row)
                for label, (x0, y0, x1, y1) in zip(result["labels"], result["bboxes"],
                                                    strict=True):
                    boxes.append((new_id, label, x0, y0, x1 - x0, y1 - y0))
    if skipped:
        warnings.warn(f"{len(skipped)} images could not be read and got no copies: "
                      f"{some(skipped)}.", DataWarning, stacklevel=2)
    if not rows:
        raise DataError("The plan asks for no extra copies (no class is oversampled).")
    samples = pd.DataFrame(rows).set_index("sample_id")
    objects = pd.DataFrame(boxes, columns=["sample_id", "label", "x", "y", "w", "h"])
    objects = objects[(objects["w"] > 0) & (objects["h"] > 0)]
    pixels = None
    if has_masks:
        from workbench.sources.files import pixels_from_masks

        pixels = pixels_from_masks(samples, catalog.classes)
    copies_catalog = Catalog(samples, classes=catalog.classes, task=catalog.task,
                             objects=objects, pixels=pixels, conditions=catalog.conditions,
                             background=catalog.background, source=str(out))
    store_manifest(copies_catalog, out / "manifest.csv")
    return read_manifest(out / "manifest.csv")


def _params_json(applied) -> str:
    """The applied transforms as compact JSON (arrays as lists, floats rounded)."""
    def plain(value):
        if isinstance(value, np.ndarray):
            return np.round(value, 5).tolist()
        if isinstance(value, (np.floating, float)):
            return round(float(value), 5)
        if isinstance(value, (np.integer,)):
            return int(value)
        if isinstance(value, dict):
            return {k: plain(v) for k, v in value.items() if k != "shape"}
        if isinstance(value, (list, tuple)):
            return [plain(v) for v in value]
        return value
    return json.dumps([[name, plain(params)] for name, params in applied])


__all__ = ["FAMILIES", "ClassAwareAugmenter", "Preview", "class_strengths", "image_strengths",
           "materialize", "policy", "preview", "read_sample"]
