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
from PIL import Image

from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning, check_option, some, warn_data
from workbench.mask_values import mask_lookup
from workbench.measure import backdrop_class, class_counts, image_class_pairs
from workbench.sources.files import read_image
from workbench.sources.pixels import read_mask
from workbench.tally import per_class

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


def _transforms(family: str, s: float, fill_mask: int = 0) -> list:
    """The Albumentations transforms of one family at strength ``s`` (0 < s <= 1).

    ``fill_mask`` is the mask value of pixels a geometric transform brings in from
    outside the image: the ignore index, so they count in no class."""
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
                         mask_interpolation=cv2.INTER_NEAREST, fill=0, fill_mask=fill_mask,
                         p=p)]
    # night: underexposed (gamma > 1 darkens mid-tones, keeps the order of the shadows),
    # flatter and noisier; what a low-light inspection camera records
    return [A.RandomGamma(gamma_limit=(100 + 20 * s, 100 + 70 * s), p=1.0),
            A.RandomBrightnessContrast(brightness_limit=(-0.08 * s, 0.0),
                                       contrast_limit=(-0.3 * s, -0.1 * s), p=1.0),
            A.GaussNoise(std_range=(0.02 * s, 0.05 * s), p=1.0)]


def policy(strength: float, *, families: Sequence[str] = DEFAULT_FAMILIES,
           task: str = "detection", min_visibility: float = 0.3,
           seed: int | None = None, fill_mask: int = 0) -> Policy:
    """An Albumentations ``Compose`` at ``strength`` in [0, 1] (0 is the identity).

    For detection, call it with ``bboxes`` in Albumentations' relative (x_min, y_min,
    x_max, y_max) and their ``labels``: boxes that leave the image or keep less than
    ``min_visibility`` of their area are dropped. For classification and segmentation it
    takes an image (and a mask) alone. Masks use nearest-neighbour interpolation, so
    class ids stay class ids; ``fill_mask`` fills what a rotation brings in.

    >>> out = policy(0.5, task="segmentation", seed=0)(image=np.zeros((8, 8, 3), np.uint8),
    ...                                                 mask=np.zeros((8, 8), np.uint8))
    >>> sorted(out)
    ['applied_transforms', 'image', 'mask']
    """
    s = _check_strength(strength)
    families = _check_families(families)
    check_option("task", task, TASKS, func="policy")
    transforms = [t for f in families for t in _transforms(f, s, fill_mask)] if s > 0 else []
    boxes = (A.BboxParams(format="albumentations", label_fields=["labels"],
                          min_visibility=min_visibility, clip=True)
             if task == "detection" else None)
    with warnings.catch_warnings():  # the identity has no transform for its box processor
        warnings.filterwarnings("ignore", message="Got processor for bboxes")
        return Policy(transforms, bbox_params=boxes, mask_interpolation=cv2.INTER_NEAREST,
                      seed=seed, save_applied_params=True)


class Policy(A.Compose):
    """An Albumentations ``Compose`` that takes an image without boxes too: a detection
    policy called with ``image`` (and ``mask``) alone gets no boxes, not an error."""

    def __call__(self, *args, force_apply: bool = False, **data):
        if "bboxes" in self.processors and "bboxes" not in data:
            data["bboxes"], data["labels"] = np.zeros((0, 4)), []
        return super().__call__(*args, force_apply=force_apply, **data)


def apply(compose: A.Compose, sample: dict) -> dict:
    """Run ``compose`` on a sample dict (image, bboxes, labels, mask): boxes only go to a
    policy that has a box processor, a mask only when there is one."""
    data = {"image": sample["image"]}
    if "bboxes" in compose.processors:
        data["bboxes"] = sample.get("bboxes", np.zeros((0, 4)))
        data["labels"] = list(sample.get("labels", []))
    if sample.get("mask") is not None:
        data["mask"] = sample["mask"]
    result = compose(**data)
    result.setdefault("bboxes", np.zeros((0, 4)))
    result.setdefault("labels", [])
    return result


