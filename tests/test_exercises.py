import pytest
from shapes import SHAPES

from workbench.exercises import EXERCISES, check, check_all, pose, solution, solutions_report
from workbench.sources import load


@pytest.fixture(scope="module")
def surfaces():
    return load("demo:surfaces")


def test_answers_are_checked_against_the_data(surfaces):
    # pixels / images: stain 73,904 / 103 = 718, dent 24,339 / 72 = 338, scratch 92, crack 86
    assert check("01.pixels_per_image", "stain", surfaces).correct is True
    assert check("01.pixels_per_image", "dent", surfaces).correct is False
    # the second condition of the overview, camera: scratch @ C +2.75, stain @ C +2.65
    assert check("01.most_over", ("scratch", "C"), surfaces).correct is True
    assert check("01.most_over", ("stain", "C"), surfaces).correct is False
    assert check("01.most_over", ("crack", "day"), surfaces).correct is False  # the first
    # effective numbers (beta 0.999): intact 1,650 -> 808.11, crack 59 -> 57.32; 14.098
    assert check("01.effective_ratio", 14.1, surfaces).correct is True
    assert check("01.effective_ratio", "14.05", surfaces).correct is True  # within 0.05
    assert check("01.effective_ratio", 14.0, surfaces).correct is False
    assert check("01.effective_ratio", 14.2, surfaces).correct is False
    assert check("01.effective_ratio", None, surfaces).correct is None


def test_feedback_renders_and_scores(surfaces):
    feedback = check_all({"01.pixels_per_image": "stain", "01.effective_ratio": 3}, surfaces)
    assert feedback.score == (1, 2)
    assert "1 of 2 correct" in feedback._repr_html_()


def test_exercise_the_dataset_cannot_pose():
    digits = load("demo:digits")
    assert check("01.pixels_per_image", "3", digits).correct is None  # no masks
    with pytest.raises(ValueError, match="Unknown exercise 'nope'"):
        check("nope", 1, digits)


def test_sample_exercises(surfaces):
    exact = {"Car": 2167, "Pedestrian": 2167, "Bicycle": 2166, "Wheelchair": 1500}
    assert check("03.exercise_1", exact, surfaces).correct is True
    rounded_other_way = {"Car": 2166, "Pedestrian": 2167, "Bicycle": 2167, "Wheelchair": 1500}
    assert check("03.exercise_1", rounded_other_way, surfaces).correct is True
    uncapped = {"Car": 2000, "Pedestrian": 2000, "Bicycle": 2000, "Wheelchair": 2000}
    assert check("03.exercise_1", uncapped, surfaces).correct is False
    assert check("03.worked_example", 7500, surfaces).correct is True


def test_augment_exercises(surfaces):
    from workbench.sample import plan_resampling, sampling_keys

    plan = plan_resampling(sampling_keys(surfaces), max_oversample=6)  # 3x doubled
    assert (plan.count["crack"], plan.effective["crack"]) == (50, 300)  # the cap binds
    assert check("04.copies_at_double_cap", 250, surfaces).correct is True
    assert check("04.copies_at_double_cap", 100, surfaces).correct is False  # at 3x
    # strength 0.5 at n = sqrt(1,650 x 59) = 312.01; to the nearest image
    assert check("04.count_at_half", 312, surfaces).correct is True
    assert check("04.count_at_half", 312.4, surfaces).correct is True
    assert check("04.count_at_half", 313, surfaces).correct is False
    assert check("04.count_at_half", 854.5, surfaces).correct is False  # the arithmetic mean


# -- 03.exercise_1: exact, with only the rounding the problem forces ------------------------------

EXACT = {"Car": 2167, "Pedestrian": 2167, "Bicycle": 2166, "Wheelchair": 1500}


@pytest.mark.parametrize("plan", [
    EXACT,
    {"Car": 2166, "Pedestrian": 2167, "Bicycle": 2167, "Wheelchair": 1500},
    {"Car": 2167, "Pedestrian": 2166, "Bicycle": 2167, "Wheelchair": 1500.0},
    {"Wheelchair": 1500, "Bicycle": 2166, "Pedestrian": 2167, "Car": 2167},
])
def test_exercise_1_accepts_the_plan_and_its_rounding_variants(plan):
    assert check("03.exercise_1", plan).correct is True


