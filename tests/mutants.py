"""`make mutants`: mutation testing of the numeric core, with a kill rate per module.

mutmut (configured in pyproject.toml's ``[tool.mutmut]``) puts one small change at a time
into the modules it lists (``<`` for ``<=``, ``+ 1``, a dropped argument, ...) and runs
the unit tests that reach the changed function. A mutant the tests do not notice
"survives": either a test is missing, or the change does not change what the code does
(an equivalent mutant). The survivors judged equivalent are listed, with the reason, in
``tests/mutants_equivalent.txt`` (``name  reason``, one per line); they count as killed.

Usage: ``python tests/mutants.py [--report-only] [--survivors] [--diffs] [--goal 0.9]``.
The progress goes to ``mutants/mutmut.log``; this prints the table, then the survivors per
function (their names in ``mutants/survivors.txt``; ``--diffs`` prints each one's diff).
Exit status 1 when a module is under the goal.

A whole run takes hours on two cores: a surviving mutant runs every selected test that
reaches its function, and the functions every test reaches (``class_counts``, the
stratifier) dominate. After writing tests against the survivors, ``--survivors``
re-tests only the names in ``mutants/survivors.txt``; the verdicts of the mutants already
caught stand (a test added cannot un-catch one). Changing the test selection in
pyproject.toml makes mutmut forget every verdict.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MUTANTS = ROOT / "mutants"
EQUIVALENT = ROOT / "tests" / "mutants_equivalent.txt"
# mutmut's exit codes (mutmut/stats.py): 1 and 3 mean a test failed, 36 and the
# signals a timeout (the mutant made the code loop): both count as caught.
CAUGHT = {1, 3, 24, -24, 36, 152, 255}
SURVIVED = {0}
NOT_REACHED = {5, 33}


def equivalents(path: Path = EQUIVALENT) -> dict[str, str]:
    """The survivors judged equivalent: mutant name -> reason.

    >>> import tempfile
    >>> f = Path(tempfile.mkdtemp()) / "eq.txt"
    >>> _ = f.write_text("# comment\\nworkbench.a.x_f__mutmut_3  same sum either way\\n")
    >>> equivalents(f)
    {'workbench.a.x_f__mutmut_3': 'same sum either way'}
    """
    if not path.exists():
        return {}
    rows = (line.split(None, 1) for line in path.read_text().splitlines()
            if line.strip() and not line.startswith("#"))
    return {name: reason.strip() for name, reason in rows}


def outcomes(mutants: Path = MUTANTS) -> dict[str, dict[str, int | None]]:
    """Each mutated module's mutants and their exit codes, from mutmut's .meta files."""
    found = {}
    for meta in sorted(mutants.rglob("*.py.meta")):
        module = meta.relative_to(mutants).as_posix()[: -len(".meta")]
        found[module] = json.loads(meta.read_text())["exit_code_by_key"]
    return found


def rates(found: dict[str, dict], equivalent: dict[str, str]) -> list[dict]:
    """Per module: mutants, caught, equivalent, survivors, not reached, and the kill rate.

    The rate is (caught + equivalent) / all mutants run: a mutant no test reaches
    counts against it, as a survivor does.

    >>> rows = rates({"m.py": {"a": 1, "b": 0, "c": 0, "d": 5, "e": 36}}, {"c": "same"})
    >>> {k: rows[0][k] for k in ("mutants", "caught", "equivalent", "survived", "not reached")}
    {'mutants': 5, 'caught': 2, 'equivalent': 1, 'survived': 1, 'not reached': 1}
    >>> rows[0]["kill rate"]
    0.6
    """
    rows = []
    for module, codes in found.items():
        run = {k: c for k, c in codes.items() if c is not None}
        if not run:
            continue
        caught = sum(c in CAUGHT for c in run.values())
        same = sum(c in SURVIVED and k in equivalent for k, c in run.items())
        survived = sum(c in SURVIVED and k not in equivalent for k, c in run.items())
        rows.append({"module": module, "mutants": len(run), "caught": caught,
                     "equivalent": same, "survived": survived,
                     "not reached": sum(c in NOT_REACHED for c in run.values()),
                     "kill rate": round((caught + same) / len(run), 3)})
    return rows


def survivors(found: dict[str, dict], equivalent: dict[str, str]) -> list[str]:
    """Mutants that survived or that no test reached, equivalents left out."""
    return [k for codes in found.values() for k, c in codes.items()
            if (c in SURVIVED or c in NOT_REACHED) and k not in equivalent]


def by_function(names: list[str]) -> str:
    """Survivors counted per function, most first.

    >>> print(by_function(["workbench.a.x_f__mutmut_1", "workbench.a.x_f__mutmut_4",
    ...                    "workbench.a.xǁCǁm__mutmut_2"]))
       2  workbench.a.f
       1  workbench.a.C.m
    """
    counts: dict[str, int] = {}
    for name in names:
        module, _, mangled = name.rpartition(".")
        function = mangled.rsplit("__mutmut_", 1)[0].removeprefix("x_").removeprefix("xǁ")
        key = f"{module}.{function.replace('ǁ', '.')}"
        counts[key] = counts.get(key, 0) + 1
    ranked = sorted(counts.items(), key=lambda kv: (-kv[1], kv[0]))
    return "\n".join(f"{n:4}  {key}" for key, n in ranked)


def _table(rows: list[dict]) -> str:
    lines = [f"{'module':42} {'mutants':>7} {'caught':>6} {'equiv':>5} {'survived':>8} "
             f"{'unreached':>9} {'kill rate':>9}"]
    for r in rows:
        lines.append(f"{r['module']:42} {r['mutants']:7} {r['caught']:6} {r['equivalent']:5} "
                     f"{r['survived']:8} {r['not reached']:9} {r['kill rate']:9.1%}")
    total = {k: sum(r[k] for r in rows) for k in ("mutants", "caught", "equivalent",
                                                  "survived", "not reached")}
    rate = (total["caught"] + total["equivalent"]) / max(total["mutants"], 1)
    lines.append(f"{'all':42} {total['mutants']:7} {total['caught']:6} {total['equivalent']:5} "
                 f"{total['survived']:8} {total['not reached']:9} {rate:9.1%}")
    return "\n".join(lines)


def _mutmut(*args: str, log=None) -> subprocess.CompletedProcess:
    exe = Path(sys.executable).parent / "mutmut"
    # One thread per BLAS and torch: mutmut forks a process per mutant from one that ran
    # the tests, and a child forked after torch started its thread pool hangs on its first
    # parallel operation (each torch mutant timed out).
    threads = {k: "1" for k in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS")}
    env = {**os.environ, **threads, "WORKBENCH_MUTANTS": "1", "FIFTYONE_DO_NOT_TRACK": "true",
           "FIFTYONE_DATABASE_VALIDATION": "false", "MPLBACKEND": "Agg"}
    return subprocess.run([str(exe), *args], cwd=ROOT, env=env, text=True,
                          stdout=log or subprocess.PIPE, stderr=subprocess.STDOUT)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--report-only", action="store_true",
                        help="print the last run's results without running mutmut")
    parser.add_argument("--goal", type=float, default=0.9, help="kill rate per module")
    parser.add_argument("--children", type=int, default=os.cpu_count() or 1)
    parser.add_argument("--survivors", action="store_true",
                        help="re-test only the last run's survivors (mutants/survivors.txt)")
    parser.add_argument("--diffs", action="store_true",
                        help="print every survivor's diff (one mutmut call each: minutes)")
    args = parser.parse_args(argv)
    if (args.report_only or args.survivors) and not (MUTANTS / "survivors.txt").is_file():
        print(f"No earlier run in {MUTANTS}: run `make mutants` first (--report-only and "
              "--survivors read its results).")
        return 2
    if not args.report_only:
        # mutmut copies also_copy's files but not their folders (data/README.md)
        (MUTANTS / "data").mkdir(parents=True, exist_ok=True)
        print(f"mutmut run --max-children {args.children} (progress: {MUTANTS / 'mutmut.log'})",
              flush=True)
        names = (MUTANTS / "survivors.txt").read_text().split() if args.survivors else []
        with open(MUTANTS / "mutmut.log", "w") as log:
            done = _mutmut("run", "--max-children", str(args.children), *names, log=log)
        if done.returncode:
            print((MUTANTS / "mutmut.log").read_text()[-3000:])
            return done.returncode
    equivalent = equivalents()
    found = outcomes()
    rows = rates(found, equivalent)
    print(_table(rows))
    left = survivors(found, equivalent)
    (MUTANTS / "survivors.txt").write_text("\n".join(left) + "\n")
    print(f"\n{len(left)} survivors (not caught, not listed as equivalent), per function; "
          f"their names are in {MUTANTS / 'survivors.txt'}, and `mutmut show NAME` gives "
          "the diff of one:")
    print(by_function(left))
    if args.diffs:
        print("\n".join(_mutmut("show", name).stdout for name in left))
    under = [r["module"] for r in rows if r["kill rate"] < args.goal]
    if under:
        print(f"under the goal of {args.goal:.0%}: {', '.join(under)}")
    return 1 if under else 0


if __name__ == "__main__":
    sys.exit(main())
