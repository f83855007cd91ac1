"""One row per measurement: our time, the named peer's time in the same run, the ratio and
the goal, with ok or short. ``run.py`` prints every benchmark's rows as one table."""

from __future__ import annotations

import time
from dataclasses import dataclass

GOALS = {
    # kind: (what the goal says, whether it holds for ours, peer time, goal value)
    "faster": ("peer/ours >= {:g}x", lambda ours, peer, v: peer / ours >= v),
    "slower": ("ours/peer <= {:g}x", lambda ours, peer, v: ours / peer <= v),
    "seconds": ("ours <= {:g} s", lambda ours, peer, v: ours <= v),
}


@dataclass(frozen=True)
class Row:
    """A measurement beside its peer. ``goal`` is (kind, value): "faster" (the peer takes at
    least value times as long), "slower" (we take at most value times as long) or
    "seconds" (we take at most value seconds)."""

    measurement: str
    ours: float
    peer: str
    peer_time: float | None
    goal: tuple[str, float]
    note: str = ""
    also: bool = True  # a condition besides the time that the row needs (e.g. LD no worse)

    @property
    def ratio(self) -> str:
        if not self.peer_time:
            return "-"
        if self.peer_time >= self.ours:
            return f"{self.peer_time / self.ours:.1f}x faster"
        return f"{self.ours / self.peer_time:.2f}x slower"

    @property
    def ok(self) -> bool:
        kind, value = self.goal
        return self.also and GOALS[kind][1](self.ours, self.peer_time, value)

    def cells(self) -> list[str]:
        kind, value = self.goal
        peer = "-" if self.peer_time is None else _seconds(self.peer_time)
        return [self.measurement, _seconds(self.ours), self.peer, peer, self.ratio,
                GOALS[kind][0].format(value), "ok" if self.ok else "SHORT"]


HEADER = ["measurement", "ours", "peer", "peer time", "ratio", "goal", ""]


def _seconds(t: float) -> str:
    return f"{t:.3f} s" if t < 10 else f"{t:.1f} s"


def render(rows: list[Row]) -> str:
    """The rows as a plain-text table with aligned columns."""
    table = [HEADER] + [r.cells() for r in rows]
    widths = [max(len(line[c]) for line in table) for c in range(len(HEADER))]
    lines = ["  ".join(cell.ljust(w) for cell, w in zip(line, widths, strict=True)).rstrip()
             for line in table]
    lines.insert(1, "  ".join("-" * w for w in widths))
    notes = [f"- {r.measurement}: {r.note}" for r in rows if r.note]
    return "\n".join(lines + ([""] + notes if notes else []))


def best_of(fn, repeat: int = 3) -> tuple[float, object]:
    """The shortest of ``repeat`` timed calls, and the last call's result."""
    times, result = [], None
    for _ in range(repeat):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return min(times), result
