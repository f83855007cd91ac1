import numpy as np
import pandas as pd
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy import sparse

from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning
from workbench.split import (
    examples_distribution,
    label_distribution,
    multilabel_stratify,
    random_split,
    split_report,
    strata,
    stratified_split,
)


def labelled(counts: dict, **columns) -> Catalog:
    labels = [c for c, n in counts.items() for _ in range(n)]
    samples = pd.DataFrame({"filepath": [f"{i}.png" for i in range(len(labels))], "width": 8,
                            "height": 8, "label": labels, **columns},
                           index=[f"s{i:04d}" for i in range(len(labels))])
    return Catalog(samples, classes=list(counts),
                   conditions=[c for c in columns if c not in ("group",)])


def test_exact_stratification_hand_computed():
    cat = stratified_split(labelled({"a": 60, "b": 20, "c": 20}), seed=1)
    report = split_report(cat)
    # 0.7/0.15/0.15 of 60, 20, 20: 42/9/9, 14/3/3, 14/3/3
    assert report.counts.to_dict("index") == {
        "a": {"train": 42, "val": 9, "test": 9}, "b": {"train": 14, "val": 3, "test": 3},
        "c": {"train": 14, "val": 3, "test": 3}}
    assert report.max_share_gap.max() == pytest.approx(0.0)


def test_single_label_counts_match_scikit_learn():
    from sklearn.model_selection import StratifiedShuffleSplit

    y = np.repeat([0, 1, 2], [50, 30, 20])
    train, test = next(StratifiedShuffleSplit(n_splits=1, test_size=0.2, random_state=0)
                       .split(np.zeros(len(y)), y))
    ours = multilabel_stratify(np.eye(3, dtype=int)[y], fractions=(0.8, 0.2), seed=0)
    assert np.bincount(y[ours == 1]).tolist() == np.bincount(y[test]).tolist() == [10, 6, 4]


def test_same_seed_same_split_and_seeds_differ():
    cat = labelled({"a": 40, "b": 25, "c": 10})
    one, two = stratified_split(cat, seed=3), stratified_split(cat, seed=3)
    assert one.samples["split"].tolist() == two.samples["split"].tolist()
    assert one.samples["split"].tolist() != stratified_split(cat, seed=4).samples["split"].tolist()


def zipf_multilabel(n=3000, n_labels=40, seed=0):
    rng = np.random.default_rng(seed)
    p = 1 / np.arange(1, n_labels + 1)
    rows = np.repeat(np.arange(n), rng.integers(1, 5, n))
    cols = rng.choice(n_labels, len(rows), p=p / p.sum())
    Y = sparse.csr_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, n_labels))
    Y.data[:] = 1
    return Y


def test_multilabel_ld_beats_a_random_split():
    Y = zipf_multilabel()
    ours = multilabel_stratify(Y, fractions=(0.7, 0.15, 0.15), seed=0)
    rand = np.random.default_rng(0).permutation(np.repeat([0, 1, 2], [2100, 450, 450]))
    assert label_distribution(Y, ours, 3) < 0.25 * label_distribution(Y, rand, 3)
    assert examples_distribution(ours, (0.7, 0.15, 0.15)) < 10


def test_ld_hand_computed():
    # label on samples 0, 1, 2 of 6 (D / (n - D) = 1); split {0, 1, 5} / {2, 3, 4}
    Y = np.array([[1], [1], [1], [0], [0], [0]])
    split = np.array([0, 0, 1, 1, 1, 0])
    assert label_distribution(Y, split, 2) == pytest.approx((abs(2 / 1 - 1) + abs(1 / 2 - 1)) / 2)
    assert examples_distribution(split, (0.5, 0.5)) == 0.0


def test_every_class_with_enough_images_is_in_every_split():
    Y = zipf_multilabel(n=800, n_labels=60, seed=2)
    split = multilabel_stratify(Y, fractions=(0.8, 0.1, 0.1), seed=0)
    Y = Y.tocsc()
    for label in range(Y.shape[1]):
        rows = Y[:, label].nonzero()[0]
        if len(rows) >= 3:
            assert set(split[rows]) == {0, 1, 2}, (label, len(rows))


@settings(max_examples=40, deadline=None)
@given(st.lists(st.integers(0, 25), min_size=12, max_size=120),
       st.lists(st.integers(0, 3), min_size=12, max_size=120), st.integers(0, 2**16))
