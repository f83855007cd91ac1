"""Exercise 2 of the lesson on class imbalance in computer vision: the annotation and
collection playbook.

Wheelchair has 800 of the 120,000 instances of a street-scene detection dataset. Write a
two-week playbook that collects and labels more of it: where and when to collect, how
many images and instances a day, which unlabelled images active learning picks, what is
measured on the validation split, and when to stop or change course.

The playbook is a plain dict, filled in a notebook cell from :func:`playbook_template`;
:func:`check_playbook` lists what it lacks or gets wrong, with the numbers, and
:func:`playbook_summary` says in one line what a sound one achieves.

>>> playbook = playbook_template()
>>> sorted(playbook)[:3]
['adjust_rules', 'capacity_per_day', 'metrics']
>>> [p.code for p in check_playbook(playbook)][:3]
['missing', 'missing', 'missing']
"""

from __future__ import annotations

import difflib
import math
from collections.abc import Mapping

from workbench.collect.playbook_rules import (
    _check_budget,
    _check_capacity,
    _check_metrics,
    _check_per_image,
    _check_quotas,
    _check_rules,
    _check_selection,
    _check_sourcing,
    _check_target,
)
from workbench.collect.playbook_terms import (
    CURRENT,
    DAYS,
    RARE_CLASS,
    TOTAL,
    Problem,
    _fmt,
    _number,
    _numbers,
)

#                      implausible (a hospital entrance rarely shows more than three)


def playbook_template() -> dict:
    """An empty playbook: every key present, nothing filled in.

    The keys (numbers are per day unless said otherwise):

    - ``target``: the Wheelchair instances to have by the end of day 14 (today: 800).
    - ``capacity_per_day``: images your team can label a day.
    - ``wheelchair_per_image``: Wheelchair instances you expect per image of targeted
      collection (measure it on the first day; street scenes rarely hold more than 3).
    - ``sourcing``: where and when to collect, a list of
      ``{"where": "hospital entrances", "when": "weekday daytime", "images_per_day": 100}``.
    - ``quotas``: instances to label a day per class, at least Wheelchair:
      ``{"Wheelchair": 90, "Pedestrian": 400}``.
    - ``selection_rule``: the active-learning pick from the unlabelled pool:
      ``{"score": "entropy", "n_per_day": 60, "classes": ["Wheelchair"]}``; ``score`` is
      one of :data:`SCORES`; add ``"wheelchair_per_image": 0.2`` if you count on the picks
      to bring Wheelchairs (default 0: they are picked to teach, not counted).
    - ``metrics``: what is measured on the validation split, as text:
      ``["AP@0.5 Wheelchair", "PR AUC Wheelchair", ...]``.
    - ``stop_rules`` and ``adjust_rules``: lists of
      ``{"quantity": "Wheelchair instances", "op": ">=", "value": 2000, "action": "stop"}``;
      ``quantity`` is a measurable quantity named in words, as in :data:`QUANTITIES`
      ("Wheelchair instances", "images labelled", "day", "Wheelchair per image",
      "AP@0.5 Wheelchair", "PR AUC Wheelchair", "recall Wheelchair", "F1 Wheelchair",
      "recall half-width Wheelchair", "annotator agreement", ...), ``op`` one of :data:`OPS`,
      ``value`` a number (metrics as fractions: 0.6, not 60%); an adjust rule's
      ``action`` says what changes.

    Images a day are the sources' ``images_per_day`` plus the selection rule's
    ``n_per_day``; they must fit in ``capacity_per_day``. The plan counts on
    ``min(quotas["Wheelchair"], source images x wheelchair_per_image + picks x their
    wheelchair_per_image)`` Wheelchairs a day.

    Returns
    -------
    dict
        The keys above, empty.

    Examples
    --------
    >>> playbook_template()["sourcing"]
    []
    """
    return {
        "target": None,
        "capacity_per_day": None,
        "wheelchair_per_image": None,
        "sourcing": [],
        "quotas": {},
        "selection_rule": {"score": None, "n_per_day": None, "classes": []},
        "metrics": [],
        "stop_rules": [],
        "adjust_rules": [],
    }


KEYS = tuple(playbook_template())


# -- reading the learner's values ----------------------------------------------------------------


