"""Run every benchmark (``make bench``): each prints its timings beside its named peer."""

import runpy
import sys
from pathlib import Path

here = Path(__file__).parent
for script in sorted(here.glob("bench_*.py")):
    print(f"\n== {script.stem}", flush=True)
    runpy.run_path(str(script), run_name="__main__")
sys.exit(0)
