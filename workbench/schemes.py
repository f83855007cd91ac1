"""The spec schemes people type (``coco:ann.json``, ``probs:scores.csv``) and who reads each.

Each reader registers its scheme beside its code: the loaders in ``workbench.sources``, the
prediction readers in ``workbench.evaluate.prediction_specs``. The demos and FiftyOne sit above
them, so they are registered from the top (``workbench/__init__``): no lower layer imports
them, and FiftyOne is imported only when a spec asks for it.
"""

from __future__ import annotations

from collections.abc import Callable


class Registry:
    """Schemes of one kind of spec: their usage (for messages) and their readers.

    >>> r = Registry("dataset")
    >>> r.register("demo", "demo:NAME", lambda name: name.upper())
    >>> r.usage, r.readers["demo"]("digits")
    ({'demo': 'demo:NAME'}, 'DIGITS')
    """

    def __init__(self, kind: str):
        self.kind = kind
        self.usage: dict[str, str] = {}
        self.readers: dict[str, Callable] = {}

    def register(self, scheme: str, usage: str, reader: Callable) -> None:
        """Make specs ``SCHEME:ARGS`` read with ``reader``.

        Parameters
        ----------
        scheme : str
            The word before the first colon, e.g. "demo".
        usage : str
            How to write such a spec, shown when one is mistyped.
        reader : callable
            Takes the spec's parts (and options) and returns what the spec names.
        """
        self.usage[scheme] = usage
        self.readers[scheme] = reader

    def __repr__(self) -> str:
        return f"Registry({self.kind}: {', '.join(self.usage)})"


DATASETS = Registry("dataset")
PREDICTIONS = Registry("predictions")
