"""``make bench``: every benchmark, then one table of measurement, our time, the named
peer's time in the same run, the ratio, the goal, and ok or SHORT.

Run it on a quiet machine: the timings are wall-clock. The 10M-image Catalog is built
once and shared by the counts and the split rows.
"""

import importlib
import sys
import time
from pathlib import Path

here = Path(__file__).parent
sys.path.insert(0, str(here))
from synthetic import detection_catalog  # noqa: E402
from table import render  # noqa: E402

ORDER = ["bench_split", "bench_sampler", "bench_measure_counts", "bench_fiftyone_build",
         "bench_load_coco", "bench_evaluate", "bench_augment", "bench_image_statistics"]


def main() -> int:
    rows, started = [], time.perf_counter()
    large = None
    for name in ORDER:
        module = importlib.import_module(name)
        print(f"[{time.perf_counter() - started:6.0f} s] {name} ...", file=sys.stderr,
              flush=True)
        if name in ("bench_split", "bench_measure_counts"):
            if large is None:
                large = detection_catalog(10_000_000, 50_000_000, 600)
            found = module.rows(large)
        else:
            found = module.rows()
        rows += found
        for row in found:
            print(f"         {row.measurement}: {row.ratio} ({'ok' if row.ok else 'SHORT'})",
                  file=sys.stderr, flush=True)
    print(render(rows))
    short = [r.measurement for r in rows if not r.ok]
    took = time.perf_counter() - started
    print(f"\n{len(rows) - len(short)} of {len(rows)} rows ok"
          + (f"; short: {', '.join(short)}" if short else "") + f" ({took:.0f} s in all)")
    return 0


if __name__ == "__main__":
    sys.exit(main())
