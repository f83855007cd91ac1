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

from workbench.demo.digits import DIGITS_RATIO, digits_profile, make_digits
from workbench.demo.store import (
    DEFAULT_SIZES,
    DEMOS,
    GENERATOR_VERSION,
    data_home,
    demo_path,
    load_demo,
)
from workbench.demo.surfaces import (
    CAMERAS,
    NIGHT_SHARE,
    SURFACE_CLASSES,
    SURFACE_SHARES,
    make_surfaces,
)

__all__ = [
    "CAMERAS", "DEFAULT_SIZES", "DEMOS", "DIGITS_RATIO", "GENERATOR_VERSION", "NIGHT_SHARE",
    "SURFACE_CLASSES", "SURFACE_SHARES", "data_home", "demo_path", "digits_profile",
    "load_demo", "make_digits", "make_surfaces",
]
