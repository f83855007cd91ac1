"""The iterative pass of the stratifier (Sechidis et al. 2011, labels in batches), step by
step on cases small enough to work out by hand."""

import numpy as np
import pytest
from scipy import sparse

from workbench.errors import DataError
from workbench.split.core import (
    _batch_counts,
    _greedy_groups,
    _stratify_units,
    _unit_preassigned,
    multilabel_stratify,
)


class ScriptedRng:
    """A stand-in for numpy's Generator: fixed tie-breaking draws, permutations that keep
    the order, so the pass can be followed by hand."""

    def __init__(self, draws):
        self.draws = np.asarray(draws, dtype=float)

    def random(self, n):
        assert n == len(self.draws)
        return self.draws

    def permutation(self, n):
        return np.arange(n)


# _batch_counts(m, want, want_size, have, floor, r)

def test_batch_counts_give_the_floor_first_to_the_neediest_split():
    # floor 2: split 0 has 1 (needs 1), splits 1 and 2 none (need 2 each); by want: 0, 1, 2
    counts = _batch_counts(5, np.array([3.0, 2.0, 0.6]), np.full(3, 5.0), np.array([1, 0, 0]),
                           2, np.array([0.4, 0.4, 0.2]))
    assert counts.tolist() == [1, 2, 2]
    # one unit short of every floor: the split that wants the label most gets it
    counts = _batch_counts(1, np.array([0.4, 2.0, 0.6]), np.full(3, 5.0), np.zeros(3, int),
                           1, np.array([0.2, 0.6, 0.2]))
    assert counts.tolist() == [0, 1, 0]
    # two units for three floors: the two neediest, in the order of their want
    counts = _batch_counts(2, np.array([0.4, 2.0, 0.6]), np.full(3, 5.0), np.zeros(3, int),
                           1, np.array([0.2, 0.6, 0.2]))
    assert counts.tolist() == [0, 1, 1]


def test_batch_counts_share_the_rest_by_what_each_split_still_wants():
    # no floor left to meet; 4 units by want 3 : 1 : 0
    counts = _batch_counts(4, np.array([3.0, 1.0, 0.0]), np.full(3, 5.0), np.ones(3, int), 1,
                           np.array([0.6, 0.2, 0.2]))
    assert counts.tolist() == [3, 1, 0]
    # want 0.3 : 0.5 : 0 (under one unit in all): still by want, not by size
    counts = _batch_counts(1, np.array([0.3, 0.5, 0.0]), np.array([3.0, 1.0, 1.0]),
                           np.ones(3, int), 0, np.array([0.6, 0.2, 0.2]))
    assert counts.tolist() == [0, 1, 0]


def test_batch_counts_with_nothing_wanted_follow_the_sizes_then_share_equally():
    # the label is satisfied everywhere: by what each split's size still wants (-2 is 0)
    counts = _batch_counts(11, np.zeros(3), np.array([-2.0, 9.0, 0.0]), np.ones(3, int), 0,
                           np.array([0.2, 0.6, 0.2]))
    assert counts.tolist() == [0, 11, 0]
    # no split wants anything at all: equal shares
    counts = _batch_counts(3, np.zeros(3), np.array([0.0, -1.0, 0.0]), np.ones(3, int), 0,
                           np.array([0.5, 0.25, 0.25]))
    assert counts.tolist() == [1, 1, 1]


def test_batch_counts_break_equal_remainders_toward_the_split_behind_its_share():
    # want 0.5 : 0.5 : 0 for one unit; sizes still wanted 2 : 1 : 1 of shares .6 .2 .2:
    # split 0 is 0.4 ahead of its share (2 of 4 against 2.4), split 1 0.2 behind it
    counts = _batch_counts(1, np.array([0.5, 0.5, 0.0]), np.array([2.0, 1.0, 1.0]),
                           np.full(3, 9), 0, np.array([0.6, 0.2, 0.2]))
    assert counts.tolist() == [0, 1, 0]


# _greedy_groups(weights, want, want_size, have, floor)

def test_greedy_groups_place_the_largest_group_first_where_the_label_is_wanted():
    # groups of 1, 3 and 2 images; split 0 lacks the label (floor 1): the largest goes
    # there; then split 1 wants 2 against 1: the 2-group; the 1-group to split 0 (1 > 0)
    out = _greedy_groups(np.array([1.0, 3.0, 2.0]), np.array([4.0, 2.0]), np.array([10, 5]),
                         np.array([0, 1]), 1)
    assert out.tolist() == [0, 0, 1]