@pytest.mark.parametrize("plan, message", [
    (EXACT | {"Wheelchair": 1501, "Car": 2166},
     "Wheelchair is over the 5x cap (1,501 > 1,500)."),
    (EXACT | {"Pedestrian": 2166}, "your plan sums to 7,999, not 8,000."),
    (EXACT | {"Bicycle": 2165}, "Bicycle (2,165): not an equal share"),
    (EXACT | {"Bicycle": 2167}, "your plan sums to 8,001, not 8,000."),
    (EXACT | {"Car": 2168, "Pedestrian": 2166},
     "Car (2,168): not an equal share of what the limits leave; the 3 classes no limit holds "
     "share 6,500 (2,166.67 each: round it down or up)."),
    (EXACT | {"Wheelchair": 1499, "Car": 2168},
     "2 problems:"),
    ({k: v for k, v in EXACT.items() if k != "Bicycle"},
     "your plan lacks 'Bicycle': every class is drawn each epoch."),
    (EXACT | {"Truck": 0}, "'Truck' is not among the classes"),
    (EXACT | {"Car": 2166.5, "Bicycle": 2166.5}, "Car: 2166.5 is not a whole number"),
])
def test_exercise_1_rejects_near_misses_and_says_why(plan, message):
    feedback = check("03.exercise_1", plan)
    assert feedback.correct is False
    assert message in " ".join([feedback.message, *feedback.details])


def test_exercise_1_diagnoses_each_problem():
    feedback = check("03.exercise_1", {"Car": 2000, "Pedestrian": 2000, "Bicycle": 2000,
                                       "Wheelchair": 2000})
    assert feedback.details[0] == "Wheelchair is over the 5x cap (2,000 > 1,500)"
    assert feedback.details[1].startswith("Car (2,000), Pedestrian (2,000), Bicycle (2,000): ")
    held_back = check("03.exercise_1", EXACT | {"Wheelchair": 1499, "Car": 2168})
    assert held_back.details[0] == ("Wheelchair is held back (1,499): it may be drawn up to 5x "
                                    "(1,500), and balancing needs all of it")


def test_allowed_counts_exact_when_the_share_is_whole():
    from workbench.exercises.ex03_sample import _plan_problems, allowed_counts
    from workbench.sample import plan_resampling

    whole = plan_resampling({"a": 100, "b": 100, "c": 10}, total=250, max_oversample=5)
    assert allowed_counts(whole) == {"a": (100,), "b": (100,), "c": (50,)}
    assert _plan_problems({"a": 100, "b": 100, "c": 50}, whole) == []
    assert _plan_problems({"a": 101, "b": 99, "c": 50}, whole)
    floored = plan_resampling({"Background": 50000, "Crack": 1500}, total=32500,
                              max_oversample=5, min_keep=0.5)
    assert allowed_counts(floored) == {"Background": (25000,), "Crack": (7500,)}
    assert _plan_problems({"Background": 25001, "Crack": 7499}, floored) == [
        "Background keeps more than balancing needs (25,001): it may drop to 25,000",
        "Crack is held back (7,499): it may be drawn up to 5x (7,500), and balancing needs all "
        "of it"]


# -- answers of the wrong shape, data without what an exercise needs ----------------------------


@pytest.mark.parametrize("exercise, answer, message", [
    ("03.exercise_1", [2167, 2167, 2166, 1500],
     "answer a dict like {'Car': ..., 'Pedestrian': ..., 'Bicycle': ..., 'Wheelchair': ...}, "
     "not a list"),
    ("03.exercise_1", "Car 2167", "answer a dict like"),
    ("06.exercise_2", ["target", 2000], "answer a dict like {'target': ..."),
    ("01.most_over", "crack", "answer a tuple of 2 like (..., ...), not a str"),
    ("01.most_over", ("crack",), "answer a tuple of 2 values, not 1"),
    ("01.most_over", {"crack": "night"}, "answer a tuple of 2"),
    ("01.effective_ratio", "one", "answer a number, not a str"),
    ("01.effective_ratio", [1], "answer a number, not a list"),
    ("01.pixels_per_image", ["crack"], "answer one name as text, not a list"),
])
def test_answers_of_the_wrong_shape_get_feedback(surfaces, exercise, answer, message):
    feedback = check(exercise, answer, surfaces)
    assert feedback.correct is False and message in feedback.message


