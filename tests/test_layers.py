"""The package's layers: every import, lazy ones inside functions included, points down.

Data flows one way: loaders -> Catalog -> stage modules -> what renders them. A module may
import its own layer and those below; an import of a higher layer is a cycle waiting to
happen (the loaders imported the demos and FiftyOne to serve ``demo:`` and ``fiftyone:``
specs; they are now registered from the top, in ``workbench/__init__``).
"""

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parent.parent / "workbench"

# Bottom to top. A package (sample, sources, evaluate, ...) is one unit.
LAYERS = [
    {"errors", "counting", "apportion", "threads", "bulk", "environment", "chromium",
     "kernel", "report_cache", "schemes", "mask_values"},
    {"tally", "catalog_schema", "catalog", "contains"},
    {"sources"},
    {"conditions", "measure", "demo"},
    {"quality"},
    {"split", "sample", "augment", "torch_sampling"},
    {"evaluate"},
    {"collect", "answers", "open_questions"},
    {"exercises"},
    {"coding"},
    {"plot_style", "plots", "picture_plots", "plan_plots", "metric_plots", "collection_plots",
     "narrative", "evaluation_prose",
     "collection_prose", "browse", "app_screenshot"},
    {"panel_kit", "widgets", "dashboard", "report", "__main__", "__init__"},
]
LAYER = {unit: level for level, units in enumerate(LAYERS) for unit in units}


def unit_of(path: Path) -> str:
    """The first-level unit of a module: ``sample`` for workbench/sample/plan.py."""
    return path.relative_to(PACKAGE).parts[0].removesuffix(".py")


def imported_units(path: Path) -> set[str]:
    """The workbench units a module imports, at the top or inside a function."""
    found = set()
    for node in ast.walk(ast.parse(path.read_text())):
        names = []
        if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
            names = [node.module] + (
                [f"{node.module}.{a.name}" for a in node.names] if node.module == "workbench"
                else [])
        elif isinstance(node, ast.Import):
            names = [a.name for a in node.names]
        for name in names:
            parts = name.split(".")
            if parts[0] == "workbench" and len(parts) > 1 and parts[1] in LAYER:
                found.add(parts[1])
    return found


MODULES = sorted(PACKAGE.rglob("*.py"))


def test_every_module_has_a_layer():
    assert sorted({unit_of(p) for p in MODULES} - set(LAYER)) == []


@pytest.mark.parametrize("path", MODULES, ids=lambda p: str(p.relative_to(PACKAGE)))
def test_imports_point_down(path):
    mine = LAYER[unit_of(path)]
    upward = sorted(u for u in imported_units(path) if LAYER[u] > mine)
    assert upward == [], f"{path.relative_to(PACKAGE)} (layer {mine}) imports " + ", ".join(
        f"{u} (layer {LAYER[u]})" for u in upward)


def test_the_check_sees_a_lazy_upward_import(tmp_path):
    module = tmp_path / "m.py"
    module.write_text("def f():\n    from workbench.browse import x\n    import workbench.demo\n")
    assert imported_units(module) == {"browse", "demo"}
