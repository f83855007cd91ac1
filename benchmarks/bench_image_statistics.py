"""Per-image statistics for derived conditions: 10,000 640x480 JPEGs.

Peer: a plain loop that opens each image at full size with Pillow, converts it to grey
and computes the same numbers (mean, standard deviation, variance of the Laplacian,
dHash). Ours decodes each JPEG at a quarter scale (draft mode) on every core. Both read
the same files; no cache.
"""

import os
import sys
import tempfile
import time
from pathlib import Path

import numpy as np
import pandas as pd
from PIL import Image

sys.path.insert(0, str(Path(__file__).parent))
from table import Row, render

from workbench.catalog import Catalog
from workbench.conditions import dhash_bits, image_statistics, laplacian_variance

N_IMAGES, WIDTH, HEIGHT = 10_000, 640, 480


def write_photos(folder: Path, n: int, *, unique: int = 1000, seed: int = 0) -> list[Path]:
    """Smooth random scenes with grain (JPEGs of ~90 kB): ``unique`` distinct files, the
    rest hard links to them (both sides read every path; writing 10,000 takes minutes)."""
    rng = np.random.default_rng(seed)
    paths = []
    for k in range(n):
        paths.append(folder / f"{k:05d}.jpg")
        if k >= unique:
            os.link(paths[k % unique], paths[-1])
            continue
        small = rng.integers(0, 255, (12, 16, 3), dtype=np.uint8)
        image = np.asarray(Image.fromarray(small).resize((WIDTH, HEIGHT), Image.BICUBIC),
                           dtype=np.int16)
        image = np.clip(image + rng.integers(-12, 12, image.shape), 0, 255).astype(np.uint8)
        Image.fromarray(image).save(paths[-1], quality=90)
    return paths


def plain_loop(paths) -> np.ndarray:
    out = np.empty((len(paths), 4))
    for k, path in enumerate(paths):
        with Image.open(path) as im:
            grey = im.convert("L")
        pixels = np.asarray(grey, dtype=np.float32)
        bits = dhash_bits(grey)
        out[k] = (pixels.mean(), pixels.std(), laplacian_variance(pixels),
                  int(np.packbits(bits).view(">u8")[0]))
    return out


def rows() -> list[Row]:
    with tempfile.TemporaryDirectory(prefix="wb-bench-") as tmp:
        start = time.perf_counter()
        paths = write_photos(Path(tmp), N_IMAGES)
        size_mb = sum(p.stat().st_size for p in paths[:1000]) / 1000 / 1e3  # kB per image
        made = time.perf_counter() - start
        samples = pd.DataFrame({"filepath": [str(p) for p in paths], "width": WIDTH,
                                "height": HEIGHT}, index=[p.stem for p in paths])
        catalog = Catalog(samples, classes=["x"], task="detection", source=tmp)
        start = time.perf_counter()
        ours = image_statistics(catalog, progress=False)
        t_ours = time.perf_counter() - start
        start = time.perf_counter()
        peer = plain_loop(paths)
        t_peer = time.perf_counter() - start
    brightness_gap = np.abs(ours["brightness"].to_numpy() - peer[:, 0]).max()
    return [Row(f"image statistics, {N_IMAGES:,} JPEGs {WIDTH}x{HEIGHT} ({size_mb:.0f} kB)",
                t_ours, "plain Pillow loop at full size", t_peer, ("faster", 1.0),
                note=f"largest brightness difference {brightness_gap:.2f} grey levels; "
                f"{os.cpu_count()} cores; files written in {made:.0f} s")]


if __name__ == "__main__":
    print(render(rows()))
