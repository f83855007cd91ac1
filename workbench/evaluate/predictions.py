"""A model's output, beside the Catalog it was made on: image scores, scored boxes, masks.

``Predictions`` is a frozen value with whichever of three parts apply:

- ``scores``: one row per image (indexed by ``sample_id``), one column per class in the
  Catalog's class order, each a score in [0, 1] (softmax or sigmoid outputs);
- ``objects``: one row per predicted box: ``sample_id``, ``label`` (categorical over the
  classes), relative ``x, y, w, h`` (the Catalog's convention) and ``score``;
- ``masks``: per image, the path of a predicted class-index PNG whose values are the
  Catalog's mask values.

``source`` says what made them; ``probe`` is True for the workbench's own baseline probe,
which is never to be read as the user's model.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd

OBJECT_COLUMNS = ("sample_id", "label", "x", "y", "w", "h", "score")


@dataclass(frozen=True, eq=False)
class Predictions:
    """What a model said about the images of a Catalog.

    Examples
    --------
    >>> scores = pd.DataFrame({"cat": [0.9, 0.2], "dog": [0.1, 0.8]}, index=["a", "b"])
    >>> Predictions(classes=("cat", "dog"), scores=scores, source="my model")
    Predictions(my model: scores for 2 images)
    """

    classes: tuple[str, ...]
    scores: pd.DataFrame | None = None
    objects: pd.DataFrame | None = None
    masks: pd.Series | None = None
    source: str = "predictions"
    probe: bool = False

    def __repr__(self) -> str:
        parts = []
        if self.scores is not None:
            parts.append(f"scores for {len(self.scores):,} images")
        if self.objects is not None:
            parts.append(f"{len(self.objects):,} boxes on "
                         f"{self.objects['sample_id'].nunique():,} images")
        if self.masks is not None:
            parts.append(f"masks for {len(self.masks):,} images")
        return f"Predictions({self.source}: {', '.join(parts) or 'empty'})"

    @property
    def labels(self) -> pd.Series:
        """The top-scoring class per image (from ``scores``), categorical over classes."""
        top = self.scores.to_numpy().argmax(axis=1)
        return pd.Series(pd.Categorical.from_codes(top, categories=list(self.classes)),
                         index=self.scores.index, name="predicted")