@pytest.mark.parametrize(("have", "expected"), [([1, 2], 1), ([0, 3], 0), ([1, 1], 1)])
def test_greedy_groups_meet_the_floor_only_where_it_is_not_met(have, expected):
    # split 1 wants the label more; only a split below the floor of 1 is chosen first
    out = _greedy_groups(np.array([2.0]), np.array([1.0, 5.0]), np.array([5, 5]),
                         np.array(have), 1)
    assert out.tolist() == [expected]


def test_greedy_groups_count_every_group_toward_the_floor():
    # floor 2, split 0 has 1: after the 3-group and the 2-group go to split 1 (want 6), it
    # holds 2 groups and split 0 still 1, so the last group goes to split 0
    out = _greedy_groups(np.array([3.0, 2.0, 1.0]), np.array([0.0, 6.0]), np.array([5, 5]),
                         np.array([1, 0]), 2)
    assert out.tolist() == [1, 1, 0]


def test_greedy_groups_break_equal_wants_by_the_size_still_wanted():
    # both want 2 after the first group; split 0 gave 1 of its size: split 1 is chosen
    out = _greedy_groups(np.array([1.0, 1.0]), np.array([3.0, 2.0]), np.array([10, 10]),
                         np.zeros(2, int), 0)
    assert out.tolist() == [0, 1]


# _unit_preassigned and _stratify_units

def test_unit_preassigned_maps_samples_to_their_units_and_keeps_split_zero():
    fixed = _unit_preassigned(np.array([-1, 0, -1, 2, -1]), np.array([0, 1, 1, 2, 3]), 4)
    assert fixed.tolist() == [-1, 0, 2, -1] and fixed.dtype == np.int64
    assert _unit_preassigned(None, np.arange(3), 3) is None


def test_the_pass_worked_by_hand():
    """Six samples, two splits of half. L0 in samples 0, 1; L1 in 1-4; sample 5 has none.

    L0 (2 left) goes first: one to each split (floor 1): 0 -> 0, 1 -> 1, which puts one
    L1 in split 1. L1's three left: split 0 still needs its floor (1), then 2 : 1 wanted
    minus 1 : 0 given share the other two 1 : 1: 2, 3 -> 0 and 4 -> 1. Sizes still wanted
    0 : 1, so sample 5 goes to split 1.
    """
    units = sparse.csr_matrix(np.array([[1, 0], [1, 1], [0, 1], [0, 1], [0, 1], [0, 0]]))
    split = _stratify_units(units, np.ones(6, dtype=np.int64), np.array([0.5, 0.5]),
                            ScriptedRng([0.2, 0.1]), min_per_split=1, preassigned=None)
    assert split.tolist() == [0, 1, 0, 0, 1, 1]


def test_the_pass_takes_the_label_with_fewest_samples_left_first():
    """L0 in samples 0-2, L1 in 2-3. L1 (2 left) goes first whatever the draws: its two
    samples split one each; then L0's two left. With L0 first, sample 2 would be placed by
    L0's batch and end in split 0.

    L1 first: 2 -> 0, 3 -> 1; L0 left 0, 1, its want 1.5 : 1.5 minus 1 : 0 given: 0.5 :
    1.5, floor met in 0, short in 1 (needs 1): one to split 1; the other by 0.5 : 0.5, a
    tie, and the sizes still wanted (2 : 2) are even: the leftmost split. So 0 -> 0 and
    1 -> 1; the two without labels one each."""
    units = sparse.csr_matrix(np.array([[1, 0], [1, 0], [1, 1], [0, 1], [0, 0], [0, 0]]))
    for draws in ([0.0, 0.99], [0.99, 0.0]):
        split = _stratify_units(units, np.ones(6, dtype=np.int64), np.array([0.5, 0.5]),
                                ScriptedRng(draws), min_per_split=1, preassigned=None)
        assert split[[2, 3]].tolist() == [0, 1], draws
        assert np.bincount(split, minlength=2).tolist() == [3, 3], draws
        assert split.tolist() == [0, 1, 0, 1, 0, 1], draws


def test_equal_labels_go_in_the_order_of_their_draws():
    """L0 in 0, 1 and L1 in 1, 2: two each. The smaller draw goes first, and takes sample
    1 with it: L0 first puts 0 -> 0, 1 -> 1; L1 first puts 1 -> 0, 2 -> 1."""
    units = sparse.csr_matrix(np.array([[1, 0], [1, 1], [0, 1], [0, 0]]))
    first = _stratify_units(units, np.ones(4, dtype=np.int64), np.array([0.5, 0.5]),
                            ScriptedRng([0.1, 0.9]), min_per_split=1, preassigned=None)
    second = _stratify_units(units, np.ones(4, dtype=np.int64), np.array([0.5, 0.5]),
                             ScriptedRng([0.9, 0.1]), min_per_split=1, preassigned=None)
    assert first[:2].tolist() == [0, 1] and second[1:3].tolist() == [0, 1]


