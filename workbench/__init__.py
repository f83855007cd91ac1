"""The imbalance workbench: measure, split, sample, augment, evaluate and collect
imbalanced computer-vision datasets.

>>> import workbench
>>> catalog = workbench.load("demo:digits")  # doctest: +SKIP
"""

from workbench.catalog import Catalog
from workbench.errors import DataError, DataWarning, warnings_as_notes
from workbench.schemes import DATASETS, PREDICTIONS
from workbench.sources import load


# The dataset schemes served from above the loaders: the demos (generated on first use)
# and FiftyOne (imported only when a spec asks for it).
def _demo(*args, **options):
    from workbench.demo import load_demo

    return load_demo(*args, **options)


def _fiftyone(name, **options):
    from workbench.browse import from_fiftyone

    return from_fiftyone(name, **options)


def _fiftyone_dir(dataset_type, dataset_dir, **options):
    from workbench.browse import from_fiftyone_dir

    return from_fiftyone_dir(dataset_type, dataset_dir, **options)


def _fiftyone_predictions(rest, catalog):
    from workbench.browse import predictions_from_fiftyone
    from workbench.errors import DataError

    name, _, field = rest.rpartition(":")
    if not name or not field:
        raise DataError(f"'fiftyone:{rest}': write {PREDICTIONS.usage['fiftyone']}.")
    return predictions_from_fiftyone(name, field, catalog)


DATASETS.register("demo", "demo:NAME[:N_IMAGES] (NAME is digits or surfaces)", _demo)
DATASETS.register("fiftyone", "fiftyone:NAME", _fiftyone)
DATASETS.register("fiftyone-dir", "fiftyone-dir:TYPE:DIR (TYPE a FiftyOne dataset type, e.g. "
                  "CVATImageDataset, KITTIDetectionDataset, YOLOv5Dataset)", _fiftyone_dir)
PREDICTIONS.register("fiftyone", "fiftyone:NAME:FIELD", _fiftyone_predictions)

__all__ = ["Catalog", "DataError", "DataWarning", "load", "warnings_as_notes"]
__version__ = "0.1.0"