def test_wrong_answers_are_diagnosed(surfaces):

    assert "'crak' is not a class of this dataset" in check(
        "01.most_over", ("crak", "day"), surfaces).message
    assert "(residual -2.6), not more" in check("01.most_over", ("intact", "C"),
                                                 surfaces).message
    assert "'day' is not a value of camera" in check("01.most_over", ("crack", "day"),
                                                          surfaces).message
    assert "'rust' is not a class" in check("01.pixels_per_image", "rust", surfaces).message
    assert "intact is the background" in check("01.pixels_per_image", "intact",
                                               surfaces).message
    assert "Crack is over the 5x cap (8,000 > 7,500)" in check(
        "03.worked_example", 8000).message
    assert "materialize writes only the draws beyond" in check(
        "04.copies_at_double_cap", 300, surfaces).message
    assert "what section 4 wrote at 3x" in check("04.copies_at_double_cap", 100,
                                                  surfaces).message
    assert "halfway between their logs" in check("04.count_at_half", 854.5, surfaces).message
    undiagnosed = check("02.leak_share", 0.1, surfaces)
    assert undiagnosed.message == "0.1 is not it: the answer is larger."
    assert "split_report" not in repr(undiagnosed)  # the code only on request


def test_catalog_is_optional_where_the_exercise_carries_its_numbers(surfaces):
    assert check("03.exercise_1", EXACT).correct is True
    assert check("03.worked_example", 7500).correct is True
    assert check("03.exercise_1", EXACT, surfaces).correct is True
    needs = check("01.pixels_per_image", "crack")
    assert needs.correct is None and "computed from the catalog" in needs.message
    report = check("05.uncertain_f1", 1, surfaces)
    assert report.correct is None and "evaluation report" in report.message
    from workbench.errors import Missing

    missing = check("05.uncertain_f1", 1, Missing("The catalog has no image labels."))
    assert missing.message == ("this exercise cannot be posed here: The catalog has no image "
                               "labels.")


@pytest.mark.filterwarnings("ignore::workbench.errors.DataWarning")
@pytest.mark.parametrize("shape", sorted(SHAPES))
def test_every_exercise_on_every_shape_answers_without_raising(tmp_path, shape):
    catalog = load(SHAPES[shape](tmp_path / shape))
    answers = [None, 1, 0.5, "x", ("a", "b"), ("a", "b", "c"), {"a": 1}, [1, 2], True]
    for name in EXERCISES:
        for answer in answers:
            feedback = check(name, answer, catalog)
            assert feedback.correct in (True, False, None), (name, answer)
        posed = solution(name, catalog)
        if posed.answer is None:
            assert check(name, 1, catalog).correct is None
            assert "cannot pose" in posed.explanation or "computed from" in posed.explanation
        else:
            assert check(name, posed.answer, catalog).correct is True, (shape, name)


# -- solutions ------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def report():
    """A 4-class evaluation with a rare class of 4 images: its recall interval is wide."""
    import numpy as np
    import pandas as pd

    from workbench.catalog import Catalog
    from workbench.evaluate import Predictions, classification_report

    labels = ["a"] * 40 + ["b"] * 20 + ["c"] * 8 + ["d"] * 4
    ids = [f"s{i:03d}" for i in range(len(labels))]
    samples = pd.DataFrame({"filepath": [f"{i}.png" for i in ids], "width": 10, "height": 6,
                            "label": labels, "split": "test"}, index=ids)
    catalog = Catalog(samples, classes=["a", "b", "c", "d"])
    rng = np.random.default_rng(0)
    codes = np.array(["abcd".index(c) for c in labels])
    logits = rng.normal(0, 1, (len(labels), 4)) + 2 * np.eye(4)[codes]
    scores = pd.DataFrame(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True),
                          index=ids, columns=list("abcd"))
    return classification_report(catalog, Predictions(classes=catalog.classes, scores=scores),
                                 n_boot=50)


