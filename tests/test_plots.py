"""Figures hold from 3 to 80 classes: readable size, bounded rows, true legends and pictures."""

import warnings

import matplotlib

matplotlib.use("Agg")
import matplotlib.pyplot as plt
import numpy as np
import pytest
import shapes
from matplotlib.colors import to_rgb

from workbench import augment, measure, plots, sample, split
from workbench.errors import Missing
from workbench.sources import load


@pytest.fixture(scope="module")
def eighty(tmp_path_factory):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return load(shapes.zipf80(tmp_path_factory.mktemp("z"), n_train=120, n_val=30))


def figures(cat):
    """Every per-class figure of the notebooks, on one Catalog."""
    d = measure.diagnose(cat, condition=None)
    keys = sample.sampling_keys(cat)
    plan = sample.plan_resampling(keys, max_oversample=5)
    comparison = split.compare_splits(cat, seed=0)
    return {
        "class_bars": plots.class_bars(d.counts, thresholds=(50, 100)),
        "long_tail": plots.long_tail_curve(d.tail),
        "plan": plots.plan_bars(plan),
        "repeat": plots.repeat_side_effects(sample.repeat_factors(cat, max_repeat=5)),
        "deviations": plots.share_deviations(comparison.reports)[0],
        "shares": plots.split_shares(measure.class_counts(cat, by="split")),
    }


def texts(figure):
    return [t for t in figure.findobj(matplotlib.text.Text) if t.get_text().strip()]


def test_per_class_figures_stay_readable_with_80_classes(eighty):
    for name, ax in figures(eighty).items():
        figure = ax.figure
        width, height = figure.get_size_inches()
        assert width <= plots.MAX_WIDTH + 1e-9, name
        assert height <= 12, name
        for axes in figure.axes:
            assert len([t for t in axes.get_yticklabels() if t.get_text()]) <= \
                plots.MAX_CLASSES + 1, name
        small = [(t.get_text(), t.get_fontsize()) for t in texts(figure)
                 if t.get_fontsize() < plots.MIN_FONT]
        assert not small, f"{name}: text below {plots.MIN_FONT} pt: {small[:3]}"
        plt.close(figure)


def test_class_bars_show_head_tail_others_and_zero_classes(eighty):
    counts = measure.class_counts(eighty, unit="instances")
    ax = plots.class_bars(counts, thresholds=(50, 100))
    labels = [t.get_text() for t in ax.get_yticklabels()]
    order = counts.total.sort_values(ascending=False, kind="stable").index.astype(str)
    assert labels[:15] == list(order[:15]) and labels[-14:] == list(order[-14:])
    assert labels[15].startswith(f"... {len(order) - 29} more classes")
    zero = counts.total.index[counts.total == 0].astype(str)
    assert len(zero) and set(zero[-14:]) <= set(labels)
    assert "no instances at all: " + zero[0] in ax.get_title()
    annotated = [t.get_text() for t in ax.texts]
    assert annotated.count("0") == len(set(zero) & set(labels))
    legend = [t.get_text() for t in ax.get_legend().get_texts()]
    assert legend[:2] == ["at least 50", "below 50"]  # the two bar colours drawn
    plt.close(ax.figure)


def test_deviations_share_classes_and_one_legend_for_every_split(eighty):
    comparison = split.compare_splits(eighty, seed=0)
    axes = plots.share_deviations(comparison.reports)
    rows = [t.get_text() for t in axes[0].get_yticklabels()]
    assert 0 < len(rows) <= plots.MAX_CLASSES
    assert all(axes[0].get_shared_y_axes().joined(axes[0], ax) for ax in axes)  # same rows
    legend = axes[0].figure.legends[0]
    names = [t.get_text() for t in legend.get_texts()]
    assert names == ["train", "val", "test"]  # yours has train/val; the others add test
    colours = {n: to_rgb(h.get_facecolor()) for n, h in zip(names, legend.legend_handles,
                                                           strict=True)}
    drawn = {to_rgb(p.get_facecolor()) for ax in axes for p in ax.patches if p.get_width()}
    assert drawn <= set(colours.values())
    plt.close(axes[0].figure)


def test_thumbnails_keep_the_aspect_ratio(tmp_path):
    cat = load(shapes.folder(tmp_path))  # 48x32 and 32x48 pictures on white
    ax = plots.thumbnail_grid(cat, cat.samples.index[:2], n_cols=2, size=96)
    mosaic = ax.get_images()[0].get_array()
    first = (np.asarray(mosaic[:96, :96]) < 250).any(axis=2)  # 32x48: portrait
    rows, cols = np.flatnonzero(first.any(axis=1)), np.flatnonzero(first.any(axis=0))
    assert (rows.max() - rows.min() + 1, cols.max() - cols.min() + 1) == (96, 64)
    plt.close(ax.figure)


def test_preview_colours_mask_classes_and_names_them(tmp_path):
    cat = load(shapes.masks(tmp_path))
    preview = augment.preview(cat, "car", n=2, n_originals=1, seed=0, strength=0.0)
    ax = plots.preview_grid(preview)
    legend = ax.get_legend()
    assert [t.get_text() for t in legend.get_texts()] == ["lane", "car"]
    assert "road not tinted" in legend.get_title().get_text()
    colours = plots.class_colours(cat.classes)
    mosaic = np.asarray(ax.get_images()[0].get_array(), float) / 255
    original = preview.originals[0]
    codes = cat.mask_codes(original["mask"])
    assert (codes == 2).any()
    tinted = mosaic[:128, :128]
    car = np.asarray(colours["car"])
    # some pixels moved towards the car colour: the mask is drawn in its class colour
    distance = np.linalg.norm(tinted - car, axis=2)
    assert distance.min() < 0.35
    plt.close(ax.figure)


def test_plot_functions_pass_a_missing_result_through():
    lack = Missing("no condition")
    for func in (plots.residual_heatmap, plots.class_bars, plots.plan_bars,
                 plots.repeat_side_effects, plots.share_deviation, plots.long_tail_curve):
        assert func(lack) is lack
