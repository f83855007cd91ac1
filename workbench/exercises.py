"""Answer checkers for the exercises posed in the notebooks.

Each exercise computes its expected answer from the dataset at hand, so the same
exercise works on the demo data and on a reader's own data::

    check("01.fewest_pixels", "crack", catalog)
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from workbench import measure
from workbench.catalog import Catalog


@dataclass(frozen=True)
class Feedback:
    """The verdict on one answer."""

    exercise: str
    correct: bool | None  # None: not answered yet
    message: str

    def __repr__(self) -> str:
        mark = {True: "correct", False: "not yet", None: "to do"}[self.correct]
        return f"[{self.exercise}: {mark}] {self.message}"

    def _repr_html_(self) -> str:
        colour = {True: "#2a9d8f", False: "#e76f51", None: "#888"}[self.correct]
        return (f"<div style='border-left:4px solid {colour};padding:4px 8px'>"
                f"<b>{self.exercise}</b>: {self.message}</div>")


@dataclass(frozen=True)
class Exercise:
    question: str
    hint: str
    expected: Callable[[Catalog], object]
    accept: Callable[[object, object], bool] | None = None  # default: equal as text


def _fewest_pixels(catalog: Catalog):
    if "pixels" not in measure.available_units(catalog):
        return None
    total = measure.class_counts(catalog, unit="pixels").total
    return str(total[total > 0].idxmin())


def _most_hidden(catalog: Catalog):
    overview = measure.condition_overview(catalog)
    if not len(overview):
        return None
    cls, value = overview["most_under_represented"].iloc[0].split(" @ ")
    return (cls, value)


def _naive_leaks(catalog: Catalog, seed: int = 0):
    from workbench.split import random_split, split_report

    if "group" not in catalog.samples.columns:
        return None
    return len(split_report(random_split(catalog, seed=seed)).leaking_groups)


def _naive_worst_class(catalog: Catalog, seed: int = 0):
    from workbench.split import random_split, split_report

    return split_report(random_split(catalog, seed=seed)).summary()["worst_class"]


SEED_EXERCISE_1 = {"Car": 6000, "Pedestrian": 2500, "Bicycle": 1200, "Wheelchair": 300}


def _exercise_1(_catalog):
    from workbench.sample import plan_resampling

    return plan_resampling(SEED_EXERCISE_1, total=8000, max_oversample=5).effective.to_dict()


def _plan3(catalog: Catalog):
    from workbench.sample import plan_resampling, sampling_keys

    return plan_resampling(sampling_keys(catalog), max_oversample=3)


def _copies_of_rarest(catalog: Catalog) -> int:
    plan = _plan3(catalog)
    rarest = plan.count.idxmin()
    return int(plan.effective[rarest] - plan.count[rarest])


def _plan_close(answer, expected) -> bool:
    """Exact for capped classes; the others may round either way by one."""
    answer = {str(k): int(v) for k, v in dict(answer).items()}
    if set(answer) != set(expected) or sum(answer.values()) != sum(expected.values()):
        return False
    return all(abs(answer[c] - expected[c]) <= 1 for c in expected)


def _evaluated(report, answer):
    """The answer from a notebook 05 report, or None where there is no report."""
    from workbench.evaluate import ClassificationReport

    return answer(report) if isinstance(report, ClassificationReport) else None


EXERCISES: dict[str, Exercise] = {
    "01.fewest_pixels": Exercise(
        "Which class has the fewest pixels (it may not be the rarest in images)?",
        "measure.class_counts(catalog, unit='pixels').total", _fewest_pixels),
    "01.classes_for_80": Exercise(
        "How many classes (largest first) hold 80% of the images?",
        "measure.long_tail(measure.class_counts(catalog)).n_classes_80",
        lambda c: measure.long_tail(measure.class_counts(c)).n_classes_80),
    "01.most_hidden": Exercise(
        "Which (class, condition value) is the most under-represented? Answer a tuple, "
        "e.g. ('crack', 'night').",
        "measure.condition_overview(catalog) and measure.hidden_imbalance(...).flagged()",
        _most_hidden),
    "02.naive_leaks": Exercise(
        "With seed 0, how many groups does the naive random split put in two or more splits?",
        "split.split_report(split.random_split(catalog, seed=0)).leaking_groups",
        _naive_leaks),
    "02.naive_worst_class": Exercise(
        "With seed 0, which class has the largest share gap between splits in the naive split?",
        "split.split_report(split.random_split(catalog, seed=0)).summary()['worst_class']",
        _naive_worst_class),
    "03.exercise_1": Exercise(
        "Car 6,000, Pedestrian 2,500, Bicycle 1,200, Wheelchair 300; 8,000 samples per epoch, "
        "at most 5x oversampling. How many of each per epoch? Answer a dict.",
        "the cap binds for Wheelchair (300 x 5); the others share the rest equally",
        _exercise_1, _plan_close),
    "04.copies_of_rarest": Exercise(
        "With a plan capped at 3x over the sampling keys, how many augmented copies of the "
        "rarest key does materialize write?",
        "plan.effective - plan.count for the key with the smallest count",
        _copies_of_rarest),
    "04.strength_at_half": Exercise(
        "At global strength 0.5, what strength does the most common class get?",
        "augment.class_strengths(measure.class_counts(catalog), strength=0.5)",
        lambda c: 0.0),
    "05.uncertain_classes": Exercise(
        "How many classes have a recall interval wider than +-0.10 on this evaluation split?",
        "count the classes whose (recall_high - recall_low) / 2 exceeds 0.1 in "
        "report.to_frame(): report.uncertain(halfwidth=0.1)",
        lambda report: _evaluated(report, lambda r: len(r.uncertain(halfwidth=0.1)))),
    "05.more_for_rarest": Exercise(
        "How many more evaluation images of the rarest class would bring its recall "
        "interval to +-0.10?",
        "the first row of report.to_frame() is the rarest class: its recall_more_10",
        lambda report: _evaluated(report, lambda r: int(
            r.to_frame().query("support > 0")["recall_more_10"].iloc[0]))),
    "03.worked_example": Exercise(
        "Background 50,000, Crack 1,500; max 5x, keep at least half of each class, 32,500 per "
        "epoch. How many Crack samples per epoch?",
        "sample.plan_resampling({...}, total=32500, max_oversample=5, min_keep=0.5)",
        lambda _c: 7500),
}


def _is_number(value) -> bool:
    try:
        float(value)
    except (TypeError, ValueError):
        return False
    return not isinstance(value, bool)


def check(exercise: str, answer, catalog: Catalog) -> Feedback:
    """Check ``answer`` to ``exercise`` on ``catalog``; None means not answered yet."""
    if exercise not in EXERCISES:
        raise ValueError(f"Unknown exercise {exercise!r}; known: {', '.join(EXERCISES)}.")
    spec = EXERCISES[exercise]
    expected = spec.expected(catalog)
    if expected is None:
        return Feedback(exercise, None, "this dataset cannot pose this exercise: it lacks "
                                        "what the question is about (try demo:surfaces).")
    if answer is None:
        return Feedback(exercise, None, f"{spec.question} Hint: {spec.hint}")
    if spec.accept is not None:
        correct = spec.accept(answer, expected)
    elif isinstance(expected, tuple):
        correct = tuple(map(str, answer)) == expected
    elif isinstance(expected, (int, float)) and _is_number(answer):
        correct = abs(float(answer) - float(expected)) <= 1e-6 * max(1.0, abs(float(expected)))
    else:
        correct = str(answer) == str(expected)
    if correct:
        return Feedback(exercise, True, f"yes: {answer!r}.")
    return Feedback(exercise, False, f"{answer!r} is not it. Hint: {spec.hint}")


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


def check_all(answers: dict, catalog: Catalog) -> Feedbacks:
    """Check several answers at once: ``{exercise: answer}``."""
    return Feedbacks(tuple(check(name, answer, catalog) for name, answer in answers.items()))