# -- the checker -------------------------------------------------------------------------------


def check_playbook(playbook, *, current: int = CURRENT, total: int = TOTAL,
                   days: int = DAYS) -> list[Problem]:
    """Everything the playbook lacks or gets wrong (empty: it holds together).

    Each :class:`Problem` names the key and says what is wrong with numbers: images a
    day over the capacity, a target not reached in ``days`` (by how much, and the day it
    would be), a target not above ``current`` or above ``total``, a source without where
    or when, a selection rule with no known score, metrics without Wheelchair's AP@0.5
    or PR AUC, a rule on no measurable quantity. Missing keys and values of the wrong
    type are problems too, never an exception.

    Parameters
    ----------
    playbook : dict
        As :func:`playbook_template`.
    current : int
        Wheelchair instances today.
    total : int
        Instances of every class in the dataset.
    days : int
        Days to reach the target.

    Returns
    -------
    list of Problem
        Empty when it holds together.

    Examples
    --------
    >>> bad = playbook_template() | {"target": 700, "capacity_per_day": 300}
    >>> [str(p) for p in check_playbook(bad) if p.code == "target"]
    ['target: 700 is not above the 800 Wheelchair instances there are today']
    """
    if not isinstance(playbook, Mapping):
        return [Problem("not_a_dict", "playbook", (
            f"answer a dict, not a {type(playbook).__name__}: "
            "workbench.collect.playbook.playbook_template() gives one with every key"))]
    problems: list[Problem] = []
    for key in playbook:
        if key not in KEYS:
            close = difflib.get_close_matches(str(key), KEYS, n=1)
            hint = f" (did you mean {close[0]!r}?)" if close else ""
            problems.append(Problem("unknown_key", str(key), (
                f"not a playbook key{hint}; the keys are {', '.join(KEYS)}")))
    totals = _numbers(playbook)
    problems += _check_target(playbook.get("target"), totals, current=current, total=total,
                              days=days)
    problems += _check_capacity(playbook.get("capacity_per_day"))
    problems += _check_per_image(playbook.get("wheelchair_per_image"))
    problems += _check_sourcing(playbook.get("sourcing"))
    problems += _check_quotas(playbook.get("quotas"))
    problems += _check_selection(playbook.get("selection_rule"))
    problems += _check_budget(totals, playbook.get("target"), current=current, days=days)
    problems += _check_metrics(playbook.get("metrics"), current=current, total=total)
    problems += _check_rules(playbook.get("stop_rules"), "stop_rules", days=days)
    problems += _check_rules(playbook.get("adjust_rules"), "adjust_rules", days=days)
    return problems


def playbook_summary(playbook, *, current: int = CURRENT, days: int = DAYS) -> str:
    """What a playbook achieves, in one line: the day it reaches its target and the
    images a day it uses.

    Parameters
    ----------
    playbook : dict
        As :func:`playbook_template`.
    current : int
        Wheelchair instances today.
    days : int
        Days to reach the target.

    Returns
    -------
    str
        The line.

    Examples
    --------
    >>> playbook_summary({"target": 2000, "capacity_per_day": 300, "wheelchair_per_image": 0.4,
    ...                   "sourcing": [{"where": "a", "when": "b", "images_per_day": 300}],
    ...                   "quotas": {"Wheelchair": 120}})
    'reaches 2,000 Wheelchair on day 10 of 14 (120 a day) using 300 of 300 images a day'
    """
    if not isinstance(playbook, Mapping):
        return "not a playbook"
    n = _numbers(playbook)
    target = _number(playbook.get("target"))
    if target is None or not n.daily or n.images is None:
        return "cannot tell what it reaches: the target, sources or yields are missing"
    day = max(1, math.ceil((target - current) / n.daily - 1e-9))
    reach = (f"reaches {_fmt(target)} {RARE_CLASS} on day {day} of {days}" if day <= days
             else f"reaches {_fmt(current + days * n.daily)} of {_fmt(target)} {RARE_CLASS} "
                  f"by day {days}")
    capacity = f" of {_fmt(n.capacity)}" if n.capacity else ""
    return f"{reach} ({_fmt(n.daily)} a day) using {_fmt(n.images)}{capacity} images a day"
