"""The coding exercises' checkers: the package's way passes, typical wrong functions fail
with the diagnosis of what they get wrong, malformed answers never raise, and the hints
escalate with the attempts."""

import math

import numpy as np
import pytest

from workbench import coding
from workbench.coding import checker


def solved(name: str):
    namespace = {"np": np, "math": math}
    exec(coding.solution(name), namespace)
    return namespace[name]


def said(feedback) -> str:
    return " ".join([feedback.message, *feedback.details])


@pytest.mark.parametrize("name", list(coding.EXERCISES))
@pytest.mark.parametrize("seed", [0, 1, 2])
def test_the_worked_solution_passes_on_fresh_inputs(name, seed):
    feedback = coding.check(name, solved(name), seed=seed)
    assert feedback.correct is True, feedback
    assert "boundary cases and fresh random ones" in feedback.message


@pytest.mark.parametrize("name", list(coding.EXERCISES))
def test_every_stub_is_the_signature_and_is_not_yet_right(name):
    namespace = {"np": np}
    exec(coding.stub(name), namespace)
    feedback = coding.check(name, namespace[name], seed=0)
    assert feedback.correct is None and "returns None so far: fill in its body" in feedback.message
    assert checker._ATTEMPTS[name] == 0  # an untouched stub is not a wrong attempt


# -- typical wrong functions, written as a student would, each with its diagnosis -----------


def gini_ranks_from_zero(counts):  # off by one
    x = sorted(counts)
    n = len(x)
    return sum((2 * i - n - 1) * v for i, v in enumerate(x)) / (n * sum(x))


def gini_over_n_minus_one(counts):  # wrong denominator
    x = sorted(counts)
    n = len(x)
    return sum((2 * i - n - 1) * v for i, v in enumerate(x, 1)) / ((n - 1) * sum(x))


def gini_sorted_descending(counts):  # the order swapped
    x = sorted(counts, reverse=True)
    n = len(x)
    return sum((2 * i - n - 1) * v for i, v in enumerate(x, 1)) / (n * sum(x))


