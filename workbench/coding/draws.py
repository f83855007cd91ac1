"""Random inputs shared by the coding exercises."""

from __future__ import annotations

CLASSES = ("car", "pedestrian", "bicycle", "bus", "scooter", "wheelchair", "stroller")


def long_tail_counts(rng, low: int = 2, high: int = 7, scale: int = 400) -> list[int]:
    """Class counts with a long tail: a few large, some small, sometimes ties.

    Parameters
    ----------
    rng : numpy.random.Generator
        The draws.
    low, high : int
        The number of classes is drawn in [low, high).
    scale : int
        Size of the counts.

    Returns
    -------
    list of int
        Counts, largest first.
    """
    k = int(rng.integers(low, high))
    return sorted((rng.pareto(1.0, k) * scale / 4 + 1).astype(int).tolist(), reverse=True)