def test_no_group_straddles_splits(groups, labels, seed):
    n = min(len(groups), len(labels))
    Y = np.eye(4, dtype=int)[labels[:n]]
    split = multilabel_stratify(Y, fractions=(0.6, 0.2, 0.2), seed=seed, groups=groups[:n])
    per_group = pd.Series(split).groupby(np.asarray(groups[:n])).nunique()
    assert (per_group == 1).all()


def test_grouped_demo_split_has_no_leakage_and_keeps_night_cracks_everywhere():
    from workbench.sources import load

    cat = load("demo:surfaces")
    naive = split_report(random_split(cat, seed=0))
    assert len(naive.leaking_groups) > 100
    done = stratified_split(cat, seed=0, by="class+condition", condition="lighting",
                            groups=True)
    report = split_report(done, fractions=(0.7, 0.15, 0.15))
    assert report.leaking_groups == [] and report.missing == []
    assert report.label_distribution < 0.5 * naive.label_distribution
    # Without groups, the 3 night cracks reach every split; with groups they cannot
    # (they sit in 2 assets), and the split keeps the assets whole instead.
    # Night cracks: images containing a crack (label or box) taken at night.
    joint = stratified_split(cat, seed=0, by="class+condition", condition="lighting")
    from workbench.catalog import indicator

    night = indicator(joint)["crack"] & (joint.samples["lighting"] == "night")
    assert night.sum() == 3
    assert set(joint.samples.loc[night, "split"]) == {"train", "val", "test"}


def test_small_joint_strata_are_merged_into_their_class():
    cat = labelled({"a": 30, "b": 12}, light=["day"] * 30 + ["day"] * 10 + ["night"] * 2)
    st_ = strata(cat, by="class+condition", condition="light", min_size=3)
    assert st_.merged == ["b@night"]
    assert st_.names == ["a@day", "b@day", "b"]


@pytest.mark.parametrize("night, merged", [(3, []), (2, ["b@night"])])
def test_a_stratum_of_exactly_min_size_is_kept(night, merged):
    # min_size 3: three b images at night can reach each of 3 splits; two cannot.
    cat = labelled({"a": 30, "b": 10 + night}, light=["day"] * 40 + ["night"] * night)
    st_ = strata(cat, by="class+condition", condition="light", min_size=3)
    assert st_.merged == merged
    assert ("b@night" in st_.names) == (not merged)
    assert st_.Y.sum(axis=0).A1.tolist() == ([30, 10, 3] if not merged else [30, 10, 2])


def test_rare_classes_go_to_train_or_raise():
    cat = labelled({"a": 40, "b": 2})
    done = stratified_split(cat, seed=0)
    assert set(done.samples.loc[done.samples["label"] == "b", "split"]) == {"train"}
    with pytest.raises(DataError, match=r"Classes 'b' have fewer images \(2\) than the 3 "
                                        r"splits.*rare='train'"):
        stratified_split(cat, rare="error")


@pytest.mark.parametrize("kwargs, error, message", [
    (dict(fractions=(0.5, 0.3, 0.3)), ValueError, r"sum to 1. Got \[0.5, 0.3, 0.3\]"),
    (dict(fractions=(1.2, -0.1, -0.1)), ValueError, "non-negative"),
    (dict(fractions=(0.995, 0.005)), DataError, r"split\(s\) 1 .* would get no image"),
    (dict(groups=True), DataError, "needs a 'group' column"),
    (dict(by="class+condition", condition="site"), DataError, "'site' is not a column"),
    (dict(by="scene"), ValueError, "The 'by' parameter of strata must be one of"),
])
def test_bad_input(kwargs, error, message):
    with pytest.raises(error, match=message):
        stratified_split(labelled({"a": 30, "b": 20}), **kwargs)


def test_group_nan_and_too_few_images():
    cat = labelled({"a": 3, "b": 2}, group=["g1", None, "g2", "g3", "g3"])
    with pytest.raises(DataError, match="1 images have no group"):
        stratified_split(cat, fractions=(0.5, 0.5), groups=True)
    with pytest.raises(DataError, match="2 images cannot fill 3 splits"):
        stratified_split(labelled({"a": 1, "b": 1}))


