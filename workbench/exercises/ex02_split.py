"""Notebook 02's exercises (split): how often a naive random split leaks groups and
starves val or test of the rarest class."""

from __future__ import annotations

import pandas as pd

from workbench import measure
from workbench.catalog import Catalog
from workbench.errors import Lacks
from workbench.exercises.model import _is_number

FRACTIONS = (0.7, 0.15, 0.15)


NAIVE_SEEDS = range(10)


def _naive(catalog: Catalog, seed: int, fractions) -> Catalog:
    from workbench.split import random_split

    return random_split(catalog, fractions=fractions, seed=seed)


def _groups(catalog: Catalog) -> int:
    if "group" not in catalog.samples.columns:
        raise Lacks("it has no group column (the video, site or asset each image comes "
                    "from): without groups nothing can leak.")
    groups = int(catalog.samples["group"].nunique())
    if groups == len(catalog):
        raise Lacks("each of its groups holds one image, so a split cannot put a group on "
                    "two sides: nothing can leak.")
    return groups


def _naive_leaks(catalog: Catalog, seed: int = 0, fractions=FRACTIONS) -> int:
    from workbench.split import split_report

    _groups(catalog)
    return len(split_report(_naive(catalog, seed, fractions)).leaking_groups)


def _leak_share(catalog: Catalog, seed: int = 0, fractions=FRACTIONS) -> float:
    return _naive_leaks(catalog, seed, fractions) / _groups(catalog)


def _leak_share_diagnosis(answer, expected, catalog, seed: int = 0,
                          fractions=FRACTIONS) -> str | None:
    if not _is_number(answer):
        return None
    leaks, groups = _naive_leaks(catalog, seed, fractions), _groups(catalog)
    if float(answer) == leaks and leaks > 1:
        return f"{leaks:,} is the number of leaking groups; divide it by the {groups:,} groups"
    if 1 < float(answer) <= 100 and abs(float(answer) / 100 - expected) < 0.005:
        return "that is a percentage; answer a share from 0 to 1"
    if float(answer) > 1:
        return "a share is between 0 and 1"
    return None


def _leak_share_explained(expected, catalog, seed: int = 0, fractions=FRACTIONS) -> str:
    leaks, groups = _naive_leaks(catalog, seed, fractions), _groups(catalog)
    return (f"split.random_split(catalog, fractions={list(fractions)}, seed={seed}) deals out "
            f"images one by one and ignores the group column; split_report(...)"
            f".leaking_groups lists the {leaks:,} groups with images in two or more splits, "
            f"of the {groups:,} (catalog.samples['group'].nunique()): {expected:.2f}. Their "
            f"near-duplicates are scored in validation or test after training on their "
            f"siblings; a grouped split keeps every group in one split.")


def _rare_held_out(catalog: Catalog, fractions) -> pd.Series:
    """Per seed of NAIVE_SEEDS: the fewest images of the rarest class in val or test."""
    rarest = measure.rarest_class(catalog)
    fewest = {}
    for seed in NAIVE_SEEDS:
        table = measure.class_counts(_naive(catalog, seed, fractions), by="split").table
        held = [s for s in table.columns if s != "train"]
        fewest[seed] = int(table.loc[rarest, held].min())
    return pd.Series(fewest, name=rarest)


def _naive_fewest_rare(catalog: Catalog, seed: int = 0, fractions=FRACTIONS) -> int:
    return int(_rare_held_out(catalog, fractions).min())


def _naive_fewest_rare_diagnosis(answer, expected, catalog, seed: int = 0,
                                 fractions=FRACTIONS) -> str | None:
    if not _is_number(answer):
        return None
    per_seed = _rare_held_out(catalog, fractions)
    if int(float(answer)) in per_seed.to_numpy() and float(answer) != expected:
        seeds = [s for s, v in per_seed.items() if v == int(float(answer))]
        return (f"that is the fewest with seed {seeds[0]}; another of the ten seeds leaves "
                "fewer")
    return None


def _naive_fewest_rare_explained(expected, catalog, seed: int = 0, fractions=FRACTIONS) -> str:
    per_seed = _rare_held_out(catalog, fractions)
    rarest = per_seed.name
    total = int(measure.class_counts(catalog).total[rarest])
    each = ", ".join(f"{s}: {v}" for s, v in per_seed.items())
    return (f"For each seed s in 0..9, measure.class_counts(split.random_split(catalog, "
            f"fractions={list(fractions)}, seed=s), by='split').table gives the images of "
            f"{rarest}, the rarest class ({total:,} images), per split; the fewer of val and "
            f"test, per seed: {each}. The fewest is {expected}, against the "
            f"{total * min(fractions[1:]):.1f} its smallest fraction asks for: a random "
            f"split gives a class its fraction only on average, and a stratified split every "
            f"time.")