@pytest.fixture(scope="module")
def split_surfaces(surfaces):
    """demo:surfaces with the split notebook 02 hands on, and made-up image scores (each
    image's label raised over noise): the mini challenge's hard negatives then need no
    trained model (the baseline probe on 2,000 images took most of this module's time;
    the probe's path is run on every shape above)."""
    import numpy as np
    import pandas as pd

    from workbench.evaluate import Predictions
    from workbench.split import chosen_split

    catalog = chosen_split(surfaces)
    classes = [str(c) for c in catalog.classes]
    codes = pd.Categorical(catalog.samples["label"].astype(str), categories=classes).codes
    logits = (np.random.default_rng(0).normal(0, 1, (len(catalog), len(classes)))
              + 2 * np.eye(len(classes))[codes])
    scores = pd.DataFrame(np.exp(logits) / np.exp(logits).sum(axis=1, keepdims=True),
                          index=catalog.samples.index, columns=classes)
    return catalog, Predictions(classes=tuple(classes), scores=scores, source="made up")


def test_every_solution_passes_its_own_checker(surfaces, split_surfaces, report):
    split, predictions = split_surfaces
    for name, spec in EXERCISES.items():
        data = {"report": report, "catalog": surfaces, None: None}[spec.needs]
        if spec.uses_predictions:
            data = split
        posed = solution(name, data, predictions=predictions)
        assert posed.answer is not None, name
        assert check(name, posed.answer, data, predictions=predictions).correct is True, name
        assert len(posed.explanation) > 80, name
        assert name in posed.to_markdown() and repr(posed).startswith(f"[{name} solution]")
    # Read off the report's table (two decimals): F1 half-widths d (0.80 - 0.17) / 2 = 0.31,
    # c (1.00 - 0.55) / 2 = 0.23, b 0.10, a 0.07: two over 0.15. Precision widths d 0.49,
    # c 0.49 (0.487 to three decimals), b 0.31, a 0.11: d, by a hair.
    assert solution("05.uncertain_f1", report).answer == 2
    assert solution("05.widest_precision", report).answer == "d"


def test_mini_challenge_is_the_page_of_the_predictions_given(split_surfaces):
    from workbench.collect import one_page_plan

    split, predictions = split_surfaces
    page = solution("06.mini_challenge", split, predictions=predictions).answer
    assert page == one_page_plan(split, predictions=predictions).to_dict()
    from workbench.catalog import indicator

    holds = indicator(split)[page["class"]]  # the two top scores of images without it
    without = predictions.scores.loc[~holds.reindex(predictions.scores.index), page["class"]]
    assert [h.split(" ")[0] for h in page["hard_negatives"]] == list(
        without.nlargest(2).index)
    unanswered = check("06.mini_challenge", None, split, predictions=predictions)
    assert unanswered.correct is None and "Answer a dict: start from collect.one_page_plan" in (
        unanswered.message)


def test_solutions_state_the_numbers_of_the_data(surfaces):
    assert "Wheelchair has only 300 and may be drawn at most 5x: 1,500" in solution(
        "03.exercise_1").explanation
    assert solution("03.exercise_1").answer == EXACT
    assert "2,166.67 each" in solution("03.exercise_1").explanation
    assert "Both limits bind" in solution("03.worked_example").explanation
    playbook = solution("06.exercise_2")
    assert "reaches 2,000 Wheelchair on day 13 of 14" in playbook.explanation
    from workbench import measure

    pixels = solution("01.pixels_per_image", surfaces)
    n = int(measure.class_counts(surfaces, unit="pixels").total["stain"])
    assert pixels.answer == "stain" and f"stain {n:,} / 103 = 718" in pixels.explanation
    missing = solution("01.pixels_per_image")
    assert missing.answer is None and "computed from the catalog" in missing.explanation


# -- the exercises notebook: questions and the solutions report -----------------------------------


@pytest.mark.parametrize("name", list(EXERCISES))
def test_pose_shows_the_question(name):
    spec = EXERCISES[name]
    assert pose(name).data == f"**{name}.** {spec.question.format(**spec.params)}"
    assert "{" not in pose(name).data


