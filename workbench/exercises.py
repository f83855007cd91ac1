"""Answer checkers and worked solutions for the exercises posed in the notebooks.

Each exercise computes its expected answer from the dataset at hand, so the same
exercise works on the demo data and on a reader's own data::

    check("01.pixels_per_image", "crack", catalog)
    check("03.exercise_1", {"Car": 2167, ...})          # posed with its own numbers
    check("06.exercise_2", playbook)                    # the collection playbook
    solution("03.exercise_1")                           # the answer, worked out
    pose("01.pixels_per_image")                         # the question, as Markdown
    solutions_report(catalog, report)                   # every solution, for a teacher

A wrong answer is told what is wrong with it where that can be said ("Wheelchair is
over the 5x cap (1,501 > 1,500)"), else given the hint; an answer of the wrong shape
(a list for a dict) is told the shape to give; an exercise the data cannot pose says
what the data lacks.
"""

from __future__ import annotations

import functools
import math
from collections import Counter
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from workbench import measure
from workbench.answers import read_answer
from workbench.catalog import Catalog
from workbench.errors import DataError, Lacks, Missing, some


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer; ``details`` lists the problems when there are several."""

    exercise: str
    correct: bool | None  # None: not answered yet, or the exercise does not apply
    message: str
    details: tuple[str, ...] = ()

    def __repr__(self) -> str:
        mark = {True: "correct", False: "not yet", None: "to do"}[self.correct]
        return f"[{self.exercise}: {mark}] {self.message}" + "".join(
            f"\n  - {d}" for d in self.details)

    def _repr_html_(self) -> str:
        import html

        colour = {True: "#2a9d8f", False: "#e76f51", None: "#888"}[self.correct]
        items = "".join(f"<li>{html.escape(d)}</li>" for d in self.details)
        return (f"<div style='border-left:4px solid {colour};padding:4px 8px'>"
                f"<b>{self.exercise}</b>: {html.escape(self.message)}"
                f"{f'<ul>{items}</ul>' if items else ''}</div>")


@dataclass(frozen=True)
class Exercise:
    """One exercise: the question, its hints, and how its answer is worked out and judged.

    - ``code``: the expression that computes the answer, shown only on request
      (:func:`hint`); the feedback escalates through ``concept`` (after a second wrong
      answer) and ``method`` (after a third) and never shows it.
    - ``form``: how to give the answer, shown while it is unanswered (a dict to start
      from, ...).
    - ``decimals``: a number answer is right when it is within half a unit of that decimal
      place of the expected one (the question says "to one decimal"); None: exact.
    - ``params``: the notebook parameters the answer depends on, with their defaults; the
      question names them as ``{seed}``, and ``expected``, ``diagnose`` and ``explain``
      take them as keywords (:func:`check` passes the student's values).

    - ``expected(data)``: the answer, computed from what the exercise is posed on (see
      ``needs``); it raises :class:`~workbench.errors.Lacks` (or returns None) where
      the data cannot pose the exercise.
    - ``problems(answer, expected, data)``: what is wrong with an answer (empty:
      correct), for exercises that accept more than one answer; by default the answer
      must equal the expected one.
    - ``diagnose(answer, expected, data)``: why an unequal answer is wrong, where that
      can be said; else the feedback gives the hint.
    - ``explain(expected, data)``: the worked explanation, for :func:`solution`.
    - ``needs``: what the exercise is computed from: ``"catalog"``, ``"report"`` (a
      classification report) or None (it carries its own numbers).
    - ``confirm(answer)``: the line a correct answer gets (default: ``yes: answer``).
    - ``uses_predictions``: ``expected`` also takes ``predictions=`` (a model's
      predictions; None: it trains the baseline probe).
    """

    question: str
    code: str
    expected: Callable[[object], object]
    problems: Callable[[object, object, object], list[str]] | None = None
    diagnose: Callable[[object, object, object], str | None] | None = None
    explain: Callable[[object, object], str] | None = None
    needs: str | None = "catalog"
    confirm: Callable[[object], str] | None = None
    uses_predictions: bool = False
    form: str = ""
    concept: str = ""
    method: str = ""
    params: Mapping[str, object] = field(default_factory=dict)
    decimals: int | None = None  # a number answer rounds to the expected at this precision


def _n(value) -> str:
    """2000 -> '2,000'; 2166.667 -> '2,166.67'."""
    value = round(float(value), 2)
    return f"{value:,.0f}" if value == int(value) else f"{value:,.2f}".rstrip("0")


# -- 01 measure --------------------------------------------------------------------------------


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


# -- 02 split ------------------------------------------------------------------------------------


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


# -- 03 sample -----------------------------------------------------------------------------------


SEED_EXERCISE_1 = {"Car": 6000, "Pedestrian": 2500, "Bicycle": 1200, "Wheelchair": 300}
WORKED_EXAMPLE = {"Background": 50000, "Crack": 1500}


def _exercise_1_plan():
    from workbench.sample import plan_resampling

    return plan_resampling(SEED_EXERCISE_1, total=8000, max_oversample=5)


def _worked_example_plan():
    from workbench.sample import plan_resampling

    return plan_resampling(WORKED_EXAMPLE, total=32500, max_oversample=5, min_keep=0.5)


def _limits(plan) -> tuple[pd.Series, pd.Series]:
    """Per class, the fewest and the most draws per epoch the plan's limits allow."""
    lo = np.ceil(plan.count * plan.min_keep - 1e-9).astype("int64")
    hi = np.floor(plan.count * plan.max_oversample + 1e-9).astype("int64")
    return lo, hi


def _exact_shares(plan) -> pd.Series:
    """Each class's unrounded draws: a bound class at its limit; the others share what
    the limits leave in proportion to their priority."""
    free = plan.binding == "none"
    exact = plan.effective.astype(float)
    if free.any():
        left = plan.total - plan.effective[~free].sum()
        weights = plan.priority[free]
        exact[free] = left * weights / weights.sum()
    return exact


def allowed_counts(plan) -> dict[str, tuple[int, ...]]:
    """Per class, the draws a correct answer may give: exactly the limit for a class its
    cap or floor holds; for the others, the share they split, or when that share has a
    fraction, its floor or its ceiling (the answer must still sum to the total).

    >>> allowed_counts(_exercise_1_plan())
    {'Car': (2166, 2167), 'Pedestrian': (2166, 2167), 'Bicycle': (2166, 2167),
     'Wheelchair': (1500,)}
    """
    exact = _exact_shares(plan)
    out = {}
    for cls, value in exact.items():
        if plan.binding[cls] != "none" or abs(value - round(value)) < 1e-9:
            out[str(cls)] = (int(round(value)),)
        else:
            out[str(cls)] = (math.floor(value), math.ceil(value))
    return out


def _plan_problems(answer: Mapping, plan) -> list[str]:
    """What keeps ``answer`` ({class: draws per epoch}) from being ``plan``."""
    classes = [str(c) for c in plan.count.index]
    answer = {str(k): v for k, v in answer.items()}
    problems = []
    missing = [c for c in classes if c not in answer]
    extra = [c for c in answer if c not in classes]
    if missing:
        problems.append(f"your plan lacks {some(missing)}: every class is drawn each epoch")
    if extra:
        problems.append(f"{some(extra)} {'is' if len(extra) == 1 else 'are'} not among the "
                        f"classes ({some(classes)})")
    counts = {}
    for cls in classes:
        if cls not in answer:
            continue
        value = answer[cls]
        if not _is_number(value) or float(value) != int(float(value)):
            problems.append(f"{cls}: {value!r} is not a whole number of samples")
        else:
            counts[cls] = int(float(value))
    if problems:
        return problems
    total = sum(counts.values())
    if total != plan.total:
        problems.append(f"your plan sums to {total:,}, not {plan.total:,}")
    lo, hi = _limits(plan)
    allowed = allowed_counts(plan)
    exact = _exact_shares(plan)
    free = [str(c) for c in plan.binding.index[plan.binding == "none"]]
    left = plan.total - sum(int(plan.effective[c]) for c in classes if c not in free)
    share = "an equal share" if plan.priority[free].nunique() <= 1 else "its priority's share"
    cap = f"{plan.max_oversample:g}x cap"
    unequal = []
    for cls in classes:
        n = counts[cls]
        if n > hi[cls]:
            problems.append(f"{cls} is over the {cap} ({n:,} > {int(hi[cls]):,})")
        elif n < lo[cls]:
            problems.append(f"{cls} is below the floor of keeping {plan.min_keep:.0%} "
                            f"({n:,} < {int(lo[cls]):,})")
        elif plan.binding[cls] == "cap" and n < hi[cls]:
            problems.append(f"{cls} is held back ({n:,}): it may be drawn up to "
                            f"{plan.max_oversample:g}x ({int(hi[cls]):,}), and balancing needs "
                            "all of it")
        elif plan.binding[cls] == "floor" and n > lo[cls]:
            problems.append(f"{cls} keeps more than balancing needs ({n:,}): it may drop to "
                            f"{int(lo[cls]):,}")
        elif n not in allowed[cls]:
            unequal.append(cls)
    if unequal:
        named = ", ".join(f"{c} ({counts[c]:,})" for c in unequal)
        rounding = (f" ({_n(exact[unequal[0]])} each: round it down or up)"
                    if len(allowed[unequal[0]]) > 1 and total == plan.total
                    and plan.priority[free].nunique() <= 1
                    and all(abs(counts[c] - exact[c]) < 2 for c in unequal) else "")
        problems.append(f"{named}: not {share} of what the limits leave; the "
                        f"{len(free)} classes no limit holds share {left:,}{rounding}")
    return problems


def _explain_plan(plan) -> str:
    """How a capped plan is worked out by hand, in its own numbers."""
    classes = [str(c) for c in plan.count.index]
    equal = plan.total / len(classes)
    lo, hi = _limits(plan)
    capped = [c for c in classes if plan.binding[c] == "cap"]
    floored = [c for c in classes if plan.binding[c] == "floor"]
    free = [c for c in classes if plan.binding[c] == "none"]
    parts = [f"An equal split gives {plan.total:,} / {len(classes)} = {_n(equal)} per class."]
    for c in capped:
        parts.append(f"{c} has only {int(plan.count[c]):,} and may be drawn at most "
                     f"{plan.max_oversample:g}x: {int(hi[c]):,}, which it takes.")
    for c in floored:
        parts.append(f"{c} must keep {plan.min_keep:.0%} of its {int(plan.count[c]):,}: it "
                     f"drops to its floor, {int(lo[c]):,}.")
    if free:
        left = plan.total - sum(int(plan.effective[c]) for c in capped + floored)
        exact = _exact_shares(plan)
        rounded = ", ".join(f"{c} {int(plan.effective[c]):,}" for c in free)
        each = exact[free[0]]
        if all(abs(exact[c] - round(exact[c])) < 1e-9 for c in free):
            parts.append(f"The other {left:,} go to {', '.join(free)}: {rounded}.")
        else:
            parts.append(f"The other {left:,} are shared by {', '.join(free)}: {_n(each)} "
                         f"each, rounded by largest remainder to {rounded} (which class "
                         f"rounds down does not matter; the sum must stay {plan.total:,}).")
    elif capped and floored:
        parts.append("Both limits bind, so this is the only plan.")
    moved = ", ".join(f"{c} {plan.multiplier[c]:.2f}x" for c in classes)
    parts.append(f"Each class is drawn: {moved}.")
    return " ".join(parts)


def _worked_example_diagnosis(answer, expected, _data) -> str | None:
    if not _is_number(answer):
        return None
    plan = _worked_example_plan()
    lo, hi = _limits(plan)
    n = float(answer)
    if n > hi["Crack"]:
        return f"Crack is over the {plan.max_oversample:g}x cap ({_n(n)} > {int(hi['Crack']):,})"
    background = plan.total - n
    if background < lo["Background"]:
        return (f"then Background gets {_n(background)}, below its floor of half its "
                f"50,000 ({int(lo['Background']):,})")
    return (f"Background would then get {_n(background)}, far more than Crack: a balanced "
            "plan gives Crack as much as its cap and the floor allow")


def _copies_plan(catalog: Catalog, max_oversample: float):
    from workbench.sample import plan_resampling, sampling_keys

    return plan_resampling(sampling_keys(catalog), max_oversample=max_oversample)


def _copies(catalog: Catalog, max_oversample: float) -> int:
    plan = _copies_plan(catalog, max_oversample)
    rarest = plan.count.idxmin()
    return int(plan.effective[rarest] - plan.count[rarest])


def _copies_at_double_cap(catalog: Catalog, max_oversample: float = 3.0) -> int:
    return _copies(catalog, 2 * max_oversample)


def _copies_diagnosis(answer, expected, catalog, max_oversample: float = 3.0) -> str | None:
    if not _is_number(answer):
        return None
    plan = _copies_plan(catalog, 2 * max_oversample)
    rarest = plan.count.idxmin()
    if float(answer) == _copies(catalog, max_oversample) != expected:
        return (f"that is what section 4 wrote at {max_oversample:g}x; plan again at "
                f"{2 * max_oversample:g}x")
    if float(answer) == plan.effective[rarest]:
        return (f"that is how often {rarest} is drawn per epoch; materialize writes only the "
                f"draws beyond its {int(plan.count[rarest]):,} originals")
    if float(answer) == (2 * max_oversample - 1) * plan.count[rarest] != expected:
        return (f"{rarest} would reach {2 * max_oversample:g}x only if the epoch had room; "
                "the plan's total stays the same, so the cap may not bind")
    return None


def _copies_explained(expected, catalog, max_oversample: float = 3.0) -> str:
    from workbench.sample import key_unit

    cap = 2 * max_oversample
    plan = _copies_plan(catalog, cap)
    rarest = plan.count.idxmin()
    count, effective = int(plan.count[rarest]), int(plan.effective[rarest])
    why = (f"its {cap:g}x cap" if plan.binding[rarest] == "cap"
           else "an equal share of the epoch: the cap no longer binds")
    return (f"plan_resampling(sampling_keys(catalog), max_oversample={cap:g}) keys each image "
            f"by its rarest class in {key_unit(catalog)}; the rarest key, {rarest}, has "
            f"{count:,} images and is drawn {effective:,} times per epoch ({why}). materialize "
            f"writes the draws beyond the originals as augmented copies: {effective:,} - "
            f"{count:,} = {expected:,}, against {_copies(catalog, max_oversample):,} at "
            f"{max_oversample:g}x: a higher cap means more copies of fewer images, which the "
            f"augmentation must keep different.")


def _count_range(catalog: Catalog) -> tuple[float, float]:
    counts = measure.class_counts(catalog).total
    present = counts[counts > 0]
    if present.max() == present.min():
        raise Lacks("every class has as many images, so every class gets the same strength.")
    return float(present.max()), float(present.min())


def _count_at_half(catalog: Catalog) -> float:
    largest, smallest = _count_range(catalog)
    return math.sqrt(largest * smallest)


def _count_at_half_diagnosis(answer, expected, catalog) -> str | None:
    if not _is_number(answer):
        return None
    largest, smallest = _count_range(catalog)
    if abs(float(answer) - (largest + smallest) / 2) < 1:
        return ("that is halfway between the largest and the smallest count; strength "
                "follows the log of the count, so halfway is halfway between their logs")
    if 0 <= float(answer) <= 1:
        return "answer a number of images, not a strength"
    return None


def _count_at_half_explained(expected, catalog) -> str:
    largest, smallest = _count_range(catalog)
    return (f"augment.class_strengths gives a class of n images strength x log(max / n) / "
            f"log(max / min), here max = {largest:,.0f} and min = {smallest:,.0f}. Strength "
            f"0.5 at strength 1 needs log(max / n) = log(max / min) / 2, so n = sqrt(max x "
            f"min) = {expected:,.1f}: the geometric mean of the two counts, below their "
            f"average ({(largest + smallest) / 2:,.1f}). On a log scale a class ten times "
            f"rarer than another is always the same step stronger.")


# -- 05 evaluate ---------------------------------------------------------------------------------


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


# -- 06 collect ----------------------------------------------------------------------------------


def _model_playbook(_data=None) -> dict:
    """A playbook that passes the checker: the teacher's answer to exercise 2."""
    return {
        "target": 2000,
        "capacity_per_day": 300,
        "wheelchair_per_image": 0.4,
        "sourcing": [
            {"where": "hospital and rehabilitation-centre entrances",
             "when": "weekday daytime", "images_per_day": 100},
            {"where": "transit stations with ramps and lifts", "when": "weekday rush hours",
             "images_per_day": 80},
            {"where": "accessible parks and shopping streets", "when": "weekends, daytime",
             "images_per_day": 60},
        ],
        "quotas": {"Wheelchair": 96, "Pedestrian": 300},
        "selection_rule": {"score": "predicted_minority", "n_per_day": 60,
                           "classes": ["Wheelchair"]},
        "metrics": ["AP@0.5 Wheelchair", "PR AUC Wheelchair",
                    "recall Wheelchair with its interval", "mAP@0.5 over all classes"],
        "stop_rules": [
            {"quantity": "Wheelchair instances", "op": ">=", "value": 2000,
             "action": "stop collecting; finish labelling the backlog"},
            {"quantity": "recall half-width Wheelchair", "op": "<=", "value": 0.05,
             "action": "stop adding Wheelchair to the validation split"},
        ],
        "adjust_rules": [
            {"quantity": "Wheelchair per image", "op": "<", "value": 0.25,
             "action": "from day 3, move that source's images to the best-yielding source"},
            {"quantity": "annotator agreement", "op": "<", "value": 0.8,
             "action": "pause, re-brief the annotators on 20 reviewed Wheelchair boxes"},
            {"quantity": "AP@0.5 Wheelchair", "op": "<", "value": 0.5,
             "action": "on day 7, pick by entropy to find the confusions (strollers, walkers)"},
        ],
    }


def _playbook_problems(answer, _expected, _data) -> list[str]:
    from workbench.collect.playbook import check_playbook

    return [str(p) for p in check_playbook(answer)]


def _playbook_confirm(answer) -> str:
    from workbench.collect.playbook import playbook_summary

    return f"yes: it {playbook_summary(answer)}."


def _playbook_explained(playbook, _data) -> str:
    from workbench.collect.playbook import CURRENT, DAYS, RARE_CLASS, TOTAL, playbook_summary

    target, capacity = playbook["target"], playbook["capacity_per_day"]
    per_image = playbook["wheelchair_per_image"]
    sources = playbook["sourcing"]
    images = sum(s["images_per_day"] for s in sources)
    picks = playbook["selection_rule"]["n_per_day"]
    daily = min(playbook["quotas"][RARE_CLASS], images * per_image)
    where = "; ".join(f"{s['where']}, {s['when']} ({s['images_per_day']})" for s in sources)
    need = math.ceil((target - CURRENT) / DAYS)
    return (
        f"Aim for {target:,} {RARE_CLASS} ({target / CURRENT:.1f}x today's {CURRENT:,}): "
        f"{target - CURRENT:,} more in {DAYS} days, {need} a day. The team labels {capacity:,} "
        f"images a day: {images:,} from targeted collection where and when wheelchairs are "
        f"common ({where}) at {_n(per_image)} {RARE_CLASS} per image = {_n(daily)} a day, "
        f"plus {picks} active-learning picks ({playbook['selection_rule']['score']} among "
        f"the unlabelled fleet images, counted at 0). {CURRENT:,} + {DAYS} x {_n(daily)} = "
        f"{_n(CURRENT + DAYS * daily)}: the plan {playbook_summary(playbook)}. Validate on "
        f"{RARE_CLASS}'s own AP@0.5 and PR AUC, and its recall with an interval: accuracy "
        f"would read {1 - CURRENT / TOTAL:.1%} with no {RARE_CLASS} found. Stop when "
        f"{_rules(playbook['stop_rules'])}; change course when "
        f"{_rules(playbook['adjust_rules'])}.")


def _rules(rules) -> str:
    return "; ".join(f"{r['quantity']} {r['op']} {_n(r['value'])} ({r['action']})"
                     for r in rules)


# -- the registry --------------------------------------------------------------------------------


def _one_page(catalog: Catalog, predictions=None) -> dict:
    """The page :func:`workbench.collect.one_page_plan` writes for the rarest class, its
    hard negatives from ``predictions``, by default from the baseline probe (trained on
    the chosen split)."""
    from workbench.collect import one_page_plan
    from workbench.evaluate import predictions_for
    from workbench.split import chosen_split

    split = catalog if "split" in catalog.samples.columns else chosen_split(catalog)
    if predictions is None:
        predictions = predictions_for(split)
    return one_page_plan(split, predictions=predictions).to_dict()


def _page_problems(answer, _expected, catalog) -> list[str]:
    from workbench.collect import check_page

    return check_page(answer, catalog)


def _page_explained(page, _catalog) -> str:
    return (f"The page for {page['class']!r}: {page['now']:,} {page['unit']} now, "
            f"{page['target']:,} in {page['days']} days at {page['capacity_per_day']:,} images "
            f"a day; collect at {page['collect']}; x{page['multiplier']:g} in the capped plan; "
            "its augmentations, two hard negatives (images without it that the model scores "
            "highest for it), its AP or PR AUC beside macro F1, and a stop rule in numbers. "
            "collect.one_page_plan(catalog, predictions=preds) writes it from the data.")


EXERCISES: dict[str, Exercise] = {
    "01.pixels_per_image": Exercise(
        "Leaving out the background class (catalog.background), which class covers the most "
        "pixels per image it appears in (its pixels divided by the images that contain it)?",
        "(measure.class_counts(catalog, unit='pixels').total / "
        "measure.class_counts(catalog).total).drop(catalog.background).idxmax()",
        _most_pixels_per_image, diagnose=_pixels_per_image_diagnosis,
        explain=_pixels_per_image_explained),
    "01.effective_ratio": Exercise(
        "By their effective numbers of samples (beta = 0.999), how many times does the "
        "largest class outnumber the smallest? Answer to one decimal.",
        "e = measure.long_tail(measure.class_counts(catalog)).effective_numbers; "
        "e.max() / e.min()",
        _effective_ratio, diagnose=_effective_ratio_diagnosis,
        explain=_effective_ratio_explained, decimals=1),
    "01.most_over": Exercise(
        "Notebook 01's heatmap (section 4) shows the condition that hides the most imbalance. "
        "Take the condition measure.condition_overview(catalog) ranks second: which (class, "
        "condition value) has the most images above what independence predicts there, the "
        "largest positive adjusted residual? Answer a tuple (class, condition value).",
        "measure.hidden_imbalance(catalog, condition).residuals.stack().idxmax(), condition "
        "the second of measure.condition_overview(catalog)",
        _most_over, diagnose=_most_over_diagnosis, explain=_most_over_explained),
    "02.leak_share": Exercise(
        "With seed {seed}, what share of the groups (from 0 to 1, to two decimals) does the "
        "naive random split put in two or more splits?",
        "len(split.split_report(split.random_split(catalog, fractions=fractions, "
        "seed=seed)).leaking_groups) / catalog.samples['group'].nunique()",
        _leak_share, diagnose=_leak_share_diagnosis, explain=_leak_share_explained,
        decimals=2, params={"seed": 0, "fractions": FRACTIONS}),
    "02.naive_fewest_rare": Exercise(
        "Split naively with each seed from 0 to 9 (this notebook's fractions). What is the "
        "fewest images of the rarest class that val or test gets in any of the ten?",
        "min over s in range(10) of the rarest class's row of measure.class_counts("
        "split.random_split(catalog, fractions=fractions, seed=s), by='split').table, "
        "val and test columns",
        _naive_fewest_rare, diagnose=_naive_fewest_rare_diagnosis,
        explain=_naive_fewest_rare_explained, params={"seed": 0, "fractions": FRACTIONS}),
    "03.exercise_1": Exercise(
        "Car 6,000, Pedestrian 2,500, Bicycle 1,200, Wheelchair 300; 8,000 samples per epoch, "
        "at most 5x oversampling. How many of each per epoch, as equal as the cap allows and "
        "exactly 8,000 in all?",
        "the cap binds for Wheelchair (300 x 5); the others share the rest equally",
        lambda _: _exercise_1_plan().effective.to_dict(),
        problems=lambda a, e, d: _plan_problems(a, _exercise_1_plan()),
        explain=lambda e, d: _explain_plan(_exercise_1_plan()), needs=None),
    "03.worked_example": Exercise(
        "Background 50,000, Crack 1,500; max 5x, keep at least half of each class, 32,500 per "
        "epoch. How many Crack samples per epoch?",
        "sample.plan_resampling({...}, total=32500, max_oversample=5, min_keep=0.5)",
        lambda _: int(_worked_example_plan().effective["Crack"]),
        diagnose=_worked_example_diagnosis,
        explain=lambda e, d: _explain_plan(_worked_example_plan()), needs=None),
    "04.copies_at_double_cap": Exercise(
        "Notebook 04's plan (section 4) is capped at {max_oversample:g}x. With the cap "
        "doubled, how many augmented copies of the rarest key would materialize write?",
        "p = sample.plan_resampling(sample.sampling_keys(catalog), max_oversample=2 * "
        "max_oversample); k = p.count.idxmin(); p.effective[k] - p.count[k]",
        _copies_at_double_cap, diagnose=_copies_diagnosis, explain=_copies_explained,
        params={"max_oversample": 3.0}),
    "04.count_at_half": Exercise(
        "At global strength 1, a class with how many images would get strength 0.5? Answer "
        "to the nearest image.",
        "c = measure.class_counts(catalog).total; (c.max() * c[c > 0].min()) ** 0.5",
        _count_at_half, diagnose=_count_at_half_diagnosis, explain=_count_at_half_explained,
        decimals=0),
    "05.uncertain_f1": Exercise(
        "How many classes have an F1 interval wider than +-0.15 on this evaluation split "
        "(half of f1_high - f1_low)?",
        "t = report.to_frame(); ((t.f1_high - t.f1_low) / 2 > 0.15).sum()",
        _uncertain_f1, diagnose=_uncertain_f1_diagnosis, explain=_uncertain_f1_explained,
        needs="report"),
    "05.widest_precision": Exercise(
        "Which class has the widest precision interval (precision_high - precision_low)? "
        "(Then ask yourself: is it the rarest, and why?)",
        "t = report.to_frame(); (t.precision_high - t.precision_low).idxmax()",
        _widest_precision, diagnose=_widest_precision_diagnosis,
        explain=_widest_precision_explained, needs="report"),
    "06.exercise_2": Exercise(
        "Exercise 2 of the lesson on class imbalance in computer vision: Wheelchair has 800 of "
        "the 120,000 instances of a street-scene detection dataset. Write a two-week "
        "collection and annotation playbook: where and when to collect, quotas per class per "
        "day, an active-learning selection rule, validation metrics, and stop and adjust "
        "rules.",
        "start from workbench.collect.playbook.playbook_template(); the images a day (sources "
        "plus picks) must fit the capacity, 800 + 14 x the Wheelchair a day must reach the "
        "target, the metrics must include Wheelchair's AP@0.5 and PR AUC, and every rule "
        "compares a measurable quantity with a number",
        _model_playbook, problems=_playbook_problems, explain=_playbook_explained, needs=None,
        confirm=_playbook_confirm),
    "06.mini_challenge": Exercise(
        "The mini challenge of the lesson on class imbalance in computer vision: one page for "
        "one minority class (now and the two-week target, where to collect, the sampling "
        "multiplier, three augmentations, two hard negatives, the metrics, the stop rule). "
        "Answer the page (one_page.to_dict(), edited).",
        "start from collect.one_page_plan(catalog, predictions=preds).to_dict(); 'now' must be "
        "the data's count, the hard negatives images without the class, the metrics its AP "
        "or PR AUC, the stop rule a number",
        _one_page, problems=_page_problems, explain=_page_explained,
        confirm=lambda page: f"yes: the page for {page['class']!r} is complete and agrees "
                             "with the data.", uses_predictions=True),
}


# The hints after a second and a third wrong answer (an idea, then the method), and how to
# give the answers that are dicts. The code itself stays behind hint(name).
_LADDER = {
    "01.pixels_per_image": (
        "a class can be in few images and fill most of each (a large stain), or in many and "
        "fill little of each (a thin crack): what a segmentation loss sees is area",
        "per class, its pixels divided by the images that contain it; leave out the "
        "background and take the largest"),
    "01.effective_ratio": (
        "each new image of a class adds a little less than the one before, so large classes "
        "count for less than their size",
        "effective number = (1 - 0.999^n) / (1 - 0.999) for each class of n images; divide "
        "the largest effective number by the smallest"),
    "01.most_over": (
        "an adjusted residual is positive where a cell has more images than the margins "
        "predict, negative where it has fewer",
        "take the condition second in the overview; in its class x value table, expected = "
        "row total x column total / grand total, and the cell with the largest "
        "(observed - expected) / sqrt(expected x (1 - row share) x (1 - column share))"),
    "02.leak_share": (
        "a random split deals out images, not groups: near-duplicates of one scene can land "
        "in different splits",
        "split at random with the seed asked; for each group count the distinct splits its "
        "images land in; divide the groups with two or more by all the groups"),
    "02.naive_fewest_rare": (
        "a random split gives a rare class its fraction only on average: with a few dozen "
        "images, one seed can leave val or test a handful",
        "for each of the ten seeds, split at random and count the rarest class's images in "
        "val and in test; take the smallest of those twenty numbers"),
    "03.exercise_1": (
        "the objective is as equal as the cap allows, with the total exact: an equal share "
        "is 2,000 each, but no class may be drawn more than 5 times its count",
        "give a class whose cap is below the equal share its cap, share what is left "
        "equally among the others, and round so that the sum stays 8,000"),
    "03.worked_example": (
        "two limits hold at once: Crack at most 5x its count, Background at least half of "
        "its count",
        "give Crack as much as its cap allows and check that what is left for Background "
        "stays at or above its floor"),
    "04.copies_at_double_cap": (
        "materialize writes a copy for each draw beyond the images a key already has, and "
        "a plan keeps the epoch's total: a higher cap binds only where the equal share is "
        "above it",
        "plan over the sampling keys at twice the cap; for the key with the fewest images, "
        "its draws minus its images"),
    "04.count_at_half": (
        "strength follows rarity on a log scale: equal ratios of counts are equal steps of "
        "strength",
        "solve log(max / n) / log(max / min) = 0.5 for n, with max and min the largest and "
        "smallest image counts"),
    "05.uncertain_f1": (
        "an interval is wide when a class has few evaluation images; F1 combines precision "
        "and recall, so it carries the uncertainty of both",
        "half-width = (f1_high - f1_low) / 2 for each class of report.to_frame(); count the "
        "classes above 0.15"),
    "05.widest_precision": (
        "precision is a share of the images the model called a class; recall a share of the "
        "images that are that class",
        "precision_high - precision_low for each class of report.to_frame(); the class with "
        "the largest"),
    "06.exercise_2": (
        "every part of the playbook is a number someone can check: images a day, a quota, a "
        "metric with its threshold",
        "start from the template and fill each field with a number; check the capacity sum "
        "and that 800 + 14 x the Wheelchair a day reaches the target"),
    "06.mini_challenge": (
        "the page is this dataset's: its counts, its images, its metrics",
        "start from the one-page plan of this dataset and edit only what you would change"),
}
_FORMS = {
    "03.exercise_1": "a dict {class: samples per epoch}",
    "06.exercise_2": "a dict: start from collect.playbook_template() and fill it in",
    "06.mini_challenge": "a dict: start from collect.one_page_plan(catalog, "
                         "predictions=preds).to_dict() and edit it",
}
EXERCISES.update({name: replace(spec, concept=_LADDER[name][0], method=_LADDER[name][1],
                                form=_FORMS.get(name, ""))
                  for name, spec in EXERCISES.items()})


# -- checking ------------------------------------------------------------------------------------


def _is_number(value) -> bool:
    if isinstance(value, (bool, bytes, bytearray)):
        return False
    try:
        return math.isfinite(float(value))
    except (TypeError, ValueError):
        return False


def _spec(exercise: str, params: Mapping | None = None) -> Exercise:
    """The exercise, its question and answer bound to the notebook parameters ``params``
    (those it declares; its defaults for the others)."""
    if exercise not in EXERCISES:
        raise ValueError(f"Unknown exercise {exercise!r}; known: {', '.join(EXERCISES)}.")
    spec = EXERCISES[exercise]
    unknown = sorted(set(params or {}) - set(spec.params))
    if unknown:
        raise ValueError(f"{exercise} depends on the parameters {list(spec.params)}, not "
                         f"{unknown}.")
    if not spec.params:
        return spec
    values = {**spec.params, **(params or {})}
    bind = functools.partial
    return replace(spec, question=spec.question.format(**values),
                   expected=bind(spec.expected, **values),
                   diagnose=spec.diagnose and bind(spec.diagnose, **values),
                   explain=spec.explain and bind(spec.explain, **values))


def _posed(spec: Exercise, data, predictions=None) -> tuple[object, str | None]:
    """(the expected answer, None), or (None, why the exercise does not apply)."""
    if spec.needs == "report":
        from workbench.evaluate import ClassificationReport

        kind, how = ClassificationReport, ("an evaluation report "
                                           "(evaluate.classification_report): check(name, "
                                           "answer, report)")
    else:
        kind, how = Catalog, "the catalog: check(name, answer, catalog)"
    if isinstance(data, Missing):  # a result the data could not give (errors.needs)
        return None, f"this exercise cannot be posed here: {data.reason}"
    if spec.needs is not None:
        if not isinstance(data, kind):
            got = "nothing" if data is None else f"a {type(data).__name__}"
            return None, f"this exercise is computed from {how}; it got {got}."
    try:
        expected = (spec.expected(data, predictions=predictions) if spec.uses_predictions
                    else spec.expected(data))
    except DataError as err:  # Lacks included: the data does not have what it needs
        return None, f"this dataset cannot pose this exercise: {err}"
    if expected is None:
        return None, ("this dataset cannot pose this exercise: it lacks what the question is "
                      "about (try demo:surfaces).")
    return expected, None


def _form_problem(answer, expected) -> str | None:
    """The answer's shape when it is not the expected one (a list for a dict, ...)."""
    got = f"not a {type(answer).__name__} ({answer!r})"
    if isinstance(expected, Mapping):
        if not isinstance(answer, Mapping):
            keys = ", ".join(f"{k!r}: ..." for k in list(expected)[:4])
            more = ", ..." if len(expected) > 4 else ""
            return f"answer a dict like {{{keys}{more}}}, {got}"
    elif isinstance(expected, tuple):
        if isinstance(answer, (str, bytes, Mapping)) or not isinstance(answer, (tuple, list)):
            dots = ", ".join(["..."] * len(expected))
            return f"answer a tuple of {len(expected)} like ({dots}), {got}"
        if len(answer) != len(expected):
            return f"answer a tuple of {len(expected)} values, not {len(answer)}"
    elif isinstance(expected, (int, float, np.number)) and not isinstance(expected, bool):
        if not _is_number(answer):
            return f"answer a number, {got}"
    elif isinstance(answer, (Mapping, list, tuple, set)):
        return f"answer one name as text, {got}"
    return None


def _equal(answer, expected, decimals: int | None = None) -> bool:
    if isinstance(expected, tuple):
        return tuple(map(str, answer)) == tuple(map(str, expected))
    if isinstance(expected, (int, float, np.number)):
        gap = abs(float(answer) - float(expected))
        if decimals is not None:
            return gap <= 0.5 * 10.0 ** -decimals + 1e-9
        return gap <= 1e-6 * max(1.0, abs(float(expected)))
    return str(answer) == str(expected)


_WRONG: Counter = Counter()  # wrong answers per exercise since its last right one


def check(exercise: str, answer, catalog=None, *, predictions=None,
          attempt: int | None = None, **params) -> Feedback:
    """Check ``answer`` to ``exercise``; None means not answered yet.

    ``catalog`` is what the exercise is computed from: a Catalog for most, the evaluation
    report for the 05 exercises, nothing for the exercises that carry their own numbers
    (03.exercise_1, 03.worked_example, 06.exercise_2). ``predictions``: the model's, for
    06.mini_challenge (None: the baseline probe is trained to pose it). ``params``: the
    notebook parameters the answer depends on, as the student set them (``seed=seed``).

    The answer is read as a person would ("7,500" is 7500, " Crack" the class crack). A
    wrong answer is told what is wrong with it; the second wrong answer adds an idea to
    think with, the third the method (``attempt`` sets which, else the wrong answers so
    far count); the code that computes it shows only on request (:func:`hint`). Nothing
    makes it raise: an answer it cannot read is told so.

    >>> check("03.exercise_1", {"Car": 2167, "Pedestrian": 2166, "Bicycle": 2166,
    ...                         "Wheelchair": 1501}, attempt=1)
    [03.exercise_1: not yet] Wheelchair is over the 5x cap (1,501 > 1,500).
    """
    spec = _spec(exercise, params)
    try:
        return _check(exercise, spec, answer, catalog, predictions, attempt)
    except Exception as err:  # whatever the answer holds, the notebook carries on
        return Feedback(exercise, False, f"this answer could not be read "
                                         f"({type(err).__name__}: {err})."
                        + (f" Answer {spec.form}." if spec.form else ""))


def _check(exercise, spec, answer, catalog, predictions, attempt) -> Feedback:
    expected, reason = _posed(spec, catalog, predictions)
    if reason is not None:
        return Feedback(exercise, None, reason)
    if answer is None:
        return Feedback(exercise, None, spec.question + (f" Answer {spec.form}."
                                                         if spec.form else ""))
    answer = read_answer(answer, expected, _names(catalog))
    if (form := _form_problem(answer, expected)) is not None:
        return Feedback(exercise, False, f"{form}.")
    if spec.problems is not None:
        problems = spec.problems(answer, expected, catalog)
    elif _equal(answer, expected, spec.decimals):
        problems = []
    else:
        diagnosis = spec.diagnose(answer, expected, catalog) if spec.diagnose else None
        problems = [f"{answer!r} is not it: {diagnosis or _direction(answer, expected)}"]
    if not problems:
        _WRONG[exercise] = 0
        shown = int(answer) if isinstance(answer, float) and answer.is_integer() else answer
        message = spec.confirm(answer) if spec.confirm else f"yes: {shown!r}."
        return Feedback(exercise, True, message)
    _WRONG[exercise] += 1
    level = attempt if attempt is not None else _WRONG[exercise]
    ladder = ([f"Think: {spec.concept}"] if level >= 2 and spec.concept else []) + (
        [f"Method: {spec.method}", f"The code, if you want it: exercises.hint({exercise!r})."]
        if level >= 3 and spec.method else [])
    if len(problems) == 1:
        return Feedback(exercise, False, f"{problems[0]}.", tuple(ladder))
    return Feedback(exercise, False, f"{len(problems)} problems:", tuple(problems + ladder))


def _direction(answer, expected) -> str:
    """Which way a number is off, or that a name is not the one asked."""
    if isinstance(expected, (int, float, np.number)):
        return "the answer is " + ("larger" if float(expected) > float(answer) else "smaller")
    return "that is not the one asked for"


def _names(data) -> list[str]:
    """The class names and condition values an answer may name, whatever their case."""
    if not isinstance(data, Catalog):
        return []
    values = [str(v) for c in data.conditions for v in data.samples[c].dropna().unique()]
    return [*map(str, data.classes), *values]


def hint(exercise: str) -> str:
    """The expression that computes ``exercise``'s answer (what the feedback never shows
    by itself).

    >>> hint("03.worked_example")
    'sample.plan_resampling({...}, total=32500, max_oversample=5, min_keep=0.5)'
    """
    return _spec(exercise).code


def reset_attempts() -> None:
    """Forget the wrong answers counted so far: the hints start again from the first."""
    _WRONG.clear()


@dataclass(frozen=True)
class Feedbacks:
    """Several verdicts, shown as one block."""

    items: tuple[Feedback, ...]

    @property
    def score(self) -> tuple[int, int]:
        """(correct, total)."""
        return sum(f.correct is True for f in self.items), len(self.items)

    def __repr__(self) -> str:
        return "\n".join(map(repr, self.items))

    def _repr_html_(self) -> str:
        done, total = self.score
        return (f"<p><b>{done} of {total} correct</b></p>"
                + "".join(f._repr_html_() for f in self.items))


def check_all(answers: dict, catalog=None, **params) -> Feedbacks:
    """Check several answers at once: ``{exercise: answer}``; each exercise takes the
    ``params`` it depends on."""
    return Feedbacks(tuple(
        check(name, answer, catalog, **{k: v for k, v in params.items()
                                        if k in _spec(name).params})
        for name, answer in answers.items()))


# -- solutions -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Solution:
    """The expected answer to one exercise and how it is worked out (None where the data
    cannot pose it; ``explanation`` then says why)."""

    exercise: str
    question: str
    answer: object
    explanation: str

    def __repr__(self) -> str:
        answer = repr(self.answer)
        answer = answer if len(answer) <= 80 else answer[:76] + " ..."
        return f"[{self.exercise} solution] {answer}: {self.explanation}"

    def to_markdown(self) -> str:
        """The question, the answer and the explanation, for a solutions report."""
        import pprint

        if self.answer is None:
            why = self.explanation[:1].upper() + self.explanation[1:]
            return f"**{self.exercise}.** {self.question}\n\n> {why}\n"
        return (f"**{self.exercise}.** {self.question}\n\n```python\n"
                f"{pprint.pformat(self.answer, sort_dicts=False, width=88)}\n```\n\n"
                f"{self.explanation}\n")

    def _repr_markdown_(self) -> str:
        return self.to_markdown()


def solution(exercise: str, catalog=None, *, predictions=None, **params) -> Solution:
    """The expected answer to ``exercise`` on ``catalog`` (or report), worked out;
    ``predictions`` and ``params`` as in :func:`check`.

    >>> solution("03.worked_example").answer
    7500
    """
    spec = _spec(exercise, params)
    expected, reason = _posed(spec, catalog, predictions)
    if reason is not None:
        return Solution(exercise, spec.question, None, reason)
    explanation = spec.explain(expected, catalog) if spec.explain else ""
    if spec.decimals is not None:  # the answer as the question asks for it
        expected = round(float(expected), spec.decimals) if spec.decimals else round(expected)
    return Solution(exercise, spec.question, expected, explanation)


# -- for a notebook of all the exercises ----------------------------------------------------------


def pose(exercise: str, **params):
    """The question of ``exercise`` as Markdown, to show above its answer cell, in the
    notebook parameters it depends on (``params``).

    >>> pose("03.worked_example").data[:40]
    '**03.worked_example.** Background 50,000'
    >>> pose("04.copies_at_double_cap", max_oversample=5).data[:76]
    "**04.copies_at_double_cap.** Notebook 04's plan (section 4) is capped at 5x."
    """
    from IPython.display import Markdown

    return Markdown(f"**{exercise}.** {_spec(exercise, params).question}")


def solutions_report(catalog=None, report=None, *, predictions=None, enabled: bool = True,
                     notebook: str | None = None, **params):
    """Every exercise's :func:`solution`, with its worked explanation, as Markdown.

    Each exercise gets what it is computed from (``needs``): ``catalog``, the evaluation
    ``report``, or nothing; ``predictions`` as in :func:`check`. An exercise the data
    cannot pose (or given a :class:`~workbench.errors.Missing`) says why. ``notebook``
    ("01".."06"): only that notebook's exercises, followed by the model answers to its
    open questions (:mod:`workbench.open_questions`). ``params``: the notebook parameters,
    each exercise taking those it depends on. With ``enabled=False``, one sentence: the
    solutions are hidden, and how to show them.

    >>> print(solutions_report(enabled=False).data)
    The solutions are hidden: to show them, run this notebook with `solutions = True` ...
    """
    from IPython.display import Markdown

    from workbench.open_questions import OPEN_QUESTIONS

    if not enabled:
        return Markdown(
            "The solutions are hidden: to show them, run this notebook with `solutions = "
            "True` (in the parameters cell, or when rendering it: `make solutions`, "
            "papermill `-p solutions True`).")
    data = {"catalog": catalog, "report": report, None: None}
    solved = [solution(name, data[spec.needs], predictions=predictions,
                       **{k: v for k, v in params.items() if k in spec.params})
              for name, spec in EXERCISES.items() if name.startswith(notebook or "")]
    unposed = sum(s.answer is None for s in solved)
    others = "the other says" if unposed == 1 else f"the other {unposed} say"
    parts = [f"The answers worked out on this dataset: {len(solved) - unposed} of the "
             f"{len(solved)} exercises are posed here"
             + (f"; {others} why not." if unposed else ".")]
    if notebook is not None:
        parts.extend(s.to_markdown() for s in solved)
        parts.extend(q.to_markdown() for q in OPEN_QUESTIONS if q.notebook == notebook)
        return Markdown("\n\n".join(parts))
    current = None
    for worked in solved:
        if worked.exercise[:2] != current:
            current = worked.exercise[:2]
            parts.append(f"### From notebook {current}")
        parts.append(worked.to_markdown())
    return Markdown("\n\n".join(parts))