def test_report_and_export_of_each_split(tmp_path):
    from workbench.sources import read_manifest, write_manifest

    cat = stratified_split(labelled({"a": 60, "b": 20, "c": 20}), seed=1)
    paths = {s: write_manifest(cat, tmp_path / s / "manifest.csv", split=s)
             for s in ("train", "val", "test")}
    with pytest.warns(DataWarning, match="image files that do not exist"):  # no files here
        sizes = {s: len(read_manifest(p)) for s, p in paths.items()}
    assert sizes == {"train": 70, "val": 15, "test": 15}


def test_export_splits_writes_every_format_and_refuses_the_source(tmp_path):
    from workbench.sources import export_splits, read_coco, read_yolo
    from workbench.sources import load as load_spec
    from workbench.split import compare_reports

    cat = stratified_split(load_spec("demo:surfaces:120"), seed=0, groups=True)
    paths = export_splits(cat, tmp_path / "out")
    assert sorted(paths) == [(f, s) for f in ("coco", "manifest", "yolo")
                             for s in ("test", "train", "val")]
    val = cat.split_subset("val")
    assert read_coco(paths[("coco", "val")]).equals(val)
    assert len(read_yolo(paths[("yolo", "val")]).objects) == len(val.objects)
    with pytest.raises(DataError, match="never writes into a source dataset"):
        export_splits(cat, __import__("pathlib").Path(cat.source) / "exports")
    table = compare_reports({"a": split_report(cat), "b": split_report(random_split(cat))})
    assert list(table.columns) == ["a", "b"] and table.loc["groups_in_two_splits", "a"] == 0


def test_split_exercises():
    from workbench.exercises import check
    from workbench.sources import load as load_spec

    cat = load_spec("demo:surfaces")
    leaks = len(split_report(random_split(cat, seed=0)).leaking_groups)
    share = leaks / cat.samples["group"].nunique()
    assert check("02.leak_share", round(share, 2), cat).correct is True
    assert check("02.leak_share", round(share, 2) + 0.01, cat).correct is False
    assert check("02.leak_share", 0.3, load_spec("demo:digits")).correct is None  # no groups


def test_the_checklist_and_split_report_give_the_same_largest_share_gap():
    """One definition (image shares), though the checklist counts boxes on detection: on the
    BCCD slice instance shares would name another class and another gap."""
    from pathlib import Path

    import workbench
    from workbench import measure, split

    bccd = Path(__file__).resolve().parent / "data" / "bccd" / "BCCD"
    catalog = split.stratified_split(workbench.load(f"voc:{bccd}"),
                                     fractions=(0.5, 0.25, 0.25), seed=0)
    report = split.split_report(catalog).summary()
    checks = measure.health_checklist(catalog).to_frame()
    row = checks[checks["check"] == "split proportions preserved"].iloc[0]
    assert row["subject"] == report["worst_class"]
    assert row["value"] == round(report["largest_share_gap"], 4)
    by_instances = measure.class_counts(catalog, unit="instances", by="split").shares
    assert measure.share_gaps(by_instances).max() != pytest.approx(report["largest_share_gap"])


def test_class_counts_by_split_orders_train_val_test():
    import pandas as pd

    from workbench.catalog import Catalog
    from workbench.measure import class_counts
    from workbench.measure.counts import _strata

    samples = pd.DataFrame({"filepath": list("wxyz"), "width": 8, "height": 8,
                            "label": list("abab"), "split": ["val", "test", "train", "val"]},
                           index=list("wxyz"))
    catalog = Catalog(samples, classes=["a", "b"])
    assert list(class_counts(catalog, by="split").table.columns) == ["train", "val", "test"]
    codes, names = _strata(samples.assign(split=["val", None, "train", "zeta"]), "split")
    assert names == ["train", "val", "zeta", "(missing)"] and codes.tolist() == [1, 3, 0, 2]


@pytest.mark.parametrize("seed", [0, 1, 2])
def test_remainder_ties_alternate_so_sizes_stay_within_one_of_their_targets(seed):
    """Three classes of 5 at 0.7/0.3: each is 3.5/1.5, a tie. Sending every tie to the
    largest split gives 12/3 against targets of 10.5/4.5."""
    from workbench.split import multilabel_stratify

    Y = np.repeat(np.eye(3, dtype=int), 5, axis=0)
    split = multilabel_stratify(Y, fractions=(0.7, 0.3), seed=seed)
    sizes = np.bincount(split, minlength=2)
    assert np.abs(sizes - np.array([10.5, 4.5])).max() <= 1, sizes
    per_class = [np.bincount(split[Y[:, c] == 1], minlength=2).tolist() for c in range(3)]
    assert sorted(per_class) == [[3, 2], [3, 2], [4, 1]] or sorted(per_class) == [
        [3, 2], [4, 1], [4, 1]]


