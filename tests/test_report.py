import nbformat as nbf
import pytest

from workbench.__main__ import main
from workbench.report import build_report


def notebook(path, *sources):
    nb = nbf.v4.new_notebook()
    nb.metadata["kernelspec"] = {"name": "python3", "display_name": "Python 3",
                                 "language": "python"}
    params = nbf.v4.new_code_cell('dataset = "x"\nseed = 0')
    params.metadata["tags"] = ["parameters"]
    nb.cells = [params] + [nbf.v4.new_code_cell(s) for s in sources]
    nbf.write(nb, path)
    return path


@pytest.mark.notebook
def test_failing_notebook_is_reported_with_its_cell(tmp_path):
    good = notebook(tmp_path / "01_good.ipynb", "print(dataset, seed)")
    bad = notebook(tmp_path / "02_bad.ipynb", "x = 1", "raise ValueError('broken on purpose')")
    runs = build_report("demo:digits", tmp_path / "out", seed=3, selected=[good, bad])
    assert runs[0].ok
    assert "demo:digits 3" in runs[0].executed.read_text()  # parameters were injected
    assert runs[1].error.startswith("02_bad.ipynb failed in cell")
    assert "ValueError: broken on purpose" in runs[1].error
    assert runs[1].html.is_file()  # the failed notebook is rendered too, traceback and all
    assert "FAILED" in (tmp_path / "out" / "index.html").read_text()


@pytest.mark.notebook
def test_a_parameter_can_be_set_for_one_notebook(tmp_path):
    one = notebook(tmp_path / "01_one.ipynb", "print('seed', seed)")
    two = notebook(tmp_path / "02_two.ipynb", "print('seed', seed)")
    with pytest.raises(ValueError, match=r"per_notebook names \['03_three'\], which are not "
                                         r"notebooks; the notebooks: \['01_one', '02_two'\]"):
        build_report("demo:digits", tmp_path / "out", selected=[one, two],
                     per_notebook={"03_three": {"seed": 1}})
    runs = build_report("demo:digits", tmp_path / "out", seed=2, selected=[one, two],
                        per_notebook={"02_two": {"seed": 7}})
    assert "seed 2" in runs[0].executed.read_text() and "seed 7" not in runs[0].executed.read_text()
    assert "seed 7" in runs[1].executed.read_text()
    again = build_report("demo:digits", tmp_path / "out", seed=2, selected=[one, two])
    assert "seed 2" in again[1].executed.read_text()  # its own parameters changed: run again


@pytest.mark.notebook
def test_cli_exits_non_zero_and_names_the_cell(tmp_path, capsys):
    bad = notebook(tmp_path / "01_bad.ipynb", "1 / 0")
    code = main(["report", "--dataset", "demo:digits", "--out", str(tmp_path / "o"),
                 "--notebook", str(bad)])
    assert code == 1
    assert "ZeroDivisionError" in capsys.readouterr().err


def test_cli_reports_a_bad_spec_in_one_line(tmp_path, capsys):
    code = main(["report", "--dataset", "nope:x", "--out", str(tmp_path)])
    assert code == 2
    err = capsys.readouterr().err
    assert err.startswith("error: Unknown dataset scheme 'nope'") and "Traceback" not in err


@pytest.mark.notebook
def test_unchanged_pages_are_reused_and_failed_or_fresh_ones_run_again(tmp_path):
    good = notebook(tmp_path / "01_good.ipynb", "import time\nprint(time.time_ns())")
    bad = notebook(tmp_path / "02_bad.ipynb", "1 / 0")
    first = build_report("demo:digits", tmp_path / "out", selected=[good, bad])
    ran_at = first[0].executed.read_text()
    again = build_report("demo:digits", tmp_path / "out", selected=[good, bad])
    assert again[0].ok and again[0].executed.read_text() == ran_at  # reused, not run
    assert not again[1].ok and "ZeroDivisionError" in again[1].error  # failed: run again
    reseeded = build_report("demo:digits", tmp_path / "out", seed=1, selected=[good])
    reran_at = reseeded[0].executed.read_text()
    assert reran_at != ran_at  # a parameter changed
    fresh = build_report("demo:digits", tmp_path / "out", seed=1, selected=[good], fresh=True)
    assert fresh[0].executed.read_text() != reran_at


def cell_outputs(executed):
    """Each code cell's (execution count, its text and markdown outputs joined)."""
    cells = nbf.read(executed, as_version=4).cells
    return [(c.execution_count,
             "".join(o.get("text", "") + "".join(o.get("data", {}).get("text/markdown", ""))
                     + "".join(o.get("data", {}).get("text/plain", "")) for o in c.outputs))
            for c in cells if c.cell_type == "code"]


@pytest.mark.notebook
def test_each_notebook_starts_as_in_a_kernel_of_its_own(tmp_path):
    """One kernel serves the report, but nothing of a notebook reaches the next: names,
    figures, warning filters, warnings already shown, cell numbers, working folder."""
    (tmp_path / "sub").mkdir()
    warn = ("from workbench.errors import DataWarning, warnings_as_notes\n"
            "import warnings\nwarnings_as_notes()\n"
            "def loader():\n    warnings.warn('3 boxes skipped', DataWarning)\nloader()")
    first = notebook(tmp_path / "01_a.ipynb", "secret = 42\nimport matplotlib.pyplot as plt\n"
                     "plt.figure()\nwarnings_filter = 1", warn,
                     "import warnings\nwarnings.simplefilter('ignore')")
    probe = ("import os, matplotlib.pyplot as plt, warnings\n"
             "print('secret' in dir(), len(plt.get_fignums()), os.getcwd(),"
             " any(f[0] == 'ignore' and f[2] is Warning for f in warnings.filters))")
    second = notebook(tmp_path / "sub" / "02_b.ipynb", probe, warn)
    runs = build_report("demo:digits", tmp_path / "out", selected=[first, second])
    assert all(r.ok for r in runs), [r.error for r in runs]
    cells = cell_outputs(runs[1].executed)
    assert [count for count, _ in cells] == [1, 2, 3, 4]  # numbered from 1 (papermill's
    # injected parameters cell is the second)
    assert cells[2][1].split() == ["False", "0", str(tmp_path / "sub"), "False"]
    assert "**Note.** 3 boxes skipped" in cells[3][1]  # shown again, not "already shown"
    assert "**Note.** 3 boxes skipped" in cell_outputs(runs[0].executed)[3][1]


@pytest.mark.notebook
def test_a_notebook_that_kills_or_hangs_its_kernel_does_not_take_the_next_one_down(tmp_path):
    dies = notebook(tmp_path / "01_dies.ipynb", "import os\nos._exit(1)")
    hangs = notebook(tmp_path / "02_hangs.ipynb", "import time\ntime.sleep(600)")
    after = notebook(tmp_path / "03_after.ipynb", "print('ran', 6 * 7)")
    runs = build_report("demo:digits", tmp_path / "out", selected=[dies, hangs, after],
                        timeout=5)
    assert [r.ok for r in runs] == [False, False, True]
    assert "01_dies.ipynb failed" in runs[0].error and "02_hangs.ipynb failed" in runs[1].error
    assert "ran 42" in cell_outputs(runs[2].executed)[-1][1]