def class_strengths(counts, *, strength: float = 1.0,
                    overrides: Mapping[str, float] | None = None) -> pd.Series:
    """Per class: ``strength`` scaled by rarity on a log scale, overridable per class.

    The largest class gets 0, the smallest ``strength``; in between,
    ``log(max / n) / log(max / min)``. Classes with no examples get ``strength``.

    Parameters
    ----------
    counts : mapping, Series, labels or ClassCounts
        Examples per class (:func:`workbench.tally.per_class`), in any unit.
    strength : float
        The rarest class's strength, in [0, 1].
    overrides : mapping class -> float, optional
        Strengths set by hand, in [0, 1].

    Returns
    -------
    pandas.Series of float in [0, 1], per class, named "strength".

    Examples
    --------
    Counts 10x apart are equal steps on the log scale:

    >>> class_strengths({"car": 1000, "bus": 100, "wheelchair": 10}).to_dict()
    {'car': 0.0, 'bus': 0.5, 'wheelchair': 1.0}
    >>> class_strengths({"car": 1000, "bus": 100, "wheelchair": 10}, strength=0.8,
    ...                 overrides={"bus": 1.0}).to_dict()
    {'car': 0.0, 'bus': 1.0, 'wheelchair': 0.8}
    """
    strength = _check_strength(strength)
    counts = per_class(counts, func="class_strengths", whole=False)
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
    level (1/20 steps) and reused. The same ``seed`` gives the same sequence. A label
    that is not a class gets a warning (once per label), not a silent strength of 0.
    """

    def __init__(self, strengths: pd.Series, classes: Sequence[str], *,
                 families: Sequence[str] = DEFAULT_FAMILIES, task: str = "detection",
                 seed: int = 0, min_visibility: float = 0.3,
                 mask_values: Sequence[int] | None = None, ignore_index: int | None = 255):
        self.classes = list(classes)
        unknown = [c for c in strengths.index if str(c) not in set(map(str, self.classes))]
        if unknown:
            raise DataError(f"Strengths for {some(unknown)}, which are not classes "
                            f"({some(self.classes, n=20)}).")
        self.strengths = strengths.reindex(self.classes).fillna(0.0)
        self._by_name = {str(k): float(v) for k, v in self.strengths.items()}  # hot path
        mask_values = range(len(self.classes)) if mask_values is None else mask_values
        lookup = mask_lookup(list(mask_values), ignore_index, 255)
        self._by_value = np.where(lookup >= 0, self.strengths.to_numpy(float)[lookup], 0.0)
        self.families, self.task, self.min_visibility = _check_families(families), task, \
            min_visibility
        self.fill_mask = ignore_index if ignore_index is not None else 0
        self._rng = np.random.default_rng(seed)
        self._policies: dict[float, A.Compose] = {}
        self._warned: set[str] = set()

    @classmethod
    def from_catalog(cls, catalog: Catalog, *, strength: float = 1.0, unit: str = "images",
                     overrides=None, **kwargs) -> ClassAwareAugmenter:
        strengths = class_strengths(class_counts(catalog, unit=unit), strength=strength,
                                    overrides=overrides)
        return cls(strengths, catalog.classes, task=catalog.task,
                   mask_values=catalog.mask_values, ignore_index=catalog.ignore_index, **kwargs)

    def policy_for(self, strength: float) -> A.Compose:
        level = _level(strength)
        if level not in self._policies:
            self._policies[level] = policy(level, families=self.families, task=self.task,
                                           min_visibility=self.min_visibility,
                                           seed=int(self._rng.integers(2**31)),
                                           fill_mask=self.fill_mask)
        return self._policies[level]

    def strength_of(self, labels=(), mask=None, label=None) -> float:
        """The strength of the rarest class among box labels, image label and mask ids."""
        by_name = self._by_name
        names = [str(x) for x in labels] + ([str(label)] if label is not None else [])
        found = [by_name.get(x) for x in names]
        if None in found:
            self._warn_unknown({x for x, v in zip(names, found, strict=True) if v is None})
        best = max((v for v in found if v is not None), default=0.0)
        if mask is not None:
            values = np.flatnonzero(np.bincount(np.asarray(mask).ravel()))
            values = values[values < len(self._by_value)]
            best = max(best, float(self._by_value[values].max(initial=0.0)))
        return best

    def _warn_unknown(self, names: set[str]) -> None:
        new = sorted(names - self._warned)
        if new:
            self._warned |= set(new)
            warn_data(f"Labels {some(new)} are not classes of this augmenter "
                      f"({some(self.classes, n=20)}): they add no strength. Check the label "
                      "names, or build the augmenter from the same Catalog.")

    def __call__(self, image: np.ndarray, *, boxes=None, labels=(), mask=None, label=None):
        """Augment one sample; returns Albumentations' result dict (image, bboxes, labels,
        mask, applied_transforms)."""
        sample = check_sample(image, boxes=boxes, labels=labels, mask=mask)
        compose = self.policy_for(self.strength_of(sample["labels"], sample["mask"], label))
        return apply(compose, sample)


def check_sample(image, *, boxes=None, labels=(), mask=None) -> dict:
    """A sample as the policies take it, or one clear error naming what is wrong.

    Images: uint8 (H, W) or (H, W, C), or float32 in [0, 1]; a 16-bit image is scaled to
    float32 in [0, 1], a float64 one in [0, 1] converted. Boxes: relative (x_min, y_min,
    x_max, y_max), one label each. Masks: integer class ids of the image's height and
    width.
    """
    image = np.asarray(image)
    if image.dtype == np.uint16:
        image = (image / 65535.0).astype(np.float32)
    elif image.dtype in (np.float64, np.float16):
        image = image.astype(np.float32)
    if image.dtype == np.float32 and image.size and (image.min() < 0 or image.max() > 1):
        raise ValueError(
            f"A float image must hold values in [0, 1]; this one spans {image.min():g} to "
            f"{image.max():g}. Pass uint8 pixels, or divide by 255 first."
        )
    if image.dtype not in (np.uint8, np.float32) or image.ndim not in (2, 3):
        raise ValueError(f"Images are uint8 or float32 arrays of shape (H, W) or (H, W, C); "
                         f"got {image.dtype} of shape {image.shape}.")
    boxes = np.zeros((0, 4)) if boxes is None else np.asarray(boxes, dtype=float)
    labels = [str(x) for x in labels]
    if boxes.ndim != 2 or boxes.shape[1] != 4:
        raise ValueError(f"boxes must be an (n, 4) array of relative (x_min, y_min, "
                         f"x_max, y_max); got shape {boxes.shape}.")
    if len(labels) != len(boxes):
        raise ValueError(f"{len(boxes)} boxes and {len(labels)} labels: give one label per "
                         "box, in the same order.")
    if len(boxes) and ((boxes < -1e-6) | (boxes > 1 + 1e-6)).any():
        raise ValueError("boxes must be relative (x_min, y_min, x_max, y_max) in [0, 1]; "
                         "pixel boxes? Divide by the image width and height first.")
    inverted = np.flatnonzero((boxes[:, 2] <= boxes[:, 0]) | (boxes[:, 3] <= boxes[:, 1]))
    if len(inverted):
        raise ValueError(f"Boxes {some(inverted)} have x_max <= x_min or y_max <= y_min (e.g. "
                         f"{boxes[inverted[0]].tolist()}); corners go (x_min, y_min, x_max, "
                         "y_max). From (x, y, w, h), add w and h.")
    if mask is not None:
        mask = np.asarray(mask)
        if mask.dtype.kind == "f":
            if not np.array_equal(mask, np.round(mask)):
                raise ValueError("A mask holds integer class ids; this float mask has "
                                 "fractions (a resized or soft mask?). Round it or re-export.")
            mask = mask.astype(np.int64)
        if mask.dtype.kind not in "iub" or (mask.size and mask.min() < 0):
            raise ValueError(f"A mask holds non-negative integer class ids; got {mask.dtype}"
                             + (f" with minimum {mask.min()}" if mask.dtype.kind in "iu" else "")
                             + ". Map ignored pixels to the ignore index (e.g. 255).")
        if mask.shape[:2] != image.shape[:2]:
            raise ValueError(f"The mask is {mask.shape[1]}x{mask.shape[0]} but the image is "
                             f"{image.shape[1]}x{image.shape[0]}; a mask must have its "
                             "image's size.")
        if mask.dtype.kind != "u" or mask.dtype.itemsize > 2:
            mask = mask.astype(np.uint16 if mask.max(initial=0) > 255 else np.uint8)
    return {"image": image, "bboxes": boxes, "labels": labels, "mask": mask}


# -- preview and materialise ---------------------------------------------------------------


@dataclass(frozen=True)
class Preview:
    """Originals of one class next to augmented versions, with boxes and masks.

    ``classes``, ``mask_values`` and ``ignore_index`` say what the mask values mean, so
    a figure can colour each class.
    """

    cls: str
    strength: float
    originals: list[dict]   # each: image, bboxes, labels, mask, sample_id
    augmented: list[list[dict]]  # per original: n results
    classes: tuple[str, ...] = ()
    mask_values: tuple[int, ...] = ()
    ignore_index: int | None = 255
    untinted: str | None = None  # the class a figure leaves untinted (background, road)

    def to_frame(self) -> pd.DataFrame:
        rows = [{"sample_id": o["sample_id"], "version": v, "boxes": len(a["bboxes"]),
                 "transforms": ", ".join(t[0] for t in a.get("applied_transforms", []))}
                for o, augs in zip(self.originals, self.augmented, strict=True)
                for v, a in enumerate(augs)]
        return pd.DataFrame(rows)


def read_sample(catalog: Catalog, sample_id: str) -> dict:
    """One sample as arrays: the image as the user sees it (RGB uint8, EXIF rotation
    applied, 16-bit scaled), relative corner boxes, box labels, the stored mask."""
    row = catalog.samples.loc[sample_id]
    image = read_image(row["filepath"])
    objects = catalog.objects[catalog.objects["sample_id"] == sample_id]
    boxes = objects[["x", "y", "w", "h"]].to_numpy(float)
    corners = np.column_stack([boxes[:, 0], boxes[:, 1], boxes[:, 0] + boxes[:, 2],
                               boxes[:, 1] + boxes[:, 3]]) if len(boxes) else np.zeros((0, 4))
    mask = None
    if "mask_path" in catalog.samples.columns and pd.notna(row["mask_path"]):
        mask = read_mask(row["mask_path"])
        mask = mask.astype(np.uint16 if mask.max(initial=0) > 255 else np.uint8)
    label = row["label"] if "label" in row.index and pd.notna(row["label"]) else None
    return {"image": image, "bboxes": corners, "labels": objects["label"].astype(str).tolist(),
            "mask": mask, "label": label, "sample_id": sample_id}


def fill_value(catalog: Catalog) -> int:
    """The mask value for pixels a rotation brings in: the ignore index (else 0)."""
    return catalog.ignore_index if catalog.ignore_index is not None else 0


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
    compose = policy(strength, families=families, task=catalog.task, seed=seed,
                     fill_mask=fill_value(catalog))
    rows, codes = image_class_pairs(catalog)
    ids = catalog.samples.index[np.unique(rows[codes == catalog.classes.index(cls)])]
    if not len(ids):
        raise DataError(f"No image contains {cls!r}; nothing to preview.")
    chosen = ids[np.random.default_rng(seed).permutation(len(ids))[:n_originals]]
    originals, augmented = [], []
    for sample_id in chosen:  # a handful of images
        sample = read_sample(catalog, sample_id)
        originals.append(sample)
        augmented.append([apply(compose, sample) for _ in range(n)])
    return Preview(cls=cls, strength=float(strength), originals=originals, augmented=augmented,
                   classes=tuple(catalog.classes), mask_values=tuple(catalog.mask_values),
                   ignore_index=catalog.ignore_index, untinted=backdrop_class(catalog))


def copies_per_image(count: int, extra: int, rng) -> np.ndarray:
    """How many extra copies each of ``count`` images gets: even, the rest without
    replacement (no image gets two more than another)."""
    base, rest = divmod(extra, count)
    copies = np.full(count, base, dtype=np.int64)
    copies[rng.permutation(count)[:rest]] += 1
    return copies


def copy_table(keys: pd.Series, plan, rng) -> pd.DataFrame:
    """One row per copy to write: ``source_id``, ``copy`` (0, 1, ...), ``key``.

    Each key (class) whose plan exceeds its images gets ``effective - count`` copies,
    spread evenly over its images (:func:`copies_per_image`).
    """
    parts = []
    for cls in plan.count.index:  # one step per class
        extra = int(plan.effective[cls]) - int(plan.count[cls])
        if extra <= 0:
            continue
        members = keys.index[(keys.astype(str) == str(cls)).to_numpy()]
        if not len(members):
            raise DataError(f"The plan asks for copies of {cls!r}, which has no images here. "
                            "Make the plan from this Catalog's sampling keys.")
        copies = copies_per_image(len(members), extra, rng)
        source = np.repeat(members.to_numpy(dtype=object), copies)
        index = np.concatenate([np.arange(k) for k in copies]) if len(source) else []
        parts.append(pd.DataFrame({"source_id": source, "copy": index, "key": str(cls)}))
    if not parts:
        raise DataError("The plan asks for no extra copies (no class is oversampled).")
    return pd.concat(parts, ignore_index=True)


def materialize(catalog: Catalog, plan, out_dir, *, seed: int = 0,
                families: Sequence[str] = DEFAULT_FAMILIES, strength: float = 1.0,
                overwrite: bool = False) -> Catalog:
    """Write the extra copies a resampling plan asks for, augmented, into ``out_dir``.

    The plan counts images by their sampling key (:func:`workbench.sample.sampling_keys`:
    the image label, or the rarest class the image contains). For each key whose planned
    count exceeds its images, ``effective - count`` augmented copies of its images are
    written (images, masks and boxes), at the key's strength from the plan's counts.
    A manifest links each copy to its ``source_id`` and records the transforms applied
    with their scalar parameters (not noise maps or other arrays). Returns the Catalog of
    the copies (``read_manifest(out_dir / 'manifest.csv')`` gives it back). The source
    dataset is never written; unreadable images are skipped and listed.
    """
    from workbench.sample import sampling_keys
    from workbench.sources.manifest import read_manifest, store_manifest
    from workbench.sources.output import new_output_dir, unique_file_names
    from workbench.sources.pixels import pixels_from_masks

    rng = np.random.default_rng(seed)
    table = copy_table(sampling_keys(catalog), plan, rng)
    out = new_output_dir(catalog, out_dir, overwrite=overwrite)
    (out / "images").mkdir(exist_ok=True)
    has_masks = catalog.has_masks
    if has_masks:
        (out / "masks").mkdir(exist_ok=True)
    strengths = class_strengths(plan.count, strength=strength)
    table["sample_id"] = [f"{s}__aug{j:03d}" for s, j in zip(table["source_id"], table["copy"],
                                                             strict=True)]
    table["name"] = unique_file_names(table["sample_id"])
    rows, boxes, skipped = [], [], []
    for key, group in table.groupby("key", sort=False):  # one policy per class
        compose = policy(float(strengths.get(key, strength)), families=families,
                         task=catalog.task, fill_mask=fill_value(catalog))
        for source_id, copies in group.groupby("source_id", sort=False):
            try:
                sample = read_sample(catalog, source_id)
            except DataError:
                skipped.append(source_id)
                continue
            for copy in copies.itertuples():  # one file written per copy
                compose.set_random_seed(int(rng.integers(2**31)))
                result = apply(compose, sample)
                image_path = out / "images" / f"{copy.name}.png"
                Image.fromarray(result["image"]).save(image_path)
                row = catalog.samples.loc[source_id].to_dict()
                row.update(sample_id=copy.sample_id, filepath=str(image_path),
                           source_id=source_id, key=key,
                           width=result["image"].shape[1], height=result["image"].shape[0],
                           transforms=transform_record(result.get("applied_transforms", [])))
                if has_masks and sample["mask"] is not None:
                    mask_path = out / "masks" / f"{copy.name}.png"
                    Image.fromarray(result["mask"]).save(mask_path)
                    row["mask_path"] = str(mask_path)
                rows.append(row)
                boxes += [(copy.sample_id, label, x0, y0, x1 - x0, y1 - y0) for label, (
                    x0, y0, x1, y1) in zip(result["labels"], result["bboxes"], strict=True)]
    if skipped:
        warnings.warn(f"{len(skipped)} images could not be read and got no copies: "
                      f"{some(skipped)}.", DataWarning, stacklevel=2)
    if not rows:
        raise DataError("No copy could be written: every image the plan oversamples is "
                        "unreadable.")
    samples = pd.DataFrame(rows).set_index("sample_id")
    objects = pd.DataFrame(boxes, columns=["sample_id", "label", "x", "y", "w", "h"])
    objects = objects[(objects["w"] > 0) & (objects["h"] > 0)]
    pixels = (pixels_from_masks(samples, catalog.classes, mask_values=catalog.mask_values,
                                ignore_index=catalog.ignore_index) if has_masks else None)
    copies_catalog = Catalog(samples, classes=catalog.classes, task=catalog.task,
                             objects=objects, pixels=pixels, conditions=catalog.conditions,
                             background=catalog.background, mask_values=catalog.mask_values,
                             ignore_index=catalog.ignore_index, source=str(out))
    store_manifest(copies_catalog, out / "manifest.csv")
    return read_manifest(out / "manifest.csv")


def transform_record(applied) -> str:
    """The applied transforms as compact JSON: each name with its scalar parameters.

    Arrays (a noise map is as large as the image) are left out, so a manifest of
    thousands of copies stays small.

    >>> transform_record([("GaussNoise", {"noise_map": np.zeros((512, 512)), "std": 0.0312})])
    '[["GaussNoise", {"std": 0.0312}]]'
    """
    def scalar(value):
        return isinstance(value, (bool, int, float, str, np.integer, np.floating)) \
            or value is None

    def plain(value):
        if isinstance(value, (np.floating, float)):
            return round(float(value), 5)
        if isinstance(value, np.integer):
            return int(value)
        return value

    record = []
    for name, params in applied:
        kept = {k: plain(v) for k, v in (params or {}).items() if scalar(v)}
        kept |= {k: [plain(x) for x in v] for k, v in (params or {}).items()
                 if isinstance(v, (list, tuple)) and 0 < len(v) <= 8 and all(map(scalar, v))}
        record.append([name, kept])
    return json.dumps(record)


__all__ = ["FAMILIES", "ClassAwareAugmenter", "Preview", "class_strengths", "image_strengths",
           "materialize", "policy", "preview", "read_sample"]
