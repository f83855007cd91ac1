"""The splits notebook 02 compares and the one it hands on, against the splitters called
directly: which splits appear, in what order, under which names, with which arguments."""

import numpy as np
import pandas as pd
import pytest
from PIL import Image

from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning
from workbench.split import (
    chosen_split,
    compare_reports,
    compare_splits,
    random_split,
    split_report,
    stratified_split,
)


def catalog(*, split=False, groups=False, condition=True) -> Catalog:
    """60 images: a 40 (light: day 30 / night 10), b 20 (day 17 / night 3)."""
    labels = ["a"] * 40 + ["b"] * 20
    light = ["day"] * 30 + ["night"] * 10 + ["day"] * 17 + ["night"] * 3
    samples = pd.DataFrame({"filepath": [f"{i}.png" for i in range(60)], "width": 8,
                            "height": 6, "label": labels},
                           index=[f"s{i:02}" for i in range(60)])
    conditions = []
    if condition:
        samples["light"] = light
        conditions = ["light"]
    if split:
        samples["split"] = (["train"] * 6 + ["val"] * 2 + ["test"] * 2) * 6
    if groups:
        samples["group"] = [f"g{i // 3}" for i in range(60)]
    return Catalog(samples, classes=["a", "b"], conditions=conditions)


def same_split(a: Catalog, b: Catalog) -> bool:
    return a.samples["split"].equals(b.samples["split"])


def test_without_a_split_the_naive_stratified_and_strongest_splits_in_that_order():
    cat = catalog()
    comparison = compare_splits(cat, fractions=(0.5, 0.25, 0.25), seed=3)
    strongest = "stratified by class x light"
    assert list(comparison.catalogs) == ["naive", "stratified", strongest]
    assert list(comparison.reports) == list(comparison.catalogs)
    assert (comparison.strongest_name, comparison.condition, comparison.has_groups) == (
        strongest, "light", False)
    assert comparison.fractions == (0.5, 0.25, 0.25)
    assert all(type(f) is float for f in comparison.fractions)
    assert same_split(comparison.catalogs["naive"],
                      random_split(cat, fractions=(0.5, 0.25, 0.25), seed=3))
    assert same_split(comparison.catalogs["stratified"],
                      stratified_split(cat, fractions=(0.5, 0.25, 0.25), seed=3))
    assert same_split(comparison.catalogs[strongest], stratified_split(
        cat, fractions=(0.5, 0.25, 0.25), seed=3, by="class+condition", condition="light"))
    # the seed reaches every splitter: another seed, another naive split
    assert not same_split(comparison.catalogs["naive"],
                          random_split(cat, fractions=(0.5, 0.25, 0.25), seed=0))
    report = comparison.reports["stratified"]
    assert report.examples_distribution == split_report(
        comparison.catalogs["stratified"], fractions=(0.5, 0.25, 0.25)).examples_distribution
    assert comparison.naive is comparison.reports["naive"]
    assert comparison.stratified is comparison.reports["stratified"]
    assert comparison.strongest is comparison.reports[strongest]
    assert comparison.given.reason.startswith("This dataset came without a split")
    pd.testing.assert_frame_equal(comparison.to_frame(), compare_reports(comparison.reports))
    assert repr(comparison) == (
        f"SplitComparison(naive, stratified, {strongest}; strongest {strongest})")


def test_the_defaults_are_70_15_15_seed_0_and_the_most_hidden_condition():
    cat = catalog()
    comparison = compare_splits(cat)
    assert comparison.fractions == (0.7, 0.15, 0.15)
    assert comparison.condition == "light"
    assert same_split(comparison.catalogs["naive"],
                      random_split(cat, fractions=(0.7, 0.15, 0.15), seed=0))
    assert same_split(comparison.catalogs["stratified"], stratified_split(cat, seed=0))


def test_your_split_comes_first_and_is_reported_against_no_fractions():
    cat = catalog(split=True)
    comparison = compare_splits(cat, seed=1)
    assert list(comparison.catalogs)[:2] == ["yours", "naive"]
    assert comparison.catalogs["yours"] is cat
    assert np.isnan(comparison.reports["yours"].examples_distribution)
    assert not np.isnan(comparison.reports["naive"].examples_distribution)
    assert comparison.given is comparison.reports["yours"]
    assert comparison.chosen() == ("yours", cat)
    name, chosen = comparison.chosen(resplit=True)
    assert name == "stratified by class x light"
    assert chosen is comparison.catalogs[name]


