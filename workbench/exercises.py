"""Answer checkers and worked solutions for the exercises posed in the notebooks.

Each exercise computes its expected answer from the dataset at hand, so the same
exercise works on the demo data and on a reader's own data::

    check("01.fewest_pixels", "crack", catalog)
    check("03.exercise_1", {"Car": 2167, ...})          # posed with its own numbers
    check("06.exercise_2", playbook)                    # the collection playbook
    solution("03.exercise_1")                           # the answer, worked out
    pose("01.fewest_pixels")                            # the question, as Markdown
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


def _fewest_pixels(catalog: Catalog) -> str:
    return str(_pixel_totals(catalog).idxmin())


def _class_name_problem(answer, catalog: Catalog) -> str | None:
    classes = [str(c) for c in catalog.classes]
    if str(answer) not in classes:
        return f"{str(answer)!r} is not a class of this dataset; the classes: {some(classes, 8)}"
    return None


def _fewest_pixels_diagnosis(answer, expected, catalog) -> str | None:
    if (problem := _class_name_problem(answer, catalog)) is not None:
        return problem
    if str(answer) == measure.rarest_class(catalog):
        return (f"{answer} is the rarest in images; count pixels instead "
                "(measure.class_counts(catalog, unit='pixels'))")
    pixels = _pixel_totals(catalog)
    if str(answer) in pixels.index.astype(str):
        return (f"{answer} has {int(pixels[answer]):,} pixels; another class has fewer")
    return None


def _fewest_pixels_explained(expected, catalog) -> str:
    pixels = _pixel_totals(catalog)
    share = pixels[expected] / pixels.sum()
    rarest = measure.rarest_class(catalog)
    images = measure.class_counts(catalog).total
    also = (f"It is also the rarest in images ({int(images[rarest]):,})." if rarest == expected
            else f"In images the rarest is {rarest} ({int(images[rarest]):,} images): which "
                 "class is rare depends on the unit.")
    return (f"Count the pixels of each class with measure.class_counts(catalog, "
            f"unit='pixels').total: {expected} covers {int(pixels[expected]):,} pixels, the "
            f"fewest ({share:.2%} of the labelled pixels). {also}")


def _long_tail(catalog: Catalog):
    return measure.long_tail(measure.class_counts(catalog))


def _classes_for_80_diagnosis(answer, expected, catalog) -> str | None:
    if not _is_number(answer) or float(answer) != int(float(answer)) or float(answer) < 1:
        return "answer a whole number of classes, at least 1"
    counts = _long_tail(catalog).counts
    k = int(float(answer))
    share = counts.iloc[:k].sum() / counts.sum()
    if k < expected:
        return f"the largest {k} hold only {share:.0%} of the images"
    return f"fewer than {k} classes already hold 80% of the images"


def _classes_for_80_explained(expected, catalog) -> str:
    counts = _long_tail(catalog).counts
    cumulative = counts.cumsum() / counts.sum()
    steps = ", ".join(f"{c} {cumulative[c]:.0%}" for c in counts.index[:expected])
    return (f"Sort the classes by images, largest first, and add up their shares "
            f"(measure.long_tail(measure.class_counts(catalog)).n_classes_80): {steps}. "
            f"{expected} of the {len(counts)} classes "
            f"{'reaches' if expected == 1 else 'reach'} 80%.")


def _overview_first(catalog: Catalog) -> pd.Series:
    overview = measure.condition_overview(catalog)
    if not len(overview):
        raise Lacks("it has no condition with two or more values to test (add a condition "
                    "column such as lighting, camera or site).")
    return overview.iloc[0]


def _most_hidden(catalog: Catalog) -> tuple[str, str]:
    cls, value = _overview_first(catalog)["most_under_represented"].split(" @ ", 1)
    return (cls, value)


def _most_hidden_diagnosis(answer, expected, catalog) -> str | None:
    cls, value = map(str, answer)
    if (problem := _class_name_problem(cls, catalog)) is not None:
        return problem
    values = {str(v) for c in catalog.conditions for v in catalog.samples[c].dropna().unique()}
    values |= {str(v) for c in catalog.derived if c in catalog.samples.columns
               for v in catalog.samples[c].dropna().unique()}
    if value not in values:
        return (f"{value!r} is not a value of any condition; the conditions: "
                f"{some(catalog.conditions) or 'none'}")
    for condition in [*catalog.conditions, *catalog.derived]:
        if condition not in catalog.samples.columns or value not in set(
                catalog.samples[condition].dropna().astype(str)):
            continue
        try:
            residuals = measure.hidden_imbalance(catalog, condition).residuals
            residuals = residuals.rename(index=str, columns=str)
            residual = float(residuals.loc[cls, value])
        except (DataError, KeyError):
            continue
        if residual >= 0:
            return (f"{cls} @ {value} has more {cls} images than independence predicts "
                    f"(residual {residual:+.1f}), not fewer")
        return (f"{cls} @ {value} is under-represented (residual {residual:.1f}), but another "
                "cell is more so")
    return None


def _most_hidden_explained(expected, catalog) -> str:
    row = _overview_first(catalog)
    cls, value = expected
    return (f"measure.condition_overview(catalog) tests each condition with a chi-square "
            f"test of independence; its first row, {row['condition']} (p = "
            f"{row['p_value']:.2g}), has its most negative adjusted residual at {cls} @ "
            f"{value} ({row['residual']:.1f}): there are fewer {cls} images at {value} than "
            f"if {cls} were spread over {row['condition']} like the other classes"
            + (f". With p = {row['p_value']:.2g} this may be chance: no cell of this data "
               "stands out clearly." if row["p_value"] > 0.05 else "."))


# -- 02 split ------------------------------------------------------------------------------------


def _naive_report(catalog: Catalog, seed: int = 0):
    from workbench.split import random_split, split_report

    return split_report(random_split(catalog, seed=seed))


def _naive_leaks(catalog: Catalog, seed: int = 0) -> int:
    if "group" not in catalog.samples.columns:
        raise Lacks("it has no group column (the video, site or asset each image comes "
                    "from): without groups nothing can leak.")
    return len(_naive_report(catalog, seed).leaking_groups)


def _naive_leaks_diagnosis(answer, expected, catalog, seed: int = 0) -> str | None:
    groups = catalog.samples["group"].nunique()
    if _is_number(answer) and float(answer) > groups:
        return f"there are only {groups:,} groups"
    return None


def _naive_leaks_explained(expected, catalog, seed: int = 0) -> str:
    groups = catalog.samples["group"].nunique()
    return (f"random_split(catalog, seed={seed}) deals out images one by one and ignores the "
            f"group column; of the {groups:,} groups, {expected:,} end up with images in two "
            f"or more splits (split_report(...).leaking_groups), so near-duplicates of "
            f"training images are scored in validation or test. A grouped split keeps every "
            f"group in one split.")


def _naive_worst_class(catalog: Catalog, seed: int = 0) -> str:
    return _naive_report(catalog, seed).summary()["worst_class"]


def _naive_worst_class_explained(expected, catalog, seed: int = 0) -> str:
    report = _naive_report(catalog, seed)
    shares = ", ".join(f"{s} {v:.1%}" for s, v in report.shares.loc[expected].items())
    return (f"split_report(random_split(catalog, seed={seed})).max_share_gap is, per class, its "
            f"largest share of a split's images minus its smallest. {expected} has the largest "
            f"gap, {report.max_share_gap[expected] * 100:.1f} points ({shares}).")


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


def _copies_plan(catalog: Catalog, max_oversample: float = 3.0):
    from workbench.sample import plan_resampling, sampling_keys

    return plan_resampling(sampling_keys(catalog), max_oversample=max_oversample)


def _copies_of_rarest(catalog: Catalog, max_oversample: float = 3.0) -> int:
    plan = _copies_plan(catalog, max_oversample)
    rarest = plan.count.idxmin()
    return int(plan.effective[rarest] - plan.count[rarest])


def _copies_diagnosis(answer, expected, catalog, max_oversample: float = 3.0) -> str | None:
    plan = _copies_plan(catalog, max_oversample)
    rarest = plan.count.idxmin()
    if _is_number(answer) and float(answer) == plan.effective[rarest]:
        return (f"that is how often {rarest} is drawn per epoch; materialize writes only the "
                f"draws beyond its {int(plan.count[rarest]):,} originals")
    return None


def _copies_explained(expected, catalog, max_oversample: float = 3.0) -> str:
    from workbench.sample import key_unit

    plan = _copies_plan(catalog, max_oversample)
    rarest = plan.count.idxmin()
    count, effective = int(plan.count[rarest]), int(plan.effective[rarest])
    capped = f" (its {max_oversample:g}x cap)" if plan.binding[rarest] == "cap" else ""
    return (f"plan_resampling(sampling_keys(catalog), max_oversample={max_oversample:g}) "
            f"keys each image by its rarest class in {key_unit(catalog)}; the rarest key, "
            f"{rarest}, has {count:,} images and is drawn {effective:,} times per epoch{capped}. "
            f"materialize writes the draws beyond the originals as augmented copies: "
            f"{effective:,} - {count:,} = {expected:,}.")


def _strengths(catalog: Catalog) -> pd.Series:
    from workbench.augment import class_strengths

    return class_strengths(measure.class_counts(catalog), strength=0.5)


def _strength_at_half(catalog: Catalog) -> float:
    counts = measure.class_counts(catalog).total
    return float(_strengths(catalog)[counts.idxmax()])


def _strength_diagnosis(answer, expected, catalog) -> str | None:
    if _is_number(answer) and abs(float(answer) - 0.5) < 1e-9:
        return "0.5 is what the rarest class gets; strength falls with commonness"
    return None


def _strength_explained(expected, catalog) -> str:
    counts = measure.class_counts(catalog).total
    common, rare = counts.idxmax(), counts[counts > 0].idxmin()
    return (f"augment.class_strengths(measure.class_counts(catalog), strength=0.5) scales the "
            f"global strength by rarity on a log scale, log(max / n) / log(max / min): the "
            f"most common class, {common} ({int(counts[common]):,} images), has log(max / "
            f"max) = 0 and gets {_n(expected)}, whatever the global strength; the rarest, "
            f"{rare} ({int(counts[rare]):,}), gets the full 0.5.")


# -- 05 evaluate ---------------------------------------------------------------------------------


def _uncertain(report) -> int:
    return len(report.uncertain(halfwidth=0.1))


def _uncertain_explained(expected, report) -> str:
    table = report.to_frame()
    width = (table["recall_high"] - table["recall_low"]) / 2
    wide = ", ".join(f"{c} +-{width[c]:.2f}" for c in report.uncertain(halfwidth=0.1))
    return (f"report.uncertain(halfwidth=0.1) lists the classes whose recall interval, "
            f"(recall_high - recall_low) / 2 in report.to_frame(), is wider than 0.10: "
            f"{expected} of {len(table)}" + (f" ({wide})." if wide else "."))


def _more_for_rarest(report) -> int:
    table = report.to_frame().query("support > 0")
    if not len(table):
        raise Lacks("no class has an image in the evaluated split.")
    return int(table["recall_more_10"].iloc[0])


def _more_for_rarest_explained(expected, report) -> str:
    row = report.to_frame().query("support > 0").iloc[0]
    return (f"The first row of report.to_frame() is the rarest class, {row.name}: "
            f"{int(row['support']):,} images in the evaluated split, recall "
            f"{row['recall']:.2f} in [{row['recall_low']:.2f}, {row['recall_high']:.2f}]. "
            f"Its recall_more_10 says {expected:,} more images of it would bring the interval "
            f"to +-0.10.")


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
    "01.fewest_pixels": Exercise(
        "Which class has the fewest pixels (it may not be the rarest in images)?",
        "measure.class_counts(catalog, unit='pixels').total", _fewest_pixels,
        diagnose=_fewest_pixels_diagnosis, explain=_fewest_pixels_explained),
    "01.classes_for_80": Exercise(
        "How many classes (largest first) hold 80% of the images?",
        "measure.long_tail(measure.class_counts(catalog)).n_classes_80",
        lambda c: _long_tail(c).n_classes_80,
        diagnose=_classes_for_80_diagnosis, explain=_classes_for_80_explained),
    "01.most_hidden": Exercise(
        "Which (class, condition value) is the most under-represented? Answer a tuple "
        "(class, condition value).",
        "measure.condition_overview(catalog) and measure.hidden_imbalance(...).flagged()",
        _most_hidden, diagnose=_most_hidden_diagnosis, explain=_most_hidden_explained),
    "02.naive_leaks": Exercise(
        "With seed {seed}, how many groups does the naive random split put in two or more "
        "splits?",
        "split.split_report(split.random_split(catalog, seed=0)).leaking_groups",
        _naive_leaks, diagnose=_naive_leaks_diagnosis, explain=_naive_leaks_explained,
        params={"seed": 0}),
    "02.naive_worst_class": Exercise(
        "With seed {seed}, which class has the largest share gap between splits in the naive "
        "split?",
        "split.split_report(split.random_split(catalog, seed=0)).summary()['worst_class']",
        _naive_worst_class, diagnose=lambda a, e, c, seed=0: _class_name_problem(a, c),
        explain=_naive_worst_class_explained, params={"seed": 0}),
    "03.exercise_1": Exercise(
        "Car 6,000, Pedestrian 2,500, Bicycle 1,200, Wheelchair 300; 8,000 samples per epoch, "
        "at most 5x oversampling. How many of each per epoch, as equal as the cap allows and "
        "exactly 8,000 in all? Answer a dict.",
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
    "04.copies_of_rarest": Exercise(
        "With a plan capped at {max_oversample:g}x over the sampling keys, how many augmented "
        "copies of the rarest key does materialize write?",
        "plan.effective - plan.count for the key with the smallest count",
        _copies_of_rarest, diagnose=_copies_diagnosis, explain=_copies_explained,
        params={"max_oversample": 3.0}),
    "04.strength_at_half": Exercise(
        "At global strength 0.5, what strength does the most common class get?",
        "augment.class_strengths(measure.class_counts(catalog), strength=0.5)",
        _strength_at_half, diagnose=_strength_diagnosis, explain=_strength_explained),
    "05.uncertain_classes": Exercise(
        "How many classes have a recall interval wider than +-0.10 on this evaluation split?",
        "count the classes whose (recall_high - recall_low) / 2 exceeds 0.1 in "
        "report.to_frame(): report.uncertain(halfwidth=0.1)",
        _uncertain, explain=_uncertain_explained, needs="report"),
    "05.more_for_rarest": Exercise(
        "How many more evaluation images of the rarest class would bring its recall "
        "interval to +-0.10?",
        "the first row of report.to_frame() is the rarest class: its recall_more_10",
        _more_for_rarest, explain=_more_for_rarest_explained, needs="report"),
    "06.exercise_2": Exercise(
        "Exercise 2 of the lesson on class imbalance in computer vision: Wheelchair has 800 of "
        "the 120,000 instances of a street-scene detection dataset. Write a two-week "
        "collection and annotation playbook: where and when to collect, quotas per class per "
        "day, an active-learning selection rule, validation metrics, and stop and adjust "
        "rules. Answer a dict.",
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
        "Answer the page as a dict (one_page.to_dict(), edited).",
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
    "01.fewest_pixels": (
        "a class can be in many images and still cover few pixels (thin cracks, lane "
        "markings): count area, not images",
        "add up each class's pixels over every mask and take the class with the least"),
    "01.classes_for_80": (
        "sort the classes from the largest to the smallest; their cumulative share of the "
        "counts climbs towards 100%",
        "divide each class's count by the sum of the counts, add the shares largest first, "
        "and count the classes it takes to reach 80%"),
    "01.most_hidden": (
        "a class can look fine overall and be rare under one condition (cracks at night): "
        "compare each cell of class x condition with what the margins predict",
        "take the condition that departs most from independence (the first of the condition "
        "overview); in it, expected = row total x column total / grand total, and the cell "
        "with the most negative adjusted residual, (observed - expected) / sqrt(expected x "
        "(1 - row share) x (1 - column share)), is the answer"),
    "02.naive_leaks": (
        "a random split deals out images, not groups: near-duplicates of one scene can land "
        "in different splits",
        "split at random with the seed asked; for each group count the distinct splits its images "
        "land in; count the groups with two or more"),
    "02.naive_worst_class": (
        "a class's share of each split's images should be the same in every split; random "
        "splits wobble most for the rare classes",
        "per class, its share of each split's images; the gap is the largest share minus the "
        "smallest; the class with the largest gap"),
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
    "04.copies_of_rarest": (
        "materialize writes a copy for each draw beyond the images a key already has: the "
        "originals are drawn, not copied",
        "plan over the sampling keys at the cap asked; for the key with the fewest images, its "
        "draws minus its images"),
    "04.strength_at_half": (
        "the rarest class gets the full global strength and the commonest the least: "
        "strength follows rarity on a log scale",
        "strength x log(max / n) / log(max / min) for the class with the largest count n"),
    "05.uncertain_classes": (
        "a recall interval is wide when a class has few evaluation images: its half-width "
        "shrinks like 1 / sqrt(images)",
        "half-width = (recall_high - recall_low) / 2 for each class of report.to_frame(); "
        "count the classes above 0.10"),
    "05.more_for_rarest": (
        "halving an interval's width takes about four times the images",
        "the rarest class is the first row of report.to_frame(); its recall_more_10 column "
        "is the number of extra images"),
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


def _equal(answer, expected) -> bool:
    if isinstance(expected, tuple):
        return tuple(map(str, answer)) == tuple(map(str, expected))
    if isinstance(expected, (int, float, np.number)):
        return abs(float(answer) - float(expected)) <= 1e-6 * max(1.0, abs(float(expected)))
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
    elif _equal(answer, expected):
        problems = []
    else:
        diagnosis = spec.diagnose(answer, expected, catalog) if spec.diagnose else None
        problems = [f"{answer!r} is not it: {diagnosis or _direction(answer, expected)}"]
    if not problems:
        _WRONG[exercise] = 0
        message = spec.confirm(answer) if spec.confirm else f"yes: {answer!r}."
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
    return Solution(exercise, spec.question, expected, explanation)


# -- for a notebook of all the exercises ----------------------------------------------------------


def pose(exercise: str, **params):
    """The question of ``exercise`` as Markdown, to show above its answer cell, in the
    notebook parameters it depends on (``params``).

    >>> pose("03.worked_example").data[:40]
    '**03.worked_example.** Background 50,000'
    >>> pose("04.copies_of_rarest", max_oversample=5).data[:55]
    '**04.copies_of_rarest.** With a plan capped at 5x over '
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