def test_pose_refuses_an_unknown_exercise():
    with pytest.raises(ValueError, match="Unknown exercise '01.nope'; known: 01.pixels_per_image"):
        pose("01.nope")


def test_solutions_report_shows_every_answer_or_hides_them(split_surfaces, report):
    import pprint

    split, predictions = split_surfaces
    shown = solutions_report(split, report, predictions=predictions).data
    assert shown.startswith("The answers worked out on this dataset: 13 of the 13 exercises "
                            "are posed here.")
    at = [shown.index(f"**{name}.** {spec.question.format(**spec.params)}")
          for name, spec in EXERCISES.items()]
    assert at == sorted(at)  # in the notebooks' order, each under its notebook's heading
    assert [h for h in shown.splitlines() if h.startswith("### ")] == [
        f"### From notebook 0{n}" for n in range(1, 7)]
    for name, spec in EXERCISES.items():
        data = {"report": report, "catalog": split, None: None}[spec.needs]
        worked = solution(name, data, predictions=predictions)
        assert pprint.pformat(worked.answer, sort_dicts=False, width=88) in shown, name
        assert worked.explanation in shown, name
    assert "'Wheelchair': 1500" in shown and "may be drawn at most 5x: 1,500" in shown

    hidden = solutions_report(split, report, predictions=predictions, enabled=False).data
    assert hidden.startswith("The solutions are hidden") and "`solutions = True`" in hidden
    assert "1500" not in hidden and "1,500" not in hidden
    assert not any(name in hidden for name in EXERCISES)
    assert len(hidden.splitlines()) == 1


def test_solutions_report_says_which_exercises_the_data_cannot_pose():
    from workbench.errors import Missing

    text = solutions_report(None, Missing("The catalog has no image labels.")).data
    assert text.startswith("The answers worked out on this dataset: 3 of the 13 exercises are "
                           "posed here; the other 10 say why not.")
    question = EXERCISES["05.uncertain_f1"].question
    assert (f"**05.uncertain_f1.** {question}\n\n> This exercise cannot be posed here: "
            "The catalog has no image labels.") in text
    assert "> This exercise is computed from the catalog" in text
    assert "'Wheelchair': 1500" in text  # 03.exercise_1 carries its own numbers



# -- feedback that escalates, answers read as a person would, nothing raises ----------------


def test_feedback_on_a_repeated_wrong_answer_escalates_and_never_shows_the_code():
    from workbench.exercises import hint

    said = [check("03.worked_example", 8000) for _ in range(3)]
    for feedback in said:
        assert feedback.message == "8000 is not it: Crack is over the 5x cap (8,000 > 7,500)."
        assert "plan_resampling" not in repr(feedback)
    assert said[0].details == ()
    assert [d.split(":")[0] for d in said[1].details] == ["Think"]
    assert [d.split(":")[0] for d in said[2].details] == [
        "Think", "Method", "The code, if you want it"]
    assert "exercises.hint('03.worked_example')" in said[2].details[-1]
    assert hint("03.worked_example").startswith("sample.plan_resampling(")
    assert check("03.worked_example", 7500).correct is True
    assert check("03.worked_example", 8000).details == ()  # a right answer starts over


def test_the_hint_level_can_be_set_and_counts_per_exercise():
    assert check("03.worked_example", 8000, attempt=3).details[0].startswith("Think:")
    check("03.worked_example", 8000)
    check("03.worked_example", 8000)
    assert check("03.exercise_1", {"Car": 1}).details == ()  # its own count


def test_answers_are_read_as_a_person_writes_them(surfaces):
    assert check("03.worked_example", "7,500").message == "yes: 7500."  # as written, no .0
    assert check("03.worked_example", " 7500 ").correct is True
    exact = {" car": "2,167", "PEDESTRIAN": 2167, "Bicycle ": 2166, "wheelchair": "1500"}
    assert check("03.exercise_1", exact).correct is True
    most = solution("01.pixels_per_image", surfaces).answer
    assert check("01.pixels_per_image", f"  {most.upper()} ", surfaces).correct is True
    cls, value = solution("01.most_over", surfaces).answer
    assert check("01.most_over", [cls.title(), f" {value.upper()}"], surfaces).correct is True