def test_groups_and_no_condition_name_the_strongest_split_for_what_it_keeps():
    grouped = compare_splits(catalog(groups=True), condition=None, seed=2)
    assert grouped.strongest_name == "stratified, groups whole"
    assert (grouped.condition, grouped.has_groups) == (None, True)
    with pytest.warns(DataWarning, match=r"fewer groups than the 3 splits \('b@night: 1'\)"):
        both = compare_splits(catalog(groups=True), seed=2)
    assert both.strongest_name == "stratified by class x light, groups whole"
    with pytest.warns(DataWarning):
        alone = stratified_split(catalog(groups=True), seed=2, by="class+condition",
                                 condition="light", groups=True)
    assert same_split(both.catalogs[both.strongest_name], alone)
    # every group whole in the grouped split
    samples = both.catalogs[both.strongest_name].samples
    assert samples.groupby("group")["split"].nunique().max() == 1


def test_without_condition_or_groups_stratified_is_the_strongest():
    comparison = compare_splits(catalog(condition=False), seed=0)
    assert list(comparison.catalogs) == ["naive", "stratified"]
    assert comparison.strongest_name is None and comparison.condition is None
    assert comparison.strongest.reason.startswith("This dataset has no condition column with")
    assert comparison.chosen() == ("stratified", comparison.catalogs["stratified"])
    assert comparison.condition_table().reason.startswith(
        "This dataset has no condition column, so there is no condition mix")
    assert compare_splits(catalog(), condition=None).strongest_name is None


def test_the_condition_table_is_the_strongest_splits_rounded_to_three_places():
    comparison = compare_splits(catalog(), seed=0)
    table = comparison.condition_table()
    raw = comparison.reports["stratified by class x light"].condition_table()
    pd.testing.assert_frame_equal(table, raw.round(3))
    assert not raw.round(3).equals(raw.round(4))  # shares this fixture rounds differently
    naive = comparison.condition_table("naive")
    pd.testing.assert_frame_equal(naive, comparison.reports["naive"].condition_table().round(3))


def write_noise(folder, n, seed=0):
    """n images of independent noise (no two near-identical), the last a copy of the first."""
    rng = np.random.default_rng(seed)
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for i in range(n):
        pixels = rng.integers(0, 256, (24, 32), dtype=np.uint8)
        if i == n - 1:
            pixels = np.asarray(Image.open(paths[0]))
        path = folder / f"{i:02}.png"
        Image.fromarray(pixels).save(path)
        paths.append(path)
    return paths


def image_catalog(tmp_path, *, split=False):
    paths = write_noise(tmp_path / "images", 40)
    labels = ["a"] * 28 + ["b"] * 12
    samples = pd.DataFrame({"filepath": [str(p) for p in paths], "width": 32, "height": 24,
                            "label": labels, "light": (["day", "day", "night"] * 14)[:40]},
                           index=[f"s{i:02}" for i in range(40)])
    if split:
        samples["split"] = (["train"] * 8 + ["val", "test"]) * 4
    return Catalog(samples, classes=["a", "b"], conditions=["light"])


def test_the_chosen_split_keeps_a_copy_with_its_original(tmp_path):
    cat = image_catalog(tmp_path)
    chosen = chosen_split(cat, fractions=(0.6, 0.2, 0.2), seed=4, cache_dir=tmp_path / "c")
    samples = chosen.samples
    assert samples.loc["s00", "group"] == samples.loc["s39", "group"]
    assert samples.loc["s00", "split"] == samples.loc["s39", "split"]
    assert samples["group"].nunique() == 39  # the copy shares its original's group
    expected = stratified_split(chosen.replace(samples=samples.drop(columns="split")),
                                fractions=(0.6, 0.2, 0.2), seed=4, by="class+condition",
                                condition="light", groups=True)
    assert same_split(chosen, expected)
    sizes = samples["split"].value_counts()
    assert sizes["train"] > sizes["val"] and sizes["train"] > sizes["test"]


def test_the_chosen_split_is_yours_unless_you_resplit(tmp_path):
    cat = image_catalog(tmp_path, split=True)
    yours = chosen_split(cat, cache_dir=tmp_path / "c")
    assert yours.samples["split"].equals(cat.samples["split"])
    redone = chosen_split(cat, resplit=True, condition=None, seed=0, cache_dir=tmp_path / "c")
    assert not redone.samples["split"].equals(cat.samples["split"])
    expected = stratified_split(redone.replace(samples=redone.samples.drop(columns="split")),
                                seed=0, by="class", groups=True)
    assert same_split(redone, expected)
    with pytest.raises(ValueError, match=r"sum to 1. Got \[0.5, 0.6\]"):
        chosen_split(cat, resplit=True, fractions=(0.5, 0.6), cache_dir=tmp_path / "c")


