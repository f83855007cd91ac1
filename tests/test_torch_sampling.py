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


def test_a_sampler_starts_at_epoch_0_with_seed_0_and_passes_both_on():
    from workbench.sample import epoch_from_factors, epoch_indices

    labels = pd.Series(["a"] * 20 + ["b"] * 4)
    plan = plan_resampling(labels, max_oversample=3)
    sampler = PlanSampler(plan, labels)
    assert (sampler.seed, sampler.epoch) == (0, 0)
    assert sampler.indices().tolist() == epoch_indices(plan, labels, epoch=0, seed=0).tolist()
    sampler.set_epoch(3)
    assert sampler.indices().tolist() == epoch_indices(plan, labels, epoch=3, seed=0).tolist()
    factors = np.array([1.0, 2.0, 1.5, 1.5, 1.2])
    by_factors = PlanSampler(factors=factors, seed=4)
    by_factors.set_epoch(2)
    assert by_factors.indices().tolist() == epoch_from_factors(factors, epoch=2,
                                                               seed=4).tolist()
    assert len(by_factors) == 7  # the factors sum to 7.2: 7 draws


def test_focal_loss_defaults_reductions_and_a_plain_alpha():
    logits = torch.tensor([[2.0, 0.5, 0.1], [0.1, 1.5, 0.3], [1.0, 1.0, 3.0]])
    target = torch.tensor([0, 1, 2])
    p_t = torch.softmax(logits, 1)[torch.arange(3), target]
    per_image = -((1 - p_t) ** 2) * torch.log(p_t)       # gamma 2 by default
    assert torch.allclose(FocalLoss()(logits, target), per_image.mean())
    assert torch.allclose(FocalLoss(reduction="sum")(logits, target), per_image.sum())
    assert torch.allclose(FocalLoss(reduction="none")(logits, target), per_image)
    alpha = [0.5, 1.0, 2.0]  # a list is taken as a tensor
    weighted = FocalLoss(alpha=alpha, reduction="none")(logits, target)
    assert torch.allclose(weighted, per_image * torch.tensor(alpha))
    for bad in ("total", "SUM"):
        with pytest.raises(ValueError, match="reduction must be 'mean', 'sum' or 'none'"):
            FocalLoss(reduction=bad)
    with pytest.raises(ValueError, match="gamma must be >= 0"):
        FocalLoss(gamma=-0.5)


def test_weight_tensor_in_the_order_asked_and_naming_the_missing():
    weights = pd.Series({"b": 2.0, "a": 0.5})
    assert weight_tensor(weights).tolist() == [2.0, 0.5]
    assert weight_tensor(weights, ["a", "b"]).tolist() == [0.5, 2.0]
    assert weight_tensor(weights, ["a", "b"]).dtype == torch.float32
    with pytest.raises(ValueError, match=r"No weight for classes \['c'\]"):
        weight_tensor(weights, ["a", "c"])
