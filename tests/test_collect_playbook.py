"""Exercise 2, the collection playbook: sound playbooks pass, each flaw is named with its
numbers, and nothing a learner types raises."""

from __future__ import annotations

import copy

import pytest

from workbench.collect.playbook import KEYS, check_playbook, playbook_summary, playbook_template
from workbench.collect.playbook_terms import PROBLEM_KINDS, metric_kind
from workbench.exercises import check


def model() -> dict:
    """Capacity 300: 240 targeted images x 0.4 = 96 Wheelchair a day; 800 + 14 x 96 = 2,144."""
    return {
        "target": 2000,
        "capacity_per_day": 300,
        "wheelchair_per_image": 0.4,
        "sourcing": [
            {"where": "hospital entrances", "when": "weekday daytime", "images_per_day": 100},
            {"where": "transit stations with ramps", "when": "weekday rush hours",
             "images_per_day": 80},
            {"where": "accessible parks", "when": "weekends", "images_per_day": 60},
        ],
        "quotas": {"Wheelchair": 96, "Pedestrian": 300},
        "selection_rule": {"score": "predicted_minority", "n_per_day": 60,
                           "classes": ["Wheelchair"]},
        "metrics": ["AP@0.5 Wheelchair", "PR AUC Wheelchair", "recall Wheelchair"],
        "stop_rules": [{"quantity": "Wheelchair instances", "op": ">=", "value": 2000,
                        "action": "stop"}],
        "adjust_rules": [{"quantity": "Wheelchair per image", "op": "<", "value": 0.25,
                          "action": "move that source's images to the best one"}],
    }


def small_team() -> dict:
    """Capacity 120: 100 images x 0.6 = 60 a day; 800 + 14 x 60 = 1,640 >= 1,600 on day 14."""
    return {
        "target": 1600,
        "capacity_per_day": 120,
        "wheelchair_per_image": 0.6,
        "sourcing": [{"where": "rehabilitation centre car parks", "when": "Saturday mornings",
                      "images_per_day": 100}],
        "quotas": {"wheelchair": 60},
        "selection_rule": {"score": "Least confidence", "n_per_day": 20},
        "metrics": ["Wheelchair AP50", "PR-AUC (Wheelchair)", "balanced accuracy"],
        "stop_rules": [{"quantity": "day", "op": ">=", "value": 14, "action": "stop"},
                       {"quantity": "AP@0.5 Wheelchair", "op": ">=", "value": 0.7}],
        "adjust_rules": [{"quantity": "annotator agreement", "op": "<", "value": 0.8,
                          "action": "re-brief on 20 reviewed boxes"}],
    }


def large_team() -> dict:
    """Capacity 1,000: 600 x 0.25 + 400 picks x 0.05 = 170 a day; 2,200 more in 13 days."""
    return {
        "target": 3000,
        "capacity_per_day": 1000,
        "wheelchair_per_image": 0.25,
        "sourcing": [
            {"where": "transit stations", "when": "weekends", "images_per_day": 350},
            {"where": "kerb ramps near clinics", "when": "weekday 9-17h", "images_per_day": 250},
        ],
        "quotas": {"Wheelchair": 170, "Bicycle": 200, "Pedestrian": 2000},
        "selection_rule": {"score": "class_balanced", "n_per_day": 400,
                           "classes": ["Wheelchair", "Bicycle"], "wheelchair_per_image": 0.05},
        "metrics": ["average precision at IoU 0.5 for wheelchair",
                    "area under the precision-recall curve (wheelchair)", "macro F1"],
        "stop_rules": [{"quantity": "recall half-width Wheelchair", "op": "<=", "value": 0.05,
                        "action": "stop adding validation images"},
                       {"quantity": "Wheelchair instances", "op": ">=", "value": 3000,
                        "action": "stop"}],
        "adjust_rules": [{"quantity": "day", "op": "==", "value": 7,
                          "action": "move picks to the source with the best yield"}],
    }


def codes(playbook, **kwargs) -> list[str]:
    return [p.code for p in check_playbook(playbook, **kwargs)]


def only(playbook, code: str) -> list[str]:
    return [str(p) for p in check_playbook(playbook) if p.code == code]


@pytest.mark.parametrize("make, summary", [
    (model, "reaches 2,000 Wheelchair on day 13 of 14 (96 a day) using 300 of 300 images a day"),
    (small_team, "reaches 1,600 Wheelchair on day 14 of 14 (60 a day) using 120 of 120 images "
                 "a day"),
    (large_team, "reaches 3,000 Wheelchair on day 13 of 14 (170 a day) using 1,000 of 1,000 "
                 "images a day"),
])
def test_sound_playbooks_pass_and_say_what_they_reach(make, summary):
    assert check_playbook(make()) == []
    assert playbook_summary(make()) == summary
    feedback = check("06.exercise_2", make())
    assert feedback.correct is True and summary in feedback.message


