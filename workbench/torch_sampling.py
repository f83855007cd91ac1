"""PyTorch adapter (optional extra ``workbench[torch]``): a sampler, weights, a focal loss.

Only this module imports torch. It runs on the CPU build (``torch==2.13.0``).
"""

from __future__ import annotations

import numpy as np
import torch
from torch import nn
from torch.nn import functional

from workbench.sample import ResamplingPlan, epoch_from_factors, epoch_indices


class PlanSampler(torch.utils.data.Sampler):
    """Yields one epoch of indices under a resampling plan (or repeat factors).

    Call ``set_epoch(k)`` before each epoch, as with ``DistributedSampler``: the same
    (seed, epoch) gives the same order. Unlike ``WeightedRandomSampler`` it draws each
    class exactly as planned, without replacement within a class, past 2**24 samples.
    """

    def __init__(self, plan: ResamplingPlan | None = None, labels=None, *, factors=None,
                 seed: int = 0):
        if (plan is None) == (factors is None):
            raise ValueError("Give either a plan with its labels, or repeat factors.")
        self.plan, self.labels, self.factors = plan, labels, factors
        self.seed, self.epoch = int(seed), 0
        self._length = int(plan.total) if plan is not None else int(
            round(np.asarray(factors, float).sum()))

    def set_epoch(self, epoch: int) -> None:
        """The epoch whose indices the next iteration yields.

        Parameters
        ----------
        epoch : int
            Non-negative; with the seed it fixes the order.
        """
        self.epoch = int(epoch)

    def indices(self) -> np.ndarray:
        """The sample indices of the current epoch.

        Returns
        -------
        numpy.ndarray of int64
            Positions in the training set: ``plan.total`` of them, or ``round(sum(factors))``.
        """
        if self.plan is not None:
            return epoch_indices(self.plan, self.labels, epoch=self.epoch, seed=self.seed)
        return epoch_from_factors(self.factors, epoch=self.epoch, seed=self.seed)

    def __iter__(self):
        return iter(self.indices().tolist())

    def __len__(self) -> int:
        return self._length


def weight_tensor(weights, classes=None) -> torch.Tensor:
    """Class weights (a Series from ``class_weights``) as a float tensor in class order,
    ready for ``nn.CrossEntropyLoss(weight=...)``.

    Parameters
    ----------
    weights : pandas.Series
        Weight per class, indexed by class name.
    classes : sequence of str, optional
        Class order of the model's outputs; default the order of ``weights``.

    Returns
    -------
    torch.Tensor
        float32, one weight per class.
    """
    if classes is not None:
        weights = weights.reindex(list(classes))
        if weights.isna().any():
            raise ValueError(f"No weight for classes {list(weights.index[weights.isna()])}.")
    return torch.as_tensor(np.asarray(weights, dtype=np.float32))


class FocalLoss(nn.Module):
    """Focal loss (Lin et al., 2017) for multi-class logits.

    ``FL = -alpha_t * (1 - p_t) ** gamma * log(p_t)``; ``gamma=0`` and ``alpha=None``
    give cross-entropy. ``alpha`` is a per-class weight tensor (or None).
    """

    def __init__(self, gamma: float = 2.0, alpha: torch.Tensor | None = None,
                 reduction: str = "mean"):
        super().__init__()
        if gamma < 0:
            raise ValueError(f"gamma must be >= 0. Got {gamma!r}.")
        if reduction not in ("mean", "sum", "none"):
            raise ValueError(f"reduction must be 'mean', 'sum' or 'none'. Got {reduction!r}.")
        self.gamma, self.reduction = gamma, reduction
        self.register_buffer("alpha", alpha if alpha is None else torch.as_tensor(alpha))

    def forward(self, logits: torch.Tensor, target: torch.Tensor) -> torch.Tensor:
        """The focal loss of a batch.

        Parameters
        ----------
        logits : torch.Tensor
            Shape (n_samples, n_classes), before the softmax.
        target : torch.Tensor
            Class index per sample, int64 of shape (n_samples,).

        Returns
        -------
        torch.Tensor
            The mean or sum over samples (a scalar), or one loss per sample
            (``reduction="none"``).
        """
        log_p = functional.log_softmax(logits, dim=-1).gather(1, target[:, None]).squeeze(1)
        loss = -((1 - log_p.exp()) ** self.gamma) * log_p
        if self.alpha is not None:
            loss = loss * self.alpha.to(loss.dtype)[target]
        if self.reduction == "mean":
            return loss.mean()
        return loss.sum() if self.reduction == "sum" else loss
