"""What a loader found wrong, file by file: one table for the Catalog, one warning per kind."""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from workbench.catalog_schema import PROBLEM_COLUMNS
from workbench.errors import some, warn_data


class Problems:
    """What a loader found wrong, one row per file and item, and the warnings to say it.

    ``add`` takes a problem (what was found), an action (what the loader did:
    "skipped", "kept", "clipped", "merged", ...) and the files and items concerned;
    ``warn`` gives one DataWarning per (problem, action) naming the first few; ``frame``
    is the table a Catalog keeps in ``catalog.problems``.
    """

    def __init__(self):
        self._parts: list[pd.DataFrame] = []
        self._fixes: dict[tuple[str, str], str] = {}

    def add(self, problem: str, action: str, files: Iterable, items: Iterable | None = None,
            *, fix: str = "") -> None:
        """Record one problem for the files (and items) concerned; nothing when there are none.

        Parameters
        ----------
        problem : str
            What was found.
        action : str
            What the loader did ("skipped", "kept", ...).
        files : iterable
            One file per row.
        items : iterable, optional
            One item name per file.
        fix : str
            Advice added to the warning.
        """
        files = [str(f) for f in files]
        if not files:
            return
        items = [""] * len(files) if items is None else [str(i) for i in items]
        self._parts.append(pd.DataFrame({"file": files, "item": items, "problem": problem,
                                         "action": action}))
        if fix:
            self._fixes[(problem, action)] = fix

    def __len__(self) -> int:
        return sum(len(p) for p in self._parts)

    def frame(self) -> pd.DataFrame:
        """The problems as the table a Catalog keeps.

        Returns
        -------
        pandas.DataFrame
            Columns file, item, problem, action; one row per file and item.
        """
        if not self._parts:
            return pd.DataFrame({c: pd.Series(dtype=object) for c in PROBLEM_COLUMNS})
        return pd.concat(self._parts, ignore_index=True)

    def warn(self) -> None:
        """One DataWarning per (problem, action), naming the first few files."""
        table = self.frame()
        for (problem, action), rows in table.groupby(["problem", "action"], sort=False):
            where = [f"{Path(f).name} {i}".strip() for f, i in zip(rows["file"], rows["item"],
                                                                  strict=True)]
            fix = self._fixes.get((problem, action), "")
            warn_data(f"{len(rows)} {problem} ({action}): {some(where)}."
                      + (f" {fix}" if fix else ""))


class ItemNames:
    """Names of items ("annotation 17", "line 3") made only for the few a problem lists.

    Indexing with a mask or positions gives another ItemNames; iterating gives strings.
    """

    def __init__(self, prefix: str, values):
        self.prefix, self.values = prefix, np.asarray(values, dtype=object)

    def __getitem__(self, index):
        picked = self.values[index]
        if np.ndim(picked) == 0:
            return f"{self.prefix}{picked}"
        return ItemNames(self.prefix, picked)

    def __iter__(self):
        return (f"{self.prefix}{v}" for v in self.values)

    def __len__(self) -> int:
        return len(self.values)
