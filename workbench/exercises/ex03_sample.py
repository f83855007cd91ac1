"""Notebook 03's exercises (sample): the resampling plans of the lesson's exercise 1
and worked example, with only the rounding the problem forces."""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np
import pandas as pd

from workbench.errors import some
from workbench.exercises.model import _is_number, _n

LESSON_EXERCISE_1 = {"Car": 6000, "Pedestrian": 2500, "Bicycle": 1200, "Wheelchair": 300}


WORKED_EXAMPLE = {"Background": 50000, "Crack": 1500}


def _exercise_1_plan():
    from workbench.sample import plan_resampling

    return plan_resampling(LESSON_EXERCISE_1, total=8000, max_oversample=5)


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

    Parameters
    ----------
    plan : ResamplingPlan
        The exercise's plan.

    Returns
    -------
    dict of str to tuple of int
        Allowed draws per class.

    Examples
    --------
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