def test_over_capacity_names_the_excess():
    # 240 sourced + 60 picks = 300 images a day
    assert codes(model() | {"capacity_per_day": 300}) == []
    [problem] = only(model() | {"capacity_per_day": 299}, "over_capacity")
    assert ("the plan labels 300 images a day (240 from sourcing + 60 active-learning picks) "
            "but the team labels 299 a day: 1 over") in problem


def test_target_not_reached_says_the_shortfall_and_the_day():
    # 86 a day: 800 + 14 x 86 = 2,004 >= 2,000; 85 a day: 1,990, 10 short, reached on day 15
    assert codes(model() | {"quotas": {"Wheelchair": 86}}) == []
    [problem] = only(model() | {"quotas": {"Wheelchair": 85}}, "short")
    assert "800 + 14 x 85 = 1,990 by day 14: 10 short of 2,000" in problem
    assert "reaches 2,000 on day 15" in problem and "needs 86 a day" in problem
    [problem] = only(model() | {"quotas": {"Wheelchair": 50}}, "short")
    assert "500 short of 2,000" in problem and "on day 24" in problem


def test_a_quota_the_images_cannot_give_is_capped_by_them():
    # 240 images x 0.2 = 48 a day, not the quota's 96: 800 + 14 x 48 = 1,472, 528 short
    playbook = model() | {"wheelchair_per_image": 0.2}
    assert codes(playbook) == ["quota_unsupported", "short"]
    [problem] = only(playbook, "quota_unsupported")
    assert "quota of 96 a day is more than the images give: 240 images x 0.2 = 48" in problem
    [problem] = only(playbook, "short")
    assert "528 short of 2,000" in problem and "on day 25" in problem
    # picks counted only when their own yield is stated
    picks = model() | {"quotas": {"Wheelchair": 102}}
    assert codes(picks) == ["quota_unsupported"]
    picks["selection_rule"] = picks["selection_rule"] | {"wheelchair_per_image": 0.1}
    assert codes(picks) == []  # 96 + 60 x 0.1 = 102


@pytest.mark.parametrize("target, text", [
    (800, "800 is not above the 800 Wheelchair instances there are today"),
    (200_000, "200,000 is more than the 120,000 instances of every class"),
    (100_000, "needs 7,086 Wheelchair a day, 23.62 in each of the 300 images"),
])
def test_target_not_above_today_or_absurd(target, text):
    [problem] = only(model() | {"target": target}, "target")
    assert text in problem
    assert codes(model() | {"target": 801}) == []


def test_selection_rule_without_a_known_score():
    for rule in ({"n_per_day": 60, "classes": ["Wheelchair"]},
                 {"score": "uncertainty", "n_per_day": 60}, {"score": "", "n_per_day": 0}):
        [problem] = only(model() | {"selection_rule": rule}, "score")
        assert "names no known score" in problem and "least_confidence" in problem
    assert codes(model() | {"selection_rule": {"score": "Entropy sampling", "n_per_day": 60}}) == []
    assert codes(model() | {"selection_rule": {"score": "predicted_minority",
                                               "n_per_day": 60}}) == ["selection"]


@pytest.mark.parametrize("metrics, lacking", [
    (["recall Wheelchair"], "AP@0.5 of Wheelchair and PR AUC of Wheelchair"),
    (["AP@0.5 Wheelchair"], "lack PR AUC of Wheelchair"),
    (["PR AUC Wheelchair", "AP@[.5:.95] Wheelchair"], "lack AP@0.5 of Wheelchair"),
    (["mAP@0.5", "PR AUC"], "averages it away"),
])
def test_metrics_without_the_rare_class_ap50_or_pr_auc(metrics, lacking):
    [problem] = only(model() | {"metrics": metrics}, "metrics")
    assert lacking in problem


def test_accuracy_alone_is_flagged_with_what_it_hides():
    assert codes(model() | {"metrics": ["accuracy"]}) == ["accuracy_only", "metrics"]
    [problem] = only(model() | {"metrics": ["Accuracy"]}, "accuracy_only")
    assert "800 of 120,000" in problem and "99.3%" in problem
    assert "accuracy_only" not in codes(model() | {"metrics": ["balanced accuracy"]})


@pytest.mark.parametrize("text, kind", [
    ("AP@0.5 Wheelchair", "ap50"), ("Wheelchair AP50", "ap50"), ("AP_50 (wheel chair)", "ap50"),
    ("average precision at IoU 0.5 for wheelchair", "ap50"), ("AP @ IoU=0.50", "ap50"),
    ("mAP@.5", "ap50"), ("AP@[.5:.95]", "ap"), ("AP@0.5:0.95", "ap"),
    ("PR-AUC (Wheelchair)", "pr_auc"), ("AUPRC", "pr_auc"), ("PR AUC", "pr_auc"),
    ("area under the precision-recall curve", "pr_auc"), ("AUC-PR", "pr_auc"),
    ("ROC AUC", None), ("recall interval half-width", "halfwidth"), ("recall", "recall"),
    ("Wheelchair per image", "yield"), ("observed yield", "yield"), ("images labelled", "images"),
    ("Wheelchair instances", "instances"), ("day", "day"), ("F1 Wheelchair", "f1"),
    ("inter-annotator agreement", "agreement"), ("when the team feels done", None),
])
def test_metric_spellings(text, kind):
    assert metric_kind(text) == kind