def iou_over_true_pixels(cm):  # wrong denominator: recall
    cm = np.asarray(cm, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return list(np.diag(cm) / cm.sum(axis=1))


def iou_over_predicted_pixels(cm):  # the axis swapped: precision
    cm = np.asarray(cm, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return list(np.diag(cm) / cm.sum(axis=0))


def iou_union_without_overlap(cm):  # TP counted twice in the union
    cm = np.asarray(cm, float)
    with np.errstate(invalid="ignore", divide="ignore"):
        return list(np.diag(cm) / (cm.sum(axis=0) + cm.sum(axis=1)))


def f1_is_accuracy(cm):
    return np.trace(cm) / np.sum(cm)


def f1_arithmetic(cm):
    cm = np.asarray(cm, float)
    p = np.nan_to_num(np.diag(cm) / cm.sum(axis=0))
    r = np.diag(cm) / cm.sum(axis=1)
    return float(np.mean((p + r) / 2))


def f1_axes_swapped(cm):  # precision from rows, recall from columns: F1 does not mind
    cm = np.asarray(cm, float)
    p = np.diag(cm) / cm.sum(axis=1)
    r = np.nan_to_num(np.diag(cm) / cm.sum(axis=0))
    with np.errstate(invalid="ignore"):
        return float(np.nan_to_num(2 * p * r / (p + r)).mean())


def weights_by_count(counts):  # direction
    total = sum(counts.values())
    return {c: n / total * len(counts) for c, n in counts.items()}


def weights_unscaled(counts):  # wrong denominator: no normalisation
    return {c: 1 / n for c, n in counts.items()}


def weights_sum_to_one(counts):
    raw = {c: 1 / n for c, n in counts.items()}
    return {c: w / sum(raw.values()) for c, w in raw.items()}


def repeat_per_box(images, t):  # wrong denominator: boxes, not images
    boxes = [c for labels in images for c in labels]
    r = {c: max(1.0, math.sqrt(t / (boxes.count(c) / len(boxes)))) for c in set(boxes)}
    return [max((r[c] for c in labels), default=1.0) for labels in images]


def repeat_mean_of_classes(images, t):
    f = {c: sum(c in labels for labels in images) / len(images)
         for labels in images for c in labels}
    r = {c: max(1.0, math.sqrt(t / f[c])) for c in f}
    return [float(np.mean([r[c] for c in labels])) if labels else 1.0 for labels in images]


def repeat_without_floor(images, t):
    f = {c: sum(c in labels for labels in images) / len(images)
         for labels in images for c in labels}
    return [max((math.sqrt(t / f[c]) for c in labels), default=1.0) for labels in images]


def plan_int_each(counts, total, cap):  # off by one: int() drops the remainders
    free, left = dict(counts), total
    plan = {}
    while True:
        share = left / len(free)
        capped = {c: int(n * cap) for c, n in free.items() if n * cap < share}
        if not capped:
            break
        plan.update(capped)
        left -= sum(capped.values())
        free = {c: n for c, n in free.items() if c not in capped}
    plan.update({c: int(left / len(free)) for c in free})
    return {c: plan[c] for c in counts}


def plan_without_cap(counts, total, cap):
    share, extra = divmod(total, len(counts))
    return {c: share + (i < extra) for i, c in enumerate(counts)}


def quotas_equal(labelled, available, n):
    share, extra = divmod(n, len(labelled))
    return [min(a, share + (i < extra)) for i, a in enumerate(available)]


def quotas_round_robin(labelled, available, n):  # the labelled counts ignored
    quota, i = [0] * len(labelled), 0
    for _ in range(min(n, sum(available))):
        while quota[i % len(quota)] >= available[i % len(quota)]:
            i += 1
        quota[i % len(quota)] += 1
        i += 1
    return quota


def quotas_without_limit(labelled, available, n):
    quota = [0] * len(labelled)
    for _ in range(min(n, sum(available))):
        i = min(range(len(quota)), key=lambda k: labelled[k] + quota[k])
        quota[i] += 1
    return quota


def quotas_one_short(labelled, available, n):  # off by one: range(n - 1)
    quota = [0] * len(labelled)
    for _ in range(min(n, sum(available)) - 1):
        open_ = [i for i in range(len(quota)) if quota[i] < available[i]]
        quota[min(open_, key=lambda i: labelled[i] + quota[i])] += 1
    return quota


WRONG = [
    ("gini", gini_ranks_from_zero, "the ranks start at 0"),
    ("gini", gini_over_n_minus_one, "divides by (n - 1) x total"),
    ("gini", gini_sorted_descending, "sorted from largest to smallest"),
    ("per_class_iou", iou_over_true_pixels, "this is recall"),
    ("per_class_iou", iou_over_predicted_pixels, "this is precision"),
    ("per_class_iou", iou_union_without_overlap, "counts TP twice"),
    ("macro_f1", f1_is_accuracy, "this is accuracy"),
    ("macro_f1", f1_arithmetic, "not their average"),
    ("inverse_weights", weights_by_count, "the rarest class gets the smallest weight"),
    ("inverse_weights", weights_unscaled, "not scaled"),
    ("inverse_weights", weights_sum_to_one, "the weights sum to 1"),
    ("repeat_factors", repeat_per_box, "f(c) counts boxes"),
    ("repeat_factors", repeat_mean_of_classes, "averages an image's class factors"),
    ("repeat_factors", repeat_without_floor, "factors below 1"),
    ("capped_plan", plan_int_each, "your plan sums to"),
    ("capped_plan", plan_without_cap, "is over the 5x cap"),
    ("balanced_quotas", quotas_equal, "the quotas sum to 7, not the 8 picks"),
    ("balanced_quotas", quotas_round_robin, "the classes with the fewest labels must fill"),
    ("balanced_quotas", quotas_without_limit, "but has 1 candidates"),
    ("balanced_quotas", quotas_one_short, "the quotas sum to 7, not the 8 picks"),
]


@pytest.mark.parametrize("name, wrong, diagnosis", WRONG,
                         ids=[w.__name__ for _, w, _ in WRONG])
def test_a_typical_wrong_function_is_told_what_it_gets_wrong(name, wrong, diagnosis):
    feedback = coding.check(name, wrong, seed=0, attempt=1)
    assert feedback.correct is False
    assert feedback.message.startswith(f"On {name}(") and "the package gives" in feedback.message
    assert diagnosis in said(feedback), feedback


def test_the_input_shown_is_the_first_where_the_function_differs():
    feedback = coding.check("gini", gini_sorted_descending, seed=0, attempt=1)
    # [5, 5] is right either way; [1, 0] is the first boundary case it gets wrong
    assert feedback.message == "On gini([1, 0]) it returns -0.5; the package gives 0.5."


def test_a_macro_f1_with_the_axes_swapped_is_still_right():
    """F1 is symmetric in precision and recall: swapping the axes is no mistake here."""
    assert coding.check("macro_f1", f1_axes_swapped, seed=0).correct is True


def test_a_function_right_on_the_boundaries_only_is_caught_on_the_random_inputs():
    known = {(5, 5): 0.0, (1, 0): 0.5, (9, 1): 0.4, (0, 0, 7): 2 / 3, (3, 1, 2, 8): 22 / 56}

    def memorised(counts):
        return known.get(tuple(counts), 0.25)

    feedback = coding.check("gini", memorised, seed=0, attempt=1)
    assert feedback.correct is False
    assert "it returns 0.25" in feedback.message


def test_a_function_that_changes_its_input_is_shown_the_input_it_was_given():
    def scribbles(counts):
        counts[0] = 99
        return -1.0

    feedback = coding.check("gini", scribbles, seed=0, attempt=1)
    assert feedback.message == "On gini([5, 5]) it returns -1.0; the package gives 0.0."


def test_a_constant_factor_off_is_named_as_one():
    feedback = coding.check("per_class_iou", lambda cm: [2 * v for v in
                                                         solved("per_class_iou")(cm)],
                            seed=0, attempt=1)
    assert "always 2 times the right value" in said(feedback)


# -- malformed answers: feedback, never an exception ----------------------------------------


def raises(counts):
    raise KeyError("oops")


MALFORMED = [
    ("not a function", "gini", "gini(counts)", "pass the function itself"),
    ("raises", "gini", raises, "it raised KeyError: 'oops'"),
    ("returns text", "gini", lambda counts: "0.4", None),
    ("a list for a dict", "inverse_weights", lambda c: [1.0] * len(c),
     "return a dict by class"),
    ("a dict for a list", "balanced_quotas", lambda lab, av, n: {"a": n},
     "return a list of"),
    ("too few numbers", "per_class_iou", lambda cm: [0.5], "numbers, not"),
    ("NaN", "macro_f1", lambda cm: float("nan"), "it returns nan"),
    ("no answer yet", "gini", None, "Write `gini` in the cell above"),
]


@pytest.mark.parametrize("what, name, answer, told", MALFORMED, ids=[m[0] for m in MALFORMED])
def test_a_malformed_answer_gets_feedback_and_never_raises(what, name, answer, told):
    feedback = coding.check(name, answer, seed=0)
    assert feedback.correct in (False, None)
    if told:
        assert told in said(feedback), feedback


def test_a_function_that_returns_nothing_on_some_inputs_is_a_wrong_attempt():
    def forgets_a_branch(counts):
        if len(counts) > 4:
            return None
        return solved("gini")(counts)

    feedback = coding.check("gini", forgets_a_branch, seed=0, attempt=1)
    assert feedback.correct is False and "it returns None" in feedback.message
    assert "ends without `return`" in said(feedback)
    assert checker._ATTEMPTS["gini"] == 1


def test_an_unknown_exercise_names_the_known_ones():
    with pytest.raises(ValueError, match="known: capped_plan, gini"):
        coding.check("ginni", gini_ranks_from_zero)


# -- hints that escalate ------------------------------------------------------------------------


def test_hints_escalate_with_the_attempts_and_the_code_comes_only_on_request():
    first = coding.check("gini", gini_over_n_minus_one, seed=0)
    second = coding.check("gini", gini_over_n_minus_one, seed=0)
    third = coding.check("gini", gini_over_n_minus_one, seed=0)
    for feedback in (first, second, third):
        assert "divides by (n - 1) x total" in said(feedback)
    assert not any(d.startswith(("Think:", "Method:")) for d in first.details)
    assert any(d.startswith("Think:") for d in second.details)
    assert not any(d.startswith("Method:") for d in second.details)
    assert any(d.startswith("Method:") for d in third.details)
    assert "solution('gini')" in said(third)
    assert "sum((2 * i - n - 1)" not in said(third)  # the code itself only on request
    assert coding.check("gini", solved("gini"), seed=0).correct is True
    again = coding.check("gini", gini_over_n_minus_one, seed=0)  # a right answer resets
    assert not any(d.startswith("Think:") for d in again.details)


def test_fresh_inputs_differ_between_seeds():
    exercise = coding.EXERCISES["gini"]
    first = checker._inputs(exercise, 0)[len(exercise.boundaries):]
    second = checker._inputs(exercise, 1)[len(exercise.boundaries):]
    assert first != second and len(first) == exercise.cases
