"""Notebook 05's exercises (evaluate): read the intervals of a classification report."""

from __future__ import annotations

import pandas as pd

from workbench.errors import Lacks, some
from workbench.exercises.model import _is_number


def _halfwidths(report, metric: str) -> pd.Series:
    """Half of each interval's width, from the bounds as notebook 05 prints them (two
    decimals): the answer a student works out from the table."""
    table = report.to_frame().query("support > 0")
    if not len(table):
        raise Lacks("no class has an image in the evaluated split.")
    high, low = table[f"{metric}_high"].round(2), table[f"{metric}_low"].round(2)
    return ((high - low) / 2).round(3).dropna()


F1_HALFWIDTH = 0.15


def _uncertain_f1(report) -> int:
    return int((_halfwidths(report, "f1") > F1_HALFWIDTH).sum())


def _uncertain_f1_diagnosis(answer, expected, report) -> str | None:
    if not _is_number(answer):
        return None
    half = _halfwidths(report, "f1")
    if float(answer) == (half > F1_HALFWIDTH / 2).sum() != expected:
        return ("that compares the whole width (f1_high - f1_low) with 0.15; +-0.15 is half "
                "of it")
    if float(answer) == len(report.uncertain(halfwidth=F1_HALFWIDTH)) != expected:
        return "that counts the recall intervals; use f1_low and f1_high"
    if float(answer) > len(half):
        return f"only {len(half)} classes have an F1 interval here"
    return None


def _uncertain_f1_explained(expected, report) -> str:
    half = _halfwidths(report, "f1").sort_values(ascending=False)
    each = ", ".join(f"{c} +-{w:.3f}" for c, w in half.items())
    return (f"Half the width of each class's F1 interval, (f1_high - f1_low) / 2 with the "
            f"bounds as notebook 05 prints them (two decimals): {each}. {expected} of "
            f"{len(half)} are wider than +-0.15. "
            f"F1 is a bootstrap over the evaluation images and moves with precision as well "
            f"as recall: its interval narrows as the class's images and the model's "
            f"predictions of it grow.")


def _widest_precision(report) -> str:
    return str(_halfwidths(report, "precision").idxmax())


def _widest_precision_diagnosis(answer, expected, report) -> str | None:
    table = report.to_frame()
    if str(answer) not in table.index.astype(str):
        return f"{str(answer)!r} is not a class of the report: {some(list(table.index))}"
    half = _halfwidths(report, "precision")
    rarest = str(table.query("support > 0").index[0])
    if str(answer) == rarest:
        return (f"{answer} has the fewest images, but precision is counted over the images "
                f"the model called {answer}, not over its images: compare precision_high - "
                "precision_low")
    if str(answer) in half.index.astype(str):
        return (f"{answer}'s precision interval is {2 * half[answer]:.2f} wide; another's is "
                "wider")
    return None


def _widest_precision_explained(expected, report) -> str:
    table = report.to_frame().query("support > 0")
    width = (2 * _halfwidths(report, "precision")).sort_values(ascending=False)
    each = ", ".join(f"{c} {w:.2f}" for c, w in width.items())
    rarest = table.index[0]
    return (f"precision_high - precision_low per class in report.to_frame(): {each}. "
            f"{expected} has the widest. Precision is a share of the images the model called "
            f"that class, so its interval narrows with the predictions, not with the class's "
            f"own images"
            + (f" (the rarest class, {rarest}, has {int(table.loc[rarest, 'support'])} "
               f"images)." if str(rarest) != expected else
               f". Here it is also the rarest class ({int(table.loc[rarest, 'support'])} "
               f"images): few images, and few predictions of it."))