def test_digits_split_sizes_within_one_of_their_targets():
    """The digits demo at 0.7/0.3 (1,797 images cut to 532): 373/159 for 372.4/159.6."""
    import workbench
    from workbench import split

    catalog = workbench.load("demo:digits")
    for seed in (0, 1):
        sizes = split.stratified_split(catalog, fractions=(0.7, 0.3), seed=seed
                                       ).samples["split"].value_counts()
        target = np.array([0.7, 0.3]) * len(catalog)
        assert np.abs(sizes[["train", "test"]].to_numpy() - target).max() <= 1, sizes


def _iterstrat(Y, test_size, seed=0):
    from iterstrat.ml_stratifiers import MultilabelStratifiedShuffleSplit

    dense = sparse.csr_matrix(Y).toarray()
    _, test = next(MultilabelStratifiedShuffleSplit(
        n_splits=1, test_size=test_size, random_state=seed).split(np.zeros(len(dense)), dense))
    split = np.zeros(len(dense), dtype=np.int64)
    split[test] = 1
    return split


def _bccd_indicator():
    from pathlib import Path

    import workbench
    from workbench.catalog import indicator

    bccd = Path(__file__).resolve().parent / "data" / "bccd" / "BCCD"
    with pytest.warns(DataWarning):
        catalog = workbench.load(f"voc:{bccd}")
    return sparse.csr_matrix(indicator(catalog).to_numpy().astype(np.int64))


@pytest.mark.parametrize("name", ["zipf 3000 x 40", "zipf 1500 x 300", "BCCD"])
def test_one_pass_with_refinement_beats_iterative_stratification_on_ld(name):
    """LD no worse than iterative-stratification's, on synthetic Zipf label sets (one with
    many rare labels) and on BCCD's real image labels; sizes on their targets.

    On the set with many labels of 2-4 samples the comparison is like for like, without
    our floor of one sample per split (iterative-stratification has none): the floor puts
    a label of 2 in test where its share is 0.4, which costs LD (0.00070 against the
    peer's 0.00065 at seed 0; 0.00059 without it) and buys a metric for that label.
    """
    Y = {"zipf 3000 x 40": lambda: zipf_multilabel(),
         "zipf 1500 x 300": lambda: zipf_multilabel(n=1500, n_labels=300, seed=5),
         "BCCD": _bccd_indicator}[name]()
    floor = 0 if name == "zipf 1500 x 300" else 1
    for seed in (0, 1):
        ours = multilabel_stratify(Y, fractions=(0.8, 0.2), seed=seed, min_per_split=floor)
        peer = _iterstrat(Y, 0.2, seed)
        assert label_distribution(Y, ours, 2) <= label_distribution(Y, peer, 2), seed
        target = np.array([0.8, 0.2]) * Y.shape[0]
        assert np.abs(np.bincount(ours, minlength=2) - target).max() < 1


def test_refinement_lowers_ld_keeps_floors_and_frozen_samples():
    from workbench.split.refine import refine

    Y = zipf_multilabel(n=1200, n_labels=80, seed=3)
    rng = np.random.default_rng(0)
    start = rng.permutation(np.repeat([0, 1, 2], [900, 200, 100]))  # 100 off in two splits
    frozen = rng.random(1200) < 0.2
    per_label = np.bincount(Y.indices, minlength=80)
    floor = np.where(per_label >= 3, 1, 0)
    start_counts = np.array([np.bincount(Y[start == s].indices, minlength=80) for s in range(3)])
    floor = np.where(start_counts.min(axis=0) >= 1, floor, 0)  # floors the start meets
    done = refine(Y, start, np.array([0.7, 0.15, 0.15]), floor=floor, frozen=frozen)
    assert (done[frozen] == start[frozen]).all()
    assert np.bincount(done, minlength=3).tolist() == [840, 180, 180]
    counts = np.array([np.bincount(Y[done == s].indices, minlength=80) for s in range(3)])
    assert (counts >= floor).all()
    assert label_distribution(Y, done, 3) < 0.5 * label_distribution(Y, start, 3)
    again = refine(Y, start, np.array([0.7, 0.15, 0.15]), floor=floor, frozen=frozen)
    assert (again == done).all()