def test_a_random_split_of_groups_cuts_the_shuffled_groups_where_the_fractions_fall():
    rng = np.random.default_rng(7)
    sizes = rng.integers(1, 6, 25)                    # 25 groups of 1 to 5 images
    group = np.repeat([f"g{k:02}" for k in range(25)], sizes)
    samples = pd.DataFrame({"filepath": [f"{i}.png" for i in range(len(group))], "width": 4,
                            "height": 4, "label": "a", "group": group},
                           index=[f"s{i:03}" for i in range(len(group))])
    cat = Catalog(samples, classes=["a"])
    split = random_split(cat, fractions=(0.5, 0.3, 0.2), seed=3, groups=True)
    # the reference, a loop: shuffle the groups (one permutation with the same seed), then
    # a group goes past each boundary its last image reaches
    order = np.random.default_rng(3).permutation(25)
    bounds = np.cumsum([0.5, 0.3, 0.2])[:-1] * len(group)
    names, seen, expected = ["train", "val", "test"], 0, {}
    for g in order:
        seen += sizes[g]
        expected[f"g{g:02}"] = names[int((seen >= bounds).sum())]
    assert split.samples["split"].astype(str).tolist() == [expected[g] for g in group]
    assert split.samples.groupby("group")["split"].nunique().max() == 1
    assert split.samples["split"].cat.categories.tolist() == names
    again = random_split(cat, fractions=(0.5, 0.3, 0.2), groups=True)  # seed 0
    assert same_split(again, random_split(cat, fractions=(0.5, 0.3, 0.2), seed=0,
                                          groups=True))
    assert not same_split(again, split)
    renamed = random_split(cat, fractions=(0.5, 0.5), seed=3, names=["fit", "check"])
    assert set(renamed.samples["split"].astype(str)) == {"fit", "check"}
    assert (renamed.samples["split"] == "fit").sum() == len(group) // 2


def test_stratified_split_names_auto_condition_and_group_counts():
    cat = catalog()
    two = stratified_split(cat, fractions=(0.8, 0.2))
    assert two.samples["split"].cat.categories.tolist() == ["train", "test"]
    four = stratified_split(cat, fractions=(0.4, 0.2, 0.2, 0.2))
    assert four.samples["split"].cat.categories.tolist() == ["split_0", "split_1", "split_2",
                                                             "split_3"]
    named = stratified_split(cat, fractions=(0.7, 0.3), names=("fit", "check"))
    assert named.samples["split"].value_counts().to_dict() == {"fit": 42, "check": 18}
    with pytest.raises(ValueError, match="3 split names for 2 fractions"):
        stratified_split(cat, fractions=(0.5, 0.5), names=("a", "b", "c"))
    # "auto" takes the condition hiding most imbalance: light, the only one
    auto = stratified_split(cat, by="class+condition", condition="auto", seed=2)
    assert same_split(auto, stratified_split(cat, by="class+condition", condition="light",
                                             seed=2))
    assert same_split(stratified_split(cat), stratified_split(cat, seed=0))
    plain = catalog(condition=False)
    with pytest.warns(DataWarning, match="no condition has two or more values: stratifying "
                                         "by class"):
        fallback = stratified_split(plain, by="class+condition", condition="auto")
    assert same_split(fallback, stratified_split(plain))
    # exactly as many groups as splits is enough; one fewer is not
    three = catalog(groups=True).samples.assign(group=[f"g{i % 3}" for i in range(60)])
    assert stratified_split(cat.replace(samples=three), groups=True, fractions=(0.4, 0.3, 0.3)
                            ).samples.groupby("group")["split"].nunique().max() == 1
    two_groups = three.assign(group=[f"g{i % 2}" for i in range(60)])
    with pytest.raises(DataError, match="2 groups cannot fill 3 splits"):
        stratified_split(cat.replace(samples=two_groups), groups=True)
    with pytest.raises(ValueError, match="'rare' parameter of stratified_split"):
        stratified_split(cat, rare="nowhere")


def test_strata_by_class_by_default_and_small_ones_merged_into_their_class():
    from workbench.split.catalog_split import strata

    by_class = strata(catalog())
    assert by_class.names == ["a", "b"] and by_class.Y.shape == (60, 2)
    assert repr(by_class) == "Strata(60 images x 2 strata)"
    # b has 3 night images: under a minimum of 4 they join b's other stratum
    joint = strata(catalog(), by="class+condition", condition="light", min_size=4)
    assert joint.merged == ["b@night"]
    assert repr(joint) == "Strata(60 images x 4 strata, 1 merged into their class)"
    assert strata(catalog(), by="class+condition", condition="light").merged == []  # 3 >= 3
