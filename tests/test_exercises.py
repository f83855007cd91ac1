import pytest

from workbench.exercises import check, check_all
from workbench.sources import load


@pytest.fixture(scope="module")
def surfaces():
    return load("demo:surfaces")


def test_answers_are_checked_against_the_data(surfaces):
    assert check("01.fewest_pixels", "crack", surfaces).correct is True
    assert check("01.fewest_pixels", "dent", surfaces).correct is False
    assert check("01.most_hidden", ("crack", "night"), surfaces).correct is True
    assert check("01.classes_for_80", 1, surfaces).correct is True  # intact holds 81%
    assert check("01.classes_for_80", None, surfaces).correct is None


def test_feedback_renders_and_scores(surfaces):
    feedback = check_all({"01.fewest_pixels": "crack", "01.classes_for_80": 3}, surfaces)
    assert feedback.score == (1, 2)
    assert "1 of 2 correct" in feedback._repr_html_()


def test_exercise_the_dataset_cannot_pose():
    digits = load("demo:digits")
    assert check("01.fewest_pixels", "3", digits).correct is None  # no masks
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
    from workbench.sample import plan_resampling

    plan = plan_resampling(surfaces.samples["label"], max_oversample=3)
    assert check("04.copies_of_rarest", int(plan.effective["crack"] - plan.count["crack"]),
                 surfaces).correct is True
    assert check("04.strength_at_half", 0, surfaces).correct is True
    assert check("04.strength_at_half", 0.5, surfaces).correct is False