def test_dense_and_sparse_input_give_the_same_split():
    Y = zipf_multilabel(n=500, n_labels=30, seed=1)
    dense = Y.toarray().astype(np.int8)
    assert (multilabel_stratify(Y, seed=2) == multilabel_stratify(dense, seed=2)).all()
    assert (multilabel_stratify(dense * 3, seed=2) == multilabel_stratify(dense, seed=2)).all()


def test_a_split_report_pinned_to_the_column_and_the_digit():
    from workbench.split import split_report

    # val before train in the file; a custom split name; two images without a split
    s = pd.DataFrame({"filepath": list("abcdefghij"), "width": 4, "height": 4,
                      "label": list("xxyxxyxyxx"),
                      "split": ["val", "train", "train", "train", "holdout", "val", "train",
                                None, None, "val"],
                      "light": ["day", "day", "night", "day", "day", "night", "night", "day",
                                "day", "day"]},
                     index=list("abcdefghij"))
    report = split_report(Catalog(s, classes=["x", "y"], conditions=["light"]))
    assert report.sizes.index.tolist() == ["train", "val", "holdout"]  # known names first
    assert report.sizes.tolist() == [4, 3, 1] and report.unassigned == 2
    summary = report.summary()
    assert list(summary) == ["images", "label_distribution", "examples_distribution",
                             "mean_share_gap", "largest_share_gap", "worst_class", "missing",
                             "images_without_split"]
    assert summary["images"] == {"train": 4, "val": 3, "holdout": 1}
    assert summary["images_without_split"] == 2
    assert summary["missing"] == 1  # no y in holdout
    frame = report.to_frame()
    assert frame.columns.tolist() == [
        ("count", "train"), ("count", "val"), ("count", "holdout"), ("share", "train"),
        ("share", "val"), ("share", "holdout"), ("gap", "max")]
    # y: c (train), f (val), h (no split)
    assert frame.loc["y"].tolist() == pytest.approx([1, 1, 0, 0.25, 1 / 3, 0.0, 1 / 3])
    table = report.condition_table()
    assert table.index.names == ["condition", "value"]
    assert table.columns.tolist() == ["train", "val", "holdout"]
    assert table.loc[("light", "night")].tolist() == pytest.approx([0.5, 1 / 3, 0.0])
    assert repr(report) == ("SplitReport(train 4, val 3, holdout 1; mean share gap "
                            f"{report.mean_share_gap * 100:.2f} points)")
    plain = split_report(Catalog(s.drop(columns="light").fillna({"split": "test"}),
                                 classes=["x", "y"]))
    assert plain.condition_table().empty and "images_without_split" not in plain.summary()


def test_a_split_report_names_each_missing_pair_and_reads_unnormalised_fractions():
    from workbench.split import split_report
    from workbench.split.quality import examples_distribution

    # c has one image (in train); d has none: only c is missing anywhere
    s = pd.DataFrame({"filepath": list("abcdefgh"), "width": 4, "height": 4,
                      "label": ["a", "a", "b", "c", "a", "b", "a", "b"],
                      "split": ["train"] * 4 + ["val"] * 2 + ["test"] * 2},
                     index=list("abcdefgh"))
    report = split_report(Catalog(s, classes=["a", "b", "c", "d"]), fractions=(50, 25, 25))
    assert report.missing == [("c", "val"), ("c", "test")]
    assert (report.counts.index.name, report.counts.columns.name) == ("class", "split")
    assert report.counts.index.tolist() == ["a", "b", "c", "d"]
    assert report.counts.dtypes.unique().tolist() == [np.int64]
    assert report.counts.loc["d"].tolist() == [0, 0, 0]
    assert report.sizes.name == "images" and report.sizes.tolist() == [4, 2, 2]
    codes = np.array([0] * 4 + [1] * 2 + [2] * 2)
    assert report.examples_distribution == pytest.approx(
        examples_distribution(codes, [0.5, 0.25, 0.25]))
    assert report.examples_distribution == 0.0  # 4 / 2 / 2 is exactly 50 / 25 / 25
    off = split_report(Catalog(s, classes=["a", "b", "c", "d"]), fractions=(2, 1, 1, 1))
    assert np.isnan(off.examples_distribution)  # four fractions for three splits
