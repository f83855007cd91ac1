"""The imbalance workbench: measure, split, sample, augment, evaluate and collect
imbalanced computer-vision datasets.

>>> import workbench
>>> catalog = workbench.load("demo:digits")  # doctest: +SKIP
"""

from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning, warnings_as_notes
from workbench.sources import load

__all__ = ["Catalog", "DataError", "DataWarning", "load", "warnings_as_notes"]
__version__ = "0.1.0"
