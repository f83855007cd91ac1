import numpy as np
import pandas as pd
import pytest

torch = pytest.importorskip("torch")

from workbench.sample import class_weights, plan_resampling  # noqa: E402
from workbench.torch_sampling import FocalLoss, PlanSampler, weight_tensor  # noqa: E402


def test_plan_sampler_epochs():
    labels = pd.Series(["a"] * 20 + ["b"] * 4)
    plan = plan_resampling(labels, max_oversample=3)
    sampler = PlanSampler(plan, labels, seed=1)
    loader = torch.utils.data.DataLoader(torch.arange(24), sampler=sampler, batch_size=100)
    sampler.set_epoch(0)
    first = next(iter(loader))
    assert len(first) == len(sampler) == 24
    assert pd.Series(labels.to_numpy()[first.numpy()]).value_counts().to_dict() == {
        "a": 12, "b": 12}
    sampler.set_epoch(1)
    assert not torch.equal(first, next(iter(loader)))


def test_weighted_cross_entropy_and_focal_loss():
    weights = weight_tensor(class_weights({"a": 30, "b": 10}, method="balanced"), ["a", "b"])
    assert weights.tolist() == pytest.approx([40 / 60, 40 / 20])
    logits = torch.tensor([[2.0, 0.5], [0.1, 1.5], [1.0, 1.0]])
    target = torch.tensor([0, 1, 1])
    ce = torch.nn.functional.cross_entropy(logits, target, reduction="none")
    assert torch.allclose(FocalLoss(gamma=0.0)(logits, target), ce.mean())
    p_t = torch.softmax(logits, 1)[torch.arange(3), target]
    expected = -(weights[target] * (1 - p_t) ** 2 * torch.log(p_t)).mean()
    assert torch.allclose(FocalLoss(gamma=2.0, alpha=weights)(logits, target), expected)


def test_factors_sampler():
    sampler = PlanSampler(factors=np.array([1.0, 2.0, 1.5, 1.5]), seed=0)
    assert len(list(sampler)) == len(sampler) == 6
