"""Collect: what to label next, from where, and when to stop.

Modules: ``quotas`` (a day-by-day labelling plan to per-class targets), ``decisions``
(stop, continue, re-route or escalate, from a labelling log), ``where`` (which conditions
yield a rare class most per image, and the under-represented strata), ``select`` (active
learning: the selection strategies; their scores in ``strategy_scores``, greedy k-center
in ``k_center``), ``simulate`` (their simulation on a labelled pool; the result in
``active_learning_run``), ``batch`` (the next labelling batch from a model's scores),
``hierarchy`` (merging sparse classes into a parent and splitting back), ``small_model``
(the small-class model), ``playbook`` (the collection playbook exercise) and ``page``
(the one-page plan).
"""

from workbench.collect.active_learning_run import ActiveLearningRun
from workbench.collect.batch import pick_batch
from workbench.collect.decisions import StopDecisions, example_log, stop_decisions
from workbench.collect.hierarchy import BUCKET, MergedLabels, merge_sparse, split_back
from workbench.collect.page import OnePagePlan, check_page, one_page_plan
from workbench.collect.playbook import playbook_template
from workbench.collect.quotas import QuotaPlan, plan_quotas, yields_from
from workbench.collect.select import Picks, select
from workbench.collect.simulate import simulate_active_learning
from workbench.collect.small_model import SmallClassComparison, small_class_model
from workbench.collect.where import (
    WhereToCollect,
    collection_unit,
    default_targets,
    rare_classes,
    where_to_collect,
)

__all__ = [
    "ActiveLearningRun", "Picks", "collection_unit", "default_targets", "example_log",
    "pick_batch", "playbook_template", "select", "simulate_active_learning",
    "BUCKET", "MergedLabels", "OnePagePlan", "QuotaPlan", "SmallClassComparison",
    "StopDecisions", "WhereToCollect", "check_page", "merge_sparse", "one_page_plan",
    "plan_quotas", "rare_classes", "small_class_model", "split_back", "stop_decisions",
    "where_to_collect", "yields_from",
]