def test_a_rule_on_nothing_measurable():
    rule = {"quantity": "when the team feels done", "op": ">=", "value": 1, "action": "stop"}
    [problem] = check_playbook(model() | {"stop_rules": [rule]})
    assert (problem.code, problem.key) == ("unmeasurable", "stop_rules[0]")
    assert "'when the team feels done' is not a measurable quantity" in problem.message
    [problem] = check_playbook(model() | {"stop_rules": ["when the team feels done"]})
    assert problem.code == "unmeasurable"
    [problem] = check_playbook(model() | {"stop_rules": ["Wheelchair instances >= 2000"]})
    assert problem.code == "rule" and "write it as a dict" in problem.message


def test_rules_need_a_comparison_a_number_in_range_and_an_action():
    base = {"quantity": "AP@0.5 Wheelchair", "op": ">=", "value": 0.7, "action": "stop"}
    for change, text in [({"op": "at least"}, "op should be one of >=, >, <=, <, =="),
                         ({"value": "high"}, "value should be a number"),
                         ({"value": 70}, "write 0.7, not 70"),
                         ({"quantity": "day", "value": 20}, "day 20 is outside the 14 days")]:
        [problem] = only(model() | {"stop_rules": [base | change]}, "rule")
        assert text in problem
    [problem] = only(model() | {"adjust_rules": [base | {"action": ""}]}, "rule")
    assert "lacks an action" in problem


def test_sourcing_lacks_where_or_when():
    sourcing = [{"where": "hospital entrances", "images_per_day": 120},
                {"when": "weekends", "images_per_day": 120},
                {"where": "anywhere", "when": "weekends", "images_per_day": 0}]
    problems = only(model() | {"sourcing": sourcing}, "sourcing")
    assert problems == [
        "sourcing[0]: lacks when (e.g. 'weekday daytime', 'weekends')",
        "sourcing[1]: lacks where (e.g. 'near hospitals', 'ramps', 'transit stations')",
        "sourcing[2]: where 'anywhere' says nothing; name places where Wheelchair is more "
        "likely than elsewhere (e.g. 'near hospitals', 'ramps', 'transit stations')",
        "sourcing[2]: images_per_day should be a positive number, not 0",
    ]


def test_one_source_or_rule_without_its_list():
    playbook = model()
    playbook["sourcing"] = playbook["sourcing"][0]
    [problem] = check_playbook(playbook)
    assert (problem.code, problem.key) == ("wrong_type", "sourcing")
    assert "(wrap the one source in [ ])" in problem.message
    [problem] = check_playbook(model() | {"stop_rules": model()["stop_rules"][0]})
    assert (problem.code, problem.key) == ("wrong_type", "stop_rules")


def test_a_list_is_not_a_playbook():
    [problem] = check_playbook([model()])
    assert problem.code == "not_a_dict" and "not a list" in problem.message
    feedback = check("06.exercise_2", [model()])
    assert feedback.correct is False and "answer a dict like {'target': ..." in feedback.message


def test_missing_and_misspelt_keys_are_reported_not_raised():
    assert codes({}) == ["missing"] * len(KEYS)
    assert codes(playbook_template()) == ["missing"] * len(KEYS)
    playbook = model()
    playbook["quota"] = playbook.pop("quotas")
    problems = check_playbook(playbook)
    assert [(p.code, p.key) for p in problems] == [("unknown_key", "quota"),
                                                   ("missing", "quotas")]
    assert "did you mean 'quotas'?" in problems[0].message


@pytest.mark.parametrize("key", KEYS)
@pytest.mark.parametrize("value", [None, "x", 3, -1, float("nan"), True, [], {}, [1], ["a"],
                                   {"a": 1}, [{"where": 1}], ({"quantity": None},)])
def test_wrong_types_get_feedback_not_exceptions(key, value):
    playbook = copy.deepcopy(model()) | {key: value}
    problems = check_playbook(playbook)
    assert all(p.code in PROBLEM_KINDS for p in problems)
    assert isinstance(playbook_summary(playbook), str)
    assert check("06.exercise_2", playbook).correct in (True, False)


def test_the_exercise_lists_every_problem():
    flawed = model() | {"capacity_per_day": 200, "metrics": ["accuracy"],
                        "stop_rules": [{"quantity": "team mood", "op": ">=", "value": 1}]}
    feedback = check("06.exercise_2", flawed)
    assert feedback.correct is False and feedback.message == "4 problems:"
    assert [d.split(":")[0] for d in feedback.details] == [
        "capacity_per_day", "metrics", "metrics", "stop_rules[0]"]
    assert "<li>" in feedback._repr_html_()
    posed = check("06.exercise_2", None)
    assert posed.correct is None and "playbook_template()" in posed.message
    assert "two-week collection and annotation playbook" in posed.message
