"""No module in workbench/ is over 400 lines, docstrings included.

A module holds one idea; past about 400 lines it has held several every time so far
(evaluate/models.py held cache keys, training arrays, probe features, the logistic fit and
the demo model). The numpydoc sections count: a module whose docstrings outgrow it is
split by idea like any other.
"""

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent.parent / "workbench"
MAX_LINES = 400


def test_no_module_is_over_400_lines():
    lengths = {str(p.relative_to(PACKAGE)): len(p.read_text().splitlines())
               for p in sorted(PACKAGE.rglob("*.py"))}
    assert len(lengths) > 100  # the walk found the package
    assert {m: n for m, n in lengths.items() if n > MAX_LINES} == {}
