"""Notebook 01's exercises (measure): pixels per image, the effective-number ratio,
the most over-represented cell of a condition."""

from __future__ import annotations

import pandas as pd

from workbench import measure
from workbench.catalog import Catalog
from workbench.errors import Lacks, some
from workbench.exercises.model import _is_number


def _pixel_totals(catalog: Catalog) -> pd.Series:
    if "pixels" not in measure.available_units(catalog):
        raise Lacks("it has no masks, so there are no pixels to count (segmentation data has "
                    "them; try demo:surfaces).")
    total = measure.class_counts(catalog, unit="pixels").total
    return total[total > 0]


def _class_name_problem(answer, catalog: Catalog) -> str | None:
    classes = [str(c) for c in catalog.classes]
    if str(answer) not in classes:
        return f"{str(answer)!r} is not a class of this dataset; the classes: {some(classes, 8)}"
    return None


def _pixels_per_image(catalog: Catalog) -> pd.Series:
    """Per class but the background: its pixels / the images that contain it."""
    pixels = _pixel_totals(catalog)
    images = measure.class_counts(catalog).total.reindex(pixels.index)
    per_image = (pixels / images)[images > 0]
    if catalog.background is None:
        return per_image
    return per_image.drop(catalog.background, errors="ignore")


def _most_pixels_per_image(catalog: Catalog) -> str:
    per_image = _pixels_per_image(catalog)
    if not len(per_image):
        raise Lacks("no class but the background has pixels.")
    return str(per_image.idxmax())


def _pixels_per_image_diagnosis(answer, expected, catalog) -> str | None:
    if (problem := _class_name_problem(answer, catalog)) is not None:
        return problem
    if str(answer) == str(catalog.background):
        return f"{answer} is the background; leave it out"
    per_image = _pixels_per_image(catalog)
    totals = _pixel_totals(catalog).reindex(per_image.index)
    if str(answer) == str(totals.idxmax()):
        images = measure.class_counts(catalog).total[answer]
        return (f"{answer} has the most pixels in total ({int(totals[answer]):,}), spread over "
                f"{int(images):,} images; divide each class's pixels by its images")
    if str(answer) in per_image.index.astype(str):
        return (f"{answer} covers {per_image[answer]:,.0f} pixels per image it appears in; "
                "another class covers more")
    return None


def _pixels_per_image_explained(expected, catalog) -> str:
    per_image = _pixels_per_image(catalog).sort_values(ascending=False)
    images = measure.class_counts(catalog).total
    pixels = _pixel_totals(catalog)
    steps = "; ".join(f"{c} {int(pixels[c]):,} / {int(images[c]):,} = {v:,.0f}"
                      for c, v in per_image.items())
    fewest = measure.rarest_class(catalog)
    return (f"Divide each class's pixels (measure.class_counts(catalog, unit='pixels')) by "
            f"the images that contain it (measure.class_counts(catalog)): {steps}. "
            f"{expected} covers the most of each image it is in; {per_image.index[-1]} the "
            f"least, so a segmentation loss sees it least even where it is present (the "
            f"rarest in images is {fewest}).")


def _long_tail(catalog: Catalog):
    return measure.long_tail(measure.class_counts(catalog))


def _effective_ratio(catalog: Catalog) -> float:
    effective = _long_tail(catalog).effective_numbers
    effective = effective[effective > 0]
    return float(effective.max() / effective.min())


def _effective_ratio_diagnosis(answer, expected, catalog) -> str | None:
    if not _is_number(answer):
        return None
    tail = _long_tail(catalog)
    if abs(float(answer) - tail.imbalance_ratio) < 0.05:
        return (f"{tail.imbalance_ratio:.1f} is the ratio of the counts; take the ratio of "
                "their effective numbers, (1 - 0.999^n) / (1 - 0.999) for a class of n")
    if float(answer) < 1:
        return "that is the smallest over the largest; divide the largest by the smallest"
    if float(answer) > tail.imbalance_ratio:
        return (f"the effective numbers are never further apart than the counts "
                f"({tail.imbalance_ratio:.1f} to 1)")
    return None


def _effective_ratio_explained(expected, catalog) -> str:
    tail = _long_tail(catalog)
    effective = tail.effective_numbers[tail.effective_numbers > 0]
    big, small = effective.idxmax(), effective.idxmin()
    return (f"measure.long_tail(measure.class_counts(catalog)).effective_numbers: {big} "
            f"{int(tail.counts[big]):,} images count as {effective[big]:,.1f}, {small} "
            f"{int(tail.counts[small]):,} as {effective[small]:,.1f}; the ratio is "
            f"{expected:.1f} to 1, against {tail.imbalance_ratio:.1f} to 1 for the counts. "
            f"Each extra image of a large class adds less (beta^n of one), so effective numbers "
            f"shrink the imbalance that weights and plans built on them correct.")


def _second_row(catalog: Catalog) -> pd.Series:
    overview = measure.condition_overview(catalog)
    if len(overview) < 2:
        raise Lacks("it has fewer than two conditions with two or more values to test (add "
                    "a condition column such as lighting, camera or site).")
    return overview.iloc[1]


def _first_residuals(catalog: Catalog) -> tuple[str, pd.DataFrame]:
    """The condition the overview ranks second and its class x value residuals (the first
    is notebook 01's heatmap, where its residuals are printed)."""
    condition = str(_second_row(catalog)["condition"])
    residuals = measure.hidden_imbalance(catalog, condition).residuals
    return condition, residuals.rename(index=str, columns=str)


def _most_over(catalog: Catalog) -> tuple[str, str]:
    _, residuals = _first_residuals(catalog)
    cls, value = residuals.stack().idxmax()
    return (str(cls), str(value))


def _most_over_diagnosis(answer, expected, catalog) -> str | None:
    cls, value = map(str, answer)
    if (problem := _class_name_problem(cls, catalog)) is not None:
        return problem
    condition, residuals = _first_residuals(catalog)
    if value not in residuals.columns:
        return (f"{value!r} is not a value of {condition}, the condition ranked second; its "
                f"values: {some(list(residuals.columns))}")
    residual = float(residuals.loc[cls, value])
    if residual <= 0:
        return (f"{cls} @ {value} has fewer {cls} images than independence predicts "
                f"(residual {residual:+.1f}), not more")
    return (f"{cls} @ {value} is over-represented (residual {residual:+.1f}), but another cell "
            "more so")


def _most_over_explained(expected, catalog) -> str:
    condition, residuals = _first_residuals(catalog)
    cls, value = expected
    row = _second_row(catalog)
    return (f"measure.condition_overview(catalog) ranks the conditions; its second, "
            f"{condition} (p = {row['p_value']:.2g}), has the class x value table whose "
            f"adjusted residuals are measure.hidden_imbalance(catalog, {condition!r})"
            f".residuals. The largest, {residuals.loc[cls, value]:+.2f}, is at {cls} @ "
            f"{value}: more {cls} images at {value} than if {cls} followed the overall mix."
            + (" With two values the residuals of a class are equal and opposite: a deficit "
               "at one value is a surplus at the other." if residuals.shape[1] == 2 else "")
            + (f" With p = {row['p_value']:.2g} this may be chance: no cell of this data "
               "stands out clearly." if row["p_value"] > 0.05 else ""))