@pytest.mark.parametrize("answer", [object(), float("nan"), {1, 2}, b"7500", print,
                                    [[7500]], {"Crack": 7500}, "seven thousand", True])
def test_a_malformed_answer_never_raises_and_says_what_to_give(answer):
    feedback = check("03.worked_example", answer)
    assert feedback.correct is False and "answer a number" in feedback.message


@pytest.mark.parametrize("answer", [[2167, 2166, 2166, 1500], "Car: 2167", 8000, None.__class__,
                                    {"Car": object()}, {("Car",): 1}])
def test_a_malformed_plan_never_raises(answer):
    feedback = check("03.exercise_1", answer)
    assert feedback.correct is False
    assert feedback.message


def test_one_malformed_answer_does_not_hide_the_others(surfaces):
    most = solution("01.pixels_per_image", surfaces).answer
    block = check_all({"01.pixels_per_image": most, "01.effective_ratio": {"what": "?"},
                       "01.most_over": 3}, surfaces)
    verdicts = [f.correct for f in block.items]
    assert verdicts == [True, False, False]
    assert "answer a number" in block.items[1].message
    assert "answer a tuple of 2" in block.items[2].message


def test_a_checker_that_fails_on_an_answer_says_so_instead_of_raising(surfaces, monkeypatch):
    from dataclasses import replace

    from workbench import exercises

    def broken(answer, expected, catalog, **params):
        raise TypeError("cannot compare")

    spec = replace(exercises.EXERCISES["02.leak_share"], diagnose=broken)
    monkeypatch.setitem(exercises.EXERCISES, "02.leak_share", spec)
    feedback = check("02.leak_share", 10**6, surfaces)
    assert feedback.correct is False
    assert feedback.message == "this answer could not be read (TypeError: cannot compare)."


def test_answers_follow_the_parameters_the_student_set(surfaces):
    from workbench.sample import plan_resampling, sampling_keys

    # The rarest key, crack, has 50 images. Doubled from 3x, the cap (6x) binds: 300 draws,
    # 250 copies. Doubled from 5x (10x), the epoch's size binds before the cap: 400, 350.
    plan = plan_resampling(sampling_keys(surfaces), max_oversample=10)
    assert (plan.count["crack"], plan.effective["crack"]) == (50, 400)
    at_6, at_10 = 250, 350
    assert check("04.copies_at_double_cap", at_6, surfaces).correct is True
    assert check("04.copies_at_double_cap", at_10, surfaces, max_oversample=5).correct is True
    assert check("04.copies_at_double_cap", at_10, surfaces).correct is False  # default 3x
    assert solution("04.copies_at_double_cap", surfaces, max_oversample=5).answer == at_10
    assert "capped at 5x. With the cap doubled" in pose("04.copies_at_double_cap",
                                                        max_oversample=5).data
    assert "max_oversample=10)" in solution("04.copies_at_double_cap", surfaces,
                                            max_oversample=5).explanation
    seeds = {s: solution("02.leak_share", surfaces, seed=s).answer for s in (0, 1, 2)}
    assert len(set(seeds.values())) > 1  # the seed changes the answer
    assert check("02.leak_share", round(seeds[1], 2), surfaces, seed=1).correct is True
    assert "With seed 1," in pose("02.leak_share", seed=1).data
    block = check_all({"02.leak_share": round(seeds[2], 2), "01.effective_ratio": None},
                      surfaces, seed=2)  # each exercise takes the parameters it depends on
    assert [f.correct for f in block.items] == [True, None]
    with pytest.raises(ValueError, match=r"depends on the parameters \['seed', 'fractions'\], "
                                         r"not \['sed'\]"):
        check("02.leak_share", 1, surfaces, sed=1)
    # fractions: a smaller test split leaves the rarest class fewer images
    wide = solution("02.naive_fewest_rare", surfaces).answer
    narrow = solution("02.naive_fewest_rare", surfaces, fractions=[0.9, 0.05, 0.05]).answer
    assert narrow < wide
    assert check("02.naive_fewest_rare", narrow, surfaces,
                 fractions=[0.9, 0.05, 0.05]).correct is True


