"""One epoch of indices under a resampling plan.

- 10M indices from a 20M-image dataset (target: at most 2 s). torch's
  WeightedRandomSampler refuses this size ("number of categories cannot exceed 2^24");
  naive ``np.random.choice(n, size, p=...)`` is timed on 2M images and scaled up x10
  (it is linear in n; the issue quotes 19-28 s at 20M).
- At 1M images (a size torch accepts): the ratio against WeightedRandomSampler with
  per-sample weights giving the same expected class counts.
"""

import time

import numpy as np
import pandas as pd

from workbench.sample import epoch_indices, plan_resampling


def dataset(n: int, seed: int = 0):
    rng = np.random.default_rng(seed)
    ranks = np.arange(1, 21)
    p = (1 / ranks**1.5) / (1 / ranks**1.5).sum()
    codes = rng.choice(20, n, p=p).astype(np.int8)
    labels = pd.Series(pd.Categorical.from_codes(codes, categories=[f"c{i}" for i in range(20)]))
    return labels


def timed(fn):
    start = time.perf_counter()
    result = fn()
    return time.perf_counter() - start, result


def main():
    labels = dataset(20_000_000)
    plan = plan_resampling(labels, total=10_000_000, max_oversample=5.0)
    t_ours, idx = timed(lambda: epoch_indices(plan, labels, epoch=0, seed=0))
    assert len(idx) == 10_000_000
    small = dataset(2_000_000)
    weights = (plan.effective / plan.count).reindex(small.astype(str)).to_numpy()
    p = weights / weights.sum()
    t_naive, _ = timed(lambda: np.random.default_rng(0).choice(len(small), 1_000_000, p=p))
    print("10M indices from 20M images under a plan")
    print(f"  workbench epoch_indices          : {t_ours:6.2f} s")
    print(f"  naive np.random.choice(p=...)    : {t_naive * 10:6.2f} s (2M images, x10)")
    print("  torch WeightedRandomSampler      :  refuses n > 2**24")
    try:
        import torch
    except ImportError:
        print("  (torch not installed: no comparison at 1M)")
        return
    labels = dataset(1_000_000)
    plan = plan_resampling(labels, total=500_000, max_oversample=5.0)
    t_ours, _ = timed(lambda: epoch_indices(plan, labels, epoch=0, seed=0))
    w = torch.tensor((plan.effective / plan.count).reindex(labels.astype(str)).to_numpy())
    sampler = torch.utils.data.WeightedRandomSampler(w, num_samples=500_000, replacement=True,
                                                     generator=torch.Generator().manual_seed(0))
    t_torch, _ = timed(lambda: list(iter(sampler)))
    t_torch_raw, _ = timed(lambda: torch.multinomial(w, 500_000, True))
    print("500k indices from 1M images")
    print(f"  workbench epoch_indices           : {t_ours:6.3f} s")
    print(f"  torch WeightedRandomSampler (iter) : {t_torch:6.3f} s  ratio {t_ours / t_torch:.2f}x")
    print(f"  torch.multinomial alone            : {t_torch_raw:6.3f} s  ratio "
          f"{t_ours / t_torch_raw:.2f}x")


if __name__ == "__main__":
    main()
