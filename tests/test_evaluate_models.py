"""The demo CNN, logistic regression on thumbnails and the baseline probe."""

from __future__ import annotations

import os
import time
from pathlib import Path

import numpy as np
import pandas as pd
import pytest
from sklearn.metrics import roc_auc_score

from workbench.catalog import Catalog, indicator
from workbench.demo import load_demo
from workbench.errors import Lacks
from workbench.evaluate.caching import catalog_fingerprint, write_file_atomically
from workbench.evaluate.cnn import train_segmenter
from workbench.evaluate.fcn_training import crop_origins, gather_crops
from workbench.evaluate.logistic_fit import fit_scores
from workbench.evaluate.models import (
    PROBE_SOURCE,
    baseline_probe,
    demo_model_predictions,
    logistic_predictions,
)
from workbench.evaluate.pixel_outputs import component_boxes, image_scores
from workbench.evaluate.thumbnails import thumbnail_features
from workbench.evaluate.training_data import read_arrays
from workbench.sample import plan_resampling, sampling_keys
from workbench.sources.pixels import read_mask
from workbench.split import stratified_split

# One worker runs the module (make test runs three): its module fixtures (trained models,
# simulations) are built once, not once per worker.
pytestmark = [pytest.mark.filterwarnings("ignore::workbench.errors.DataWarning"),
              pytest.mark.xdist_group("evaluate_models")]


@pytest.fixture(scope="module")
def surfaces() -> Catalog:
    return stratified_split(load_demo("surfaces", 400), seed=0)


@pytest.fixture(scope="module")
def tiny() -> Catalog:
    return stratified_split(load_demo("surfaces", 40, seed=3), seed=0)


@pytest.fixture(scope="module")
def model(surfaces):
    return demo_model_predictions(surfaces)  # the default training (40 epochs)


def _pixel_iou(predictions, catalog, ids) -> pd.Series:
    pred = np.stack([read_mask(predictions.masks[i]) for i in ids])
    true = np.stack([read_mask(catalog.samples.loc[i, "mask_path"]) for i in ids])
    values = np.asarray(catalog.mask_values)
    inter = ((pred[..., None] == values) & (true[..., None] == values)).sum(axis=(0, 1, 2))
    union = ((pred[..., None] == values) | (true[..., None] == values)).sum(axis=(0, 1, 2))
    return pd.Series(inter / np.maximum(union, 1), index=catalog.classes)


# -- pure pieces on literal arrays --------------------------------------------------------


def test_image_scores_top_fraction_background_and_normalisation():
    probs = np.zeros((2, 3, 2, 2))
    probs[:, 0] = 1.0
    probs[0, :, 0, 0] = [0.1, 0.6, 0.3]
    probs[0, :, 0, 1] = [0.5, 0.4, 0.1]
    # top 2 of 4 pixels: class 1 -> (0.6 + 0.4) / 2 = 0.5, class 2 -> (0.3 + 0.1) / 2 = 0.2
    # background: 1 - 0.5; row sum 1.2 -> normalised
    out = image_scores(probs, background=0, top_fraction=0.5)
    np.testing.assert_allclose(out[0], np.array([0.5, 0.5, 0.2]) / 1.2)
    # an all-background image: others score 1e-6 (clipped), background 1
    np.testing.assert_allclose(out[1], np.array([1, 1e-6, 1e-6]) / (1 + 2e-6))
    # without a background every class is pooled the same way
    np.testing.assert_allclose(image_scores(probs, background=None, top_fraction=0.25)[0],
                               np.array([1.0, 0.6, 0.3]) / 1.9)


def test_component_boxes_one_per_component_within_each_image():
    pred = np.zeros((2, 6, 8), dtype=int)
    pred[0, 1:3, 1:4] = 1            # 6 px of class 1: x 1..3, y 1..2
    pred[0, 4, 6:8] = 1              # 2 px: below min_area, dropped
    pred[1, 0, 0] = pred[1, 1, 1] = pred[1, 2, 2] = pred[1, 3, 3] = 2  # diagonal: one
    probs = np.zeros((2, 3, 6, 8))
    probs[0, 1][pred[0] == 1] = 0.8
    probs[0, 1, 1, 1] = 0.2          # mean over the 6 px: (5 * 0.8 + 0.2) / 6 = 0.7
    probs[1, 2][pred[1] == 2] = 0.9
    boxes = component_boxes(pred, probs, background=0, min_area=4, merge_gap=0)
    assert boxes[["row", "code"]].to_numpy().tolist() == [[0, 1], [1, 2]]
    np.testing.assert_allclose(boxes[["x", "y", "w", "h"]].to_numpy(),
                               [[1 / 8, 1 / 6, 3 / 8, 2 / 6], [0, 0, 4 / 8, 4 / 6]])
    np.testing.assert_allclose(boxes["score"], [0.7, 0.9])


