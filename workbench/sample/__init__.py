"""Resampling plans, class weights and epoch samplers.

- :func:`plan_resampling`: how many times each class is seen per epoch, as balanced
  as an oversampling cap and a keep floor allow (classification);
- :func:`repeat_factors`: LVIS repeat-factor sampling for detection, with its side
  effect on the classes that ride along with rare ones;
- :func:`tile_plan`: tiles of segmentation masks weighted so rare-class pixels are
  drawn more often;
- :func:`class_weights`: loss weights (balanced, inverse, sqrt, effective number);
- :func:`epoch_indices` / :func:`epoch_from_factors`: the sample indices of one epoch,
  exactly as planned, deterministic for (seed, epoch), vectorised.
"""

from workbench.sample.epochs import epoch_from_factors, epoch_indices, save_epoch
from workbench.sample.imblearn_bridge import imblearn_strategies, resample_features
from workbench.sample.keys import NO_OBJECT, key_unit, rarity_rank, sampling_keys
from workbench.sample.plan import ResamplingPlan, feasible_totals, plan_resampling
from workbench.sample.repeat import (
    RepeatFactors,
    default_repeat_threshold,
    lvis_factor,
    plan_instance_mix,
    repeat_factors,
    units_per_epoch,
)
from workbench.sample.teaching import accuracy_paradox, plan_sweep, strategy_costs
from workbench.sample.tiles import TilePlan, tile_plan
from workbench.sample.weights import METHODS, class_weights, weights_table

__all__ = [
    "METHODS", "NO_OBJECT", "RepeatFactors", "ResamplingPlan", "TilePlan", "accuracy_paradox",
    "class_weights", "default_repeat_threshold", "epoch_from_factors", "epoch_indices",
    "feasible_totals", "imblearn_strategies", "key_unit", "lvis_factor", "plan_instance_mix",
    "plan_resampling", "plan_sweep", "rarity_rank", "repeat_factors", "resample_features",
    "sampling_keys", "save_epoch", "strategy_costs", "tile_plan", "units_per_epoch",
    "weights_table",
]
