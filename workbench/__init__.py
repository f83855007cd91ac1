"""The imbalance workbench: measure, split, sample, augment, evaluate and collect
imbalanced computer-vision datasets.

>>> import workbench
>>> catalog = workbench.load("demo:digits")  # doctest: +SKIP
"""

from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning
from workbench.sources import load

__all__ = ["Catalog", "DataError", "DataWarning", "load"]
__version__ = "0.1.0"