def test_component_boxes_merge_fragments_of_a_thin_object():
    """A crack predicted in pieces 3 px apart is one box; a piece 12 px away is another."""
    pred = np.zeros((1, 20, 30), dtype=int)
    pred[0, 5, 2:8] = 1      # 6 px
    pred[0, 5, 11:17] = 1    # 6 px, 3 px of gap: the same crack
    pred[0, 5, 29] = 1       # 1 px, 12 px away: alone, and below min_area
    pred[0, 15, 2:7] = 1     # 5 px, 9 rows below the first piece: another crack
    probs = np.stack([pred == 0, pred == 1], axis=1).astype(float)
    merged = component_boxes(pred, probs, background=0, min_area=4, merge_gap=3)
    np.testing.assert_allclose(merged[["x", "y", "w", "h"]].to_numpy(),
                               [[2 / 30, 5 / 20, 15 / 30, 1 / 20],
                                [2 / 30, 15 / 20, 5 / 30, 1 / 20]])
    apart = component_boxes(pred, probs, background=0, min_area=4, merge_gap=0)
    assert len(apart) == 3  # the two pieces and the lower crack; the lone pixel dropped


def test_component_boxes_do_not_join_the_same_place_in_two_images():
    pred = np.zeros((2, 4, 4), dtype=int)
    pred[:, 1:3, 1:3] = 1
    boxes = component_boxes(pred, np.ones((2, 2, 4, 4)) / 2, background=0)
    assert boxes["row"].tolist() == [0, 1]
    assert component_boxes(np.zeros((1, 4, 4), int), np.ones((1, 2, 4, 4)),
                           background=0).empty


def test_crops_hold_a_foreground_pixel_and_stay_inside():
    rng = np.random.default_rng(0)
    codes = np.zeros((50, 40, 30), dtype=np.int8)
    ys, xs = rng.integers(0, 40, 25), rng.integers(0, 30, 25)
    codes[np.arange(25), ys, xs] = 2  # one defect pixel in each of the first 25 images
    origins = crop_origins(codes, 16, background=0, rng=rng)
    assert (origins >= 0).all() and (origins[:, 0] <= 24).all() and (origins[:, 1] <= 14).all()
    crops = gather_crops(codes, origins, 16)
    assert crops.shape == (50, 16, 16)
    assert (crops[:25] == 2).reshape(25, -1).any(axis=1).all()
    assert len(np.unique(origins[25:], axis=0)) > 10  # intact images: spread positions
    np.testing.assert_array_equal(crops[3], codes[3, origins[3, 0]:origins[3, 0] + 16,
                                                  origins[3, 1]:origins[3, 1] + 16])


# -- the demo CNN ----------------------------------------------------------------------------


def test_predictions_cover_every_image_with_valid_values(model, surfaces):
    assert model.scores.index.equals(surfaces.samples.index)
    assert list(model.scores.columns) == list(surfaces.classes)
    scores = model.scores.to_numpy()
    assert ((scores >= 0) & (scores <= 1)).all()
    np.testing.assert_allclose(scores.sum(axis=1), 1.0, atol=1e-9)
    objects = model.objects
    assert len(objects) and "intact" not in set(objects["label"].astype(str))
    assert list(objects["label"].cat.categories) == list(surfaces.classes)
    xywh = objects[["x", "y", "w", "h"]].to_numpy()
    assert (xywh >= 0).all() and (xywh[:, 2:] > 0).all()
    assert (xywh[:, 0] + xywh[:, 2] <= 1 + 1e-9).all() and (xywh[:, 1] + xywh[:, 3] <= 1).all()
    assert ((objects["score"] > 0) & (objects["score"] <= 1)).all()
    assert model.masks.index.equals(surfaces.samples.index)
    assert model.probe is False and "demo CNN" in model.source