def test_preassigned_units_count_before_the_pass():
    """Sample 0 (L0) is fixed in split 0: L0's other sample goes to split 1."""
    units = sparse.csr_matrix(np.array([[1], [1], [0], [0]]))
    split = _stratify_units(units, np.ones(4, dtype=np.int64), np.array([0.5, 0.5]),
                            ScriptedRng([0.3]), min_per_split=1,
                            preassigned=np.array([0, -1, -1, -1]))
    assert split.tolist()[:2] == [0, 1]
    assert np.bincount(split).tolist() == [2, 2]


def test_groups_of_unequal_size_fill_the_splits_by_images():
    """Groups of 3, 1, 1, 1 images and no labels: 3 images to one split, three 1-groups to
    the other (sizes wanted 3 : 3), not two groups each."""
    units = sparse.csr_matrix((4, 1), dtype=np.int64)
    split = _stratify_units(units, np.array([3, 1, 1, 1]), np.array([0.5, 0.5]),
                            ScriptedRng([0.0]), min_per_split=1, preassigned=None)
    assert split[0] != split[1] and len(set(split[1:].tolist())) == 1


# multilabel_stratify

def test_preassigned_samples_stay_in_their_split_including_train():
    Y = np.array([[1, 0]] * 10 + [[0, 1]] * 10)
    preassigned = np.full(20, -1)
    preassigned[[0, 1, 10, 11]] = 0
    preassigned[[4, 5, 14, 15]] = 2
    for groups in (None, np.arange(20) // 2):
        split = multilabel_stratify(Y, fractions=(0.5, 0.25, 0.25), seed=0, groups=groups,
                                    preassigned=preassigned)
        assert split[[0, 1, 10, 11]].tolist() == [0, 0, 0, 0], groups
        assert split[[4, 5, 14, 15]].tolist() == [2, 2, 2, 2], groups


def test_a_group_preassigned_to_two_splits_is_refused():
    preassigned = np.array([0, 2, -1, -1, -1, -1])
    with pytest.raises(DataError, match=r"Samples 0, 1 share a group .* splits \(0, 2\)"):
        multilabel_stratify(np.eye(6, dtype=int), fractions=(0.5, 0.5), groups=[0, 0, 1, 1, 2, 2],
                            preassigned=preassigned)


def test_the_default_seed_is_zero():
    Y = np.random.default_rng(0).random((60, 4)) < 0.3
    assert (multilabel_stratify(Y) == multilabel_stratify(Y, seed=0)).all()
    assert not (multilabel_stratify(Y) == multilabel_stratify(Y, seed=1)).all()


def test_no_samples_and_a_label_no_sample_has():
    assert multilabel_stratify(np.zeros((0, 3), dtype=int)).tolist() == []
    Y = np.array([[1, 0, 0]] * 6 + [[0, 1, 0]] * 6)  # label 2: no sample
    split = multilabel_stratify(Y, fractions=(0.5, 0.5))
    assert np.bincount(split[:6]).tolist() == [3, 3] and np.bincount(split[6:]).tolist() == [3, 3]


def test_a_label_with_fewer_samples_than_splits_has_no_floor():
    """Two samples of L1 and three splits: they cannot be in every split, so the search
    is free to put both where the sizes need them; the split stays on its targets."""
    Y = np.array([[1, 0]] * 8 + [[0, 1]] * 2)
    split = multilabel_stratify(Y, fractions=(0.6, 0.2, 0.2), seed=0)
    assert np.bincount(split, minlength=3).tolist() == [6, 2, 2]
    assert np.bincount(split[:8], minlength=3).tolist() in ([5, 2, 1], [5, 1, 2], [6, 1, 1],
                                                            [4, 2, 2])


def test_preassigned_samples_stay_where_the_search_would_move_them():
    """Eight of the ten samples of L0 fixed in split 0 of two halves: the balanced split
    would swap three of them out; fixed, they stay (split 0 = index 0 included)."""
    Y = np.array([[1, 0]] * 10 + [[0, 1]] * 10)
    preassigned = np.full(20, -1)
    preassigned[:8] = 0
    split = multilabel_stratify(Y, fractions=(0.5, 0.5), seed=0, preassigned=preassigned)
    assert split[:8].tolist() == [0] * 8
    assert np.bincount(split, minlength=2).tolist() == [10, 10]
    free = multilabel_stratify(Y, fractions=(0.5, 0.5), seed=0)
    assert np.bincount(free[:10], minlength=2).tolist() == [5, 5]  # what it would do


# check_fractions and the label distribution (LD)

def test_check_fractions_at_its_edges():
    from workbench.split.core import check_fractions

    with pytest.raises(ValueError, match="at least two splits"):
        check_fractions([1.0])
    with pytest.raises(ValueError, match="Every split needs a positive fraction"):
        check_fractions((0.5, 0.5, 0.0))
    assert check_fractions((0.34, 0.33, 0.33), 3).tolist() == [0.34, 0.33, 0.33]  # one each
    with pytest.raises(DataError, match="2 images cannot fill 3 splits"):
        check_fractions((0.34, 0.33, 0.33), 2)
    # 0.05 of 10 images is half an image: rounded up, the split gets one
    assert len(check_fractions((0.9, 0.05, 0.05), 10)) == 3
    with pytest.raises(DataError, match=r"split\(s\) 1, 2 .* would get no image"):
        check_fractions((0.92, 0.04, 0.04), 10)


def ld_by_hand(Y, split, k):
    """Sechidis et al.'s LD as its formula reads: mean over labels in some but not all
    samples of the mean over splits (where the ratio is defined) of
    |S_j^l / (|S_j| - S_j^l) - D^l / (|D| - D^l)|."""
    Y = np.asarray(Y)
    n = len(Y)
    per_label = []
    for label in range(Y.shape[1]):
        d = Y[:, label].sum()
        if d == 0 or d == n:
            continue
        terms = []
        for s in range(k):
            c, size = Y[split == s, label].sum(), (split == s).sum()
            if size > c:
                terms.append(abs(c / (size - c) - d / (n - d)))
        per_label.append(np.mean(terms))
    return float(np.mean(per_label)) if per_label else 0.0


def test_label_distribution_against_its_formula_with_every_edge():
    """Labels in no sample and in every sample are left out; a split made only of one
    label leaves that split out of the label's mean; an empty third split is no split."""
    import warnings

    from workbench.split.quality import label_distribution

    Y = np.array([[1, 0, 1, 0], [1, 0, 1, 1], [1, 0, 1, 0], [0, 0, 1, 1],
                  [0, 0, 1, 0], [1, 0, 1, 1], [0, 0, 1, 1]])
    split = np.array([0, 0, 1, 1, 1, 0, 1])  # split 0: label 0 in every sample
    once = np.c_[Y, [0, 0, 0, 1, 0, 0, 0]]  # a label in one sample counts
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        ld = label_distribution(Y, split)
        ld3 = label_distribution(Y, split, 3)
        none = label_distribution(Y[:, 1:3], split)  # no label counts: 0
        with_once = label_distribution(once, split)
    assert ld == pytest.approx(ld_by_hand(Y, split, 2)) == ld3
    # label 0 (odds 4:3): split 0 undefined, split 1 |1/3 - 4/3| = 1; label 3 (4:3):
    # |2/1 - 4/3| = 2/3 and |2/2 - 4/3| = 1/3, mean 1/2; LD = (1 + 1/2) / 2
    assert ld == pytest.approx(0.75)
    assert none == 0.0
    # the single sample is in split 1 (odds 1:6): |0 - 1/6| and |1/3 - 1/6|, mean 1/6
    assert with_once == pytest.approx((0.75 * 2 + 1 / 6) / 3) == ld_by_hand(once, split, 2)


def test_examples_distribution_counts_an_empty_last_split():
    from workbench.split.quality import examples_distribution

    # sizes 3, 1, 0 against 2, 1, 1: (1 + 0 + 1) / 3
    assert examples_distribution(np.array([0, 0, 0, 1]), (0.5, 0.25, 0.25)) == pytest.approx(
        2 / 3)


def test_a_label_in_exactly_as_many_samples_as_splits_reaches_every_split():
    Y = np.array([[1, 0]] * 3 + [[0, 1]] * 7)
    for seed in range(5):
        split = multilabel_stratify(Y, fractions=(0.6, 0.2, 0.2), seed=seed)
        assert sorted(split[:3].tolist()) == [0, 1, 2], seed


def test_ties_go_to_the_first_split_and_the_first_group():
    """Equal wants and equal group sizes are taken in index order: a stable sort. numpy's
    default sort is not stable here (its AVX-512 sort orders -[1, 1, 2, 2] as 3, 2, 1, 0)."""
    # floor 1 in four splits, three units: the two wanting 2, then the first wanting 1
    counts = _batch_counts(3, np.array([1.0, 1.0, 2.0, 2.0]), np.full(4, 5.0),
                           np.zeros(4, int), 1, np.full(4, 0.25))
    assert counts.tolist() == [1, 0, 1, 1]
    # groups of 1, 1, 2, 2 images: the 2s first (group 2, then 3), then group 0, then 1
    out = _greedy_groups(np.array([1.0, 1.0, 2.0, 2.0]), np.array([3.0, 3.0]),
                         np.array([3.0, 3.0]), np.zeros(2, int), 0)
    assert out.tolist() == [0, 1, 0, 1]