# -- each numeric and choice exercise: a typical wrong answer, three times ------------------

WRONG_FIRST = [  # on demo:surfaces; (exercise, a typical wrong answer, what the first says)
    ("01.pixels_per_image", "dent", "dent covers 338 pixels per image it appears in"),
    ("01.effective_ratio", 28.0, "28.0 is the ratio of the counts"),
    ("01.most_over", ("intact", "C"), "fewer intact images than independence predicts"),
    ("01.most_over", ("stain", "C"), "stain @ C is over-represented (residual +2.7), but "
                                     "another cell more so"),
    ("02.leak_share", 321, "321 is the number of leaking groups; divide it by the 377 groups"),
    ("02.leak_share", 85.1, "that is a percentage; answer a share from 0 to 1"),
    ("02.naive_fewest_rare", 6, "that is the fewest with seed 0; another of the ten seeds"),
    ("04.copies_at_double_cap", 100, "that is what section 4 wrote at 3x; plan again at 6x"),
    ("04.count_at_half", 854.5, "halfway is halfway between their logs"),
    ("04.count_at_half", 0.5, "answer a number of images, not a strength"),
    ("05.uncertain_f1", 9, "only 4 classes have an F1 interval here"),
    ("05.widest_precision", "c", "c's precision interval is 0.48 wide; another's is wider"),
]


@pytest.mark.parametrize("exercise, wrong, first", WRONG_FIRST,
                         ids=[f"{e}={w!r}" for e, w, _ in WRONG_FIRST])
def test_a_wrong_answer_is_diagnosed_then_the_idea_then_the_method(surfaces, report, exercise,
                                                                    wrong, first):
    spec = EXERCISES[exercise]
    data = report if spec.needs == "report" else surfaces
    said = [check(exercise, wrong, data) for _ in range(3)]
    assert [f.correct for f in said] == [False] * 3
    assert first in said[0].message and said[0].details == ()
    assert said[1].message == said[0].message
    assert said[1].details == (f"Think: {spec.concept}",)
    assert said[2].details == (f"Think: {spec.concept}", f"Method: {spec.method}",
                               f"The code, if you want it: exercises.hint({exercise!r}).")
    assert all(spec.code not in repr(f) for f in said)
    right = solution(exercise, data).answer
    assert right != wrong and check(exercise, right, data).correct is True


def test_the_widest_precision_interval_need_not_be_the_rarest_class():
    """The rarest class (3 images) called 40 times has a narrow precision interval; a class
    of 30 images called 4 times, a wide one."""
    import pandas as pd

    from workbench.exercises.ex05_evaluate import _widest_precision, _widest_precision_diagnosis

    class Report:  # what the exercise reads of a classification report
        def to_frame(self):
            return pd.DataFrame({"support": [3, 30, 60], "precision_low": [0.01, 0.30, 0.80],
                                 "precision_high": [0.15, 0.95, 0.90]}, index=["r", "m", "c"])

    assert _widest_precision(Report()) == "m"
    assert _widest_precision_diagnosis("r", "m", Report()).startswith(
        "r has the fewest images, but precision is counted over the images the model called r")
    assert _widest_precision_diagnosis("c", "m", Report()) == (
        "c's precision interval is 0.10 wide; another's is wider")


def test_groups_of_one_image_cannot_leak_so_the_leak_exercise_is_not_posed(surfaces):
    """A loader that gives each image its own group (VOC, BCCD) has nothing to leak: the
    exercise says so instead of asking for a share that is always 0."""
    singletons = surfaces.replace(samples=surfaces.samples.assign(
        group=surfaces.samples.index.astype(str)))
    feedback = check("02.leak_share", 0, singletons)
    assert feedback.correct is None and "each of its groups holds one image" in feedback.message


def test_rounded_answers_are_given_as_the_question_asks(surfaces):
    assert solution("04.count_at_half", surfaces).answer == 312  # sqrt(1,650 x 59) = 312.01
    assert solution("01.effective_ratio", surfaces).answer == 14.1  # 808.11 / 57.32
    assert solution("02.leak_share", surfaces).answer == 0.85  # 321 / 377