def test_boxes_frame_the_mask_pixels_of_their_class(model, surfaces):
    values = dict(zip(surfaces.classes, surfaces.mask_values, strict=True))
    for row in model.objects.head(40).itertuples():
        mask = read_mask(model.masks[row.sample_id])
        assert mask.shape == (128, 128)
        assert set(np.unique(mask)) <= set(surfaces.mask_values)
        x0, y0 = round(row.x * 128), round(row.y * 128)
        x1, y1 = x0 + round(row.w * 128), y0 + round(row.h * 128)
        inside = mask[y0:y1, x0:x1] == values[row.label]
        assert inside[0].any() and inside[-1].any() and inside[:, 0].any() and inside[:, -1].any()
        assert (inside.sum() >= 4) and not (mask[:y0] == values[row.label]).all()


def test_model_beats_the_trivial_baseline_on_test_images(model, surfaces):
    test = surfaces.samples.index[surfaces.samples["split"] == "test"]
    damaged = surfaces.samples.loc[test, "label"] != "intact"
    auc = roc_auc_score(damaged, 1 - model.scores.loc[test, "intact"])
    # an "all intact" model scores 0.5. Measured 0.83 when written and 0.77 on a later
    # machine, same code and seeds (not the thread count, not torch's CPU kernels); on 60
    # test images an AUC's standard error is about 0.06: 0.7 is two of them below 0.77
    assert auc > 0.7
    iou = _pixel_iou(model, surfaces, test)
    assert iou["intact"] > 0.98
    assert iou.drop("intact").max() > 0.25  # measured 0.32 (stain); "all intact": 0 each


def test_same_seed_same_bytes_other_seed_differs(tiny):
    a = demo_model_predictions(tiny, epochs=2, cache=False)
    first = (a.scores.to_numpy().tobytes(), a.objects.copy(),
             [Path(p).read_bytes() for p in a.masks])
    b = demo_model_predictions(tiny, epochs=2, cache=False)
    assert b.scores.to_numpy().tobytes() == first[0]
    pd.testing.assert_frame_equal(b.objects, first[1])
    assert [Path(p).read_bytes() for p in b.masks] == first[2]
    c = demo_model_predictions(tiny, epochs=2, seed=1, cache=False)
    assert not np.array_equal(c.scores.to_numpy(), a.scores.to_numpy())


def test_second_call_reads_the_cache_and_options_change_the_key(tiny):
    first = demo_model_predictions(tiny, epochs=2, seed=5)
    start = time.perf_counter()
    again = demo_model_predictions(tiny, epochs=2, seed=5)
    assert time.perf_counter() - start < 1.0
    pd.testing.assert_frame_equal(again.scores, first.scores)
    pd.testing.assert_frame_equal(again.objects, first.objects)
    assert again.masks.equals(first.masks)
    folder = Path(first.masks.iloc[0]).parents[1]
    plan = plan_resampling(sampling_keys(tiny.split_subset("train")), max_oversample=2)
    variants = [dict(loss="focal"), dict(epochs=3),
                dict(class_weight=pd.Series([1.0, 5.0, 2.0, 2.0, 3.0], index=tiny.classes)),
                dict(sampler_plan=plan), dict(sampler_plan=plan, augment=True)]
    folders, scores = {folder}, [first.scores.to_numpy()]
    for options in variants:  # each option is its own cache entry, and changes training
        other = demo_model_predictions(tiny, **{"epochs": 2, "seed": 5, **options})
        folders.add(Path(other.masks.iloc[0]).parents[1])
        assert not any(np.array_equal(other.scores.to_numpy(), s) for s in scores), options
        scores.append(other.scores.to_numpy())
    assert len(folders) == 1 + len(variants)
    assert "focal" in demo_model_predictions(tiny, epochs=2, seed=5, loss="focal").source


def test_fingerprint_follows_splits_and_files(tiny, tmp_path):
    base = catalog_fingerprint(tiny)
    assert catalog_fingerprint(tiny) == base
    moved = tiny.replace(samples=tiny.samples.assign(
        split=tiny.samples["split"].astype(str).replace({"val": "train"})))
    assert catalog_fingerprint(moved) != base
    copy = tmp_path / "copy.png"
    copy.write_bytes(Path(tiny.samples["filepath"].iloc[0]).read_bytes())
    edited = tiny.samples.copy()
    edited.iloc[0, edited.columns.get_loc("filepath")] = str(copy)
    changed = tiny.replace(samples=edited)
    before = catalog_fingerprint(changed)
    os.utime(copy, ns=(1, 1))
    assert catalog_fingerprint(changed) != before


