"""Augmentation policies: a strength in [0, 1] to an Albumentations pipeline with box and
mask targets; 0 is the identity, 1 the strongest that still looks like a photograph."""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import albumentations as A
import cv2
import numpy as np

from workbench.catalog_schema import TASKS
from workbench.errors import check_option, some

FAMILIES = ("lighting", "blur", "noise", "cutout", "affine", "night")


DEFAULT_FAMILIES = ("lighting", "blur", "noise", "affine")




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
    class ids stay class ids.

    Parameters
    ----------
    strength : float
        In [0, 1].
    families : sequence of str
        Transform families, from :data:`FAMILIES`.
    task : {"classification", "detection", "segmentation"}
        Detection adds a box processor.
    min_visibility : float
        Fraction of a box's area it must keep.
    seed : int, optional
        The same seed gives the same draws; None: unseeded.
    fill_mask : int
        The mask value for pixels a rotation brings in.

    Returns
    -------
    Policy
        An ``albumentations.Compose`` that records the applied transforms.

    Examples
    --------
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
    policy that has a box processor, a mask only when there is one.

    Parameters
    ----------
    compose : albumentations.Compose
        A :func:`policy`.
    sample : dict
        ``image``, and optionally ``bboxes`` (relative x_min, y_min, x_max, y_max),
        ``labels`` and ``mask``.

    Returns
    -------
    dict
        Albumentations' result, always with ``bboxes`` and ``labels``.
    """
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


def check_sample(image, *, boxes=None, labels=(), mask=None) -> dict:
    """A sample as the policies take it, or one clear error naming what is wrong.

    Images: uint8 (H, W) or (H, W, C), or float32 in [0, 1]; a 16-bit image is scaled to
    float32 in [0, 1], a float64 one in [0, 1] converted. Boxes: relative (x_min, y_min,
    x_max, y_max), one label each. Masks: integer class ids of the image's height and
    width.

    Parameters
    ----------
    image : array
        The image.
    boxes : array of shape (n, 4), optional
        Relative (0-1) x_min, y_min, x_max, y_max.
    labels : sequence
        One label per box.
    mask : array, optional
        Class ids, the image's height and width.

    Returns
    -------
    dict
        ``image``, ``bboxes``, ``labels`` (str), ``mask`` (uint8 or uint16, or None).
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