def _captured(monkeypatch, catalog, **options):
    import workbench.evaluate.cnn as cnn

    seen = {}
    monkeypatch.setattr(cnn, "train_fcn", lambda images, codes, **kw: seen.update(kw) or "net")
    images, codes = read_arrays(catalog)
    ids = catalog.samples.index[catalog.samples["split"] == "train"]
    train_segmenter(catalog, images, codes, train_ids=ids, epochs=3, **options)
    return seen, images, codes, ids


def test_a_sampler_plan_draws_each_class_as_planned(monkeypatch, surfaces):
    train = surfaces.split_subset("train")
    keys = sampling_keys(train)
    plan = plan_resampling(keys, max_oversample=5)
    seen, _, _, ids = _captured(monkeypatch, surfaces, sampler_plan=plan)
    rows = seen["epoch_rows"](1)
    drawn = keys.reindex(surfaces.samples.index[rows]).astype(str).value_counts()
    assert drawn.reindex(plan.effective.index).tolist() == plan.effective.tolist()
    plain, *_ = _captured(monkeypatch, surfaces)
    np.testing.assert_array_equal(np.sort(plain["epoch_rows"](0)),
                                  np.sort(surfaces.samples.index.get_indexer(ids)))
    assert not np.array_equal(plain["epoch_rows"](0), plain["epoch_rows"](1))  # reshuffled


def test_augmentation_changes_copies_of_rare_images_only(monkeypatch, surfaces):
    plan = plan_resampling(sampling_keys(surfaces.split_subset("train")), max_oversample=5)
    seen, images, codes, ids = _captured(monkeypatch, surfaces, sampler_plan=plan, augment=True)
    rows = surfaces.samples.index.get_indexer(ids)
    label = surfaces.samples["label"].astype(str).to_numpy()[rows]
    crack = rows[label == "crack"][:2]
    pick = np.concatenate([rows[label == "intact"][:2], crack, crack])
    copies = np.array([True, True, False, False, True, True])  # intact copies; crack: 1st, 2nd
    x, y = seen["augment"](pick, images[pick].copy(), codes[pick].copy(),
                           np.random.default_rng(0), copies)
    same = [np.array_equal(x[i], images[pick[i]]) for i in range(6)]
    assert same == [True, True, True, True, False, False]
    assert np.array_equal(y[:4], codes[pick[:4]])
    assert set(np.unique(y)) <= {-1, *range(len(surfaces.classes))}
    assert (y[4] == 1).any() and (y[5] == 1).any()  # the crack moves with its pixels
    # the training loop marks an image's draws after its first in the epoch as copies
    assert (np.unique(seen["epoch_rows"](0), return_counts=True)[1] > 1).any()


def test_loss_and_weights_reach_training(monkeypatch, surfaces):
    weights = pd.Series([1.0, 5.0, 2.0, 2.0, 3.0], index=surfaces.classes)
    seen, *_ = _captured(monkeypatch, surfaces, loss="focal", class_weight=weights)
    assert seen["loss"] == "focal" and seen["class_weight"].tolist() == [1, 5, 2, 2, 3]
    assert seen["background"] == 0 and seen["epochs"] == 3


def test_bad_options_and_missing_parts_say_what_to_do(tiny):
    with pytest.raises(ValueError, match="'loss' parameter of demo_model_predictions"):
        demo_model_predictions(tiny, loss="dice")
    with pytest.raises(ValueError, match="positive weight for every class"):
        demo_model_predictions(tiny, class_weight={"crack": 2.0})
    with pytest.raises(ValueError, match="'epochs' parameter"):
        demo_model_predictions(tiny, epochs=0)
    with pytest.raises(ValueError, match="pass a sampler_plan too"):
        demo_model_predictions(tiny, augment=True)
    with pytest.raises(Lacks, match="chosen_split"):
        demo_model_predictions(tiny.replace(samples=tiny.samples.drop(columns="split")))
    no_masks = tiny.replace(samples=tiny.samples.drop(columns="mask_path"))
    with pytest.raises(Lacks, match="baseline_probe"):
        demo_model_predictions(no_masks)


# -- logistic regression and the probe --------------------------------------------------------


@pytest.fixture(scope="module")
def digits() -> Catalog:
    return stratified_split(load_demo("digits"), seed=0)


def test_logistic_regression_reads_the_digits(digits):
    pred = logistic_predictions(digits)
    test = digits.samples.index[digits.samples["split"] == "test"]
    truth = digits.samples.loc[test, "label"].astype(str)
    accuracy = (pred.labels[test].astype(str) == truth).mean()
    assert accuracy > 0.9  # measured 0.96
    np.testing.assert_allclose(pred.scores.sum(axis=1), 1.0)
    assert list(pred.scores.columns) == list(digits.classes) and pred.probe is False
    weighted = logistic_predictions(digits, class_weight="balanced")
    assert not np.allclose(weighted.scores, pred.scores)
    rare = str(digits.samples["label"].value_counts().idxmin())
    heavy = logistic_predictions(digits, class_weight={rare: 50.0})  # the others weigh 1
    train = (digits.samples["split"] == "train").to_numpy()
    codes = digits.samples["label"].cat.codes.to_numpy()
    X = thumbnail_features(digits)
    by_code = {k: 50.0 if digits.classes[k] == rare else 1.0 for k in range(10)}
    expected = fit_scores(X[train], codes[train], X, 10, class_weight=by_code)
    np.testing.assert_allclose(heavy.scores.to_numpy(), expected)
    assert not np.allclose(heavy.scores, pred.scores)
    with pytest.raises(ValueError, match="not classes"):
        logistic_predictions(digits, class_weight={"eleven": 2.0})
    with pytest.raises(ValueError, match="'class_weight' parameter of logistic_predictions"):
        logistic_predictions(digits, class_weight="effective")


def test_probe_is_marked_and_finds_damage(surfaces):
    probe = baseline_probe(surfaces)
    assert probe.probe is True and probe.source == PROBE_SOURCE
    assert "not your model" in probe.source
    held = surfaces.samples.index[surfaces.samples["split"] != "train"]  # 120 images
    np.testing.assert_allclose(probe.scores.sum(axis=1), 1.0)
    damaged = surfaces.samples.loc[held, "label"] != "intact"  # 21 of them
    # measured 0.81 (split seed 0) to 0.90 (seeds 2, 3); chance is 0.5 +- 0.07 here. On
    # the 60 test images alone (11 damaged) it swings from 0.74 to 0.93 with the split.
    assert roc_auc_score(damaged, 1 - probe.scores.loc[held, "intact"]) > 0.7


def test_probe_reads_digits(digits):
    probe = baseline_probe(digits)
    test = digits.samples.index[digits.samples["split"] == "test"]
    truth = digits.samples.loc[test, "label"].astype(str)
    assert (probe.labels[test].astype(str) == truth).mean() > 0.9  # measured 0.975


def test_probe_without_labels_answers_contains_class_per_class(surfaces):
    unlabelled = surfaces.replace(samples=surfaces.samples.drop(columns="label"))
    probe = baseline_probe(unlabelled)
    scores = probe.scores.to_numpy()
    assert ((scores >= 0) & (scores <= 1)).all()
    assert not np.allclose(scores.sum(axis=1), 1.0)  # one model per class: no softmax
    assert np.allclose(probe.scores["intact"], 0.0)  # never boxed: its training share, 0
    contains = indicator(unlabelled)
    test = (surfaces.samples["split"] == "test").to_numpy()
    for cls in ("crack", "scratch"):
        assert roc_auc_score(contains.loc[test, cls], probe.scores.loc[test, cls]) > 0.8


def test_a_file_written_atomically_replaces_the_old_one_or_leaves_it_whole(tmp_path):
    path = tmp_path / "cache" / "probe.npy"
    write_file_atomically(path, lambda f: np.save(f, np.arange(3)))
    write_file_atomically(path, lambda f: np.save(f, np.arange(5)))  # replaces
    assert np.load(path).tolist() == [0, 1, 2, 3, 4]

    def fails(f):
        f.write(b"half a file")
        raise OSError("disk full")

    with pytest.raises(OSError, match="disk full"):
        write_file_atomically(path, fails)
    assert np.load(path).tolist() == [0, 1, 2, 3, 4]  # the old file, whole
    assert [p.name for p in path.parent.iterdir()] == ["probe.npy"]  # no temporary left
