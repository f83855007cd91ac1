"""The result of a simulated active-learning replay: its tables, in numbers and in a picture.

An :class:`ActiveLearningRun` holds what :func:`workbench.collect.simulate_active_learning`
measured: the per-seed rounds of each strategy, the images each one labelled, and the
summary per strategy and round (means over seeds with bootstrap intervals); its repr says
which strategy ends best, and :meth:`ActiveLearningRun.plot` draws the learning curves
and the rare-class images labelled, random dashed.
"""

from __future__ import annotations

from dataclasses import dataclass

import pandas as pd


@dataclass(frozen=True, eq=False)
class ActiveLearningRun:
    """The simulated labelling rounds of each strategy and seed.

    ``runs``: one row per (strategy, seed, round): ``labelled`` images, ``rare_acquired``
    (labelled images of the rare class), ``macro_f1`` and ``rare_recall`` on the held-out
    split; round 0 is the random start. ``acquired``: one row per labelled image
    (strategy, seed, the round it was labelled in, sample_id). ``to_frame()``: per
    strategy and round, the mean over seeds with a 95% percentile bootstrap interval over
    the held-out images (see :func:`simulate_active_learning`).
    """

    runs: pd.DataFrame
    acquired: pd.DataFrame
    summary: pd.DataFrame
    rare_class: str
    rare_in_pool: int
    design: str

    def to_frame(self) -> pd.DataFrame:
        """A copy of the summary.

        Returns
        -------
        pandas.DataFrame
            Per (strategy, round): labelled images, macro F1 and rare-class recall (fractions)
            with intervals, rare-class images labelled.
        """
        return self.summary.copy()

    def __repr__(self) -> str:
        runs = self.runs
        last = self.summary[self.summary["round"] == self.summary["round"].max()]
        f1 = last.set_index("strategy")["macro_f1"]
        best = f1.drop("random", errors="ignore")
        text = (f"best {best.idxmax()} {best.max():.3f}" if len(best) else "")
        if "random" in f1.index:
            text += (", " if text else "") + f"random {f1['random']:.3f}"
        return (f"ActiveLearningRun({runs['strategy'].nunique()} strategies x "
                f"{runs['seed'].nunique()} seeds x {runs['round'].max()} rounds, rare class "
                f"{self.rare_class!r}; macro F1 at {int(last['labelled'].iloc[0]):,} labelled: "
                f"{text})")

    def plot(self):
        """Two panels against labelled images: macro F1 per strategy with its interval as
        a band, and the rare class's labelled images; random dashed. A matplotlib Figure
        (not registered with pyplot: a notebook shows it once).

        Returns
        -------
        matplotlib.figure.Figure
            The two panels.
        """
        from matplotlib import colormaps
        from matplotlib.figure import Figure

        fig = Figure(figsize=(12, 4.8), layout="constrained")
        ax_f1, ax_rare = fig.subplots(1, 2)
        colours = colormaps["tab10"]
        others = [s for s in dict.fromkeys(self.summary["strategy"]) if s != "random"]
        for name, part in self.summary.groupby("strategy", sort=False):
            style = ({"color": "0.2", "ls": "--", "lw": 2.0, "zorder": 3} if name == "random"
                     else {"color": colours(others.index(name) % 10), "ls": "-", "lw": 1.6})
            x = part["labelled"].to_numpy()
            ax_f1.plot(x, part["macro_f1"], marker="o", ms=4, label=name, **style)
            ax_f1.fill_between(x, part["macro_f1_low"], part["macro_f1_high"],
                               color=style["color"], alpha=0.12 if name == "random" else 0.06,
                               lw=0)
            ax_rare.plot(x, part["rare_acquired"], marker="o", ms=4, label=name, **style)
        if self.rare_in_pool <= 1.5 * self.summary["rare_acquired"].max():  # within reach
            ax_rare.axhline(self.rare_in_pool, color="0.5", lw=1, ls=":")
            ax_rare.annotate(f"all {self.rare_in_pool} in the pool", (0.01, self.rare_in_pool),
                             xycoords=("axes fraction", "data"), xytext=(0, -3),
                             textcoords="offset points", va="top", fontsize=9, color="0.35")
            ax_rare.set_ylim(0, self.rare_in_pool * 1.08)
        ax_f1.set_title("Macro F1 on the held-out split\n(band: 95% bootstrap interval over "
                        "its images)", fontsize=11)
        ax_f1.set_ylabel("macro F1 (mean over seeds)", fontsize=10)
        ax_rare.set_title(f"Images of the rare class {self.rare_class!r} labelled\n"
                          f"({self.rare_in_pool} in the pool)", fontsize=11)
        ax_rare.set_ylabel("rare-class images (mean over seeds)", fontsize=10)
        for ax in (ax_f1, ax_rare):
            ax.set_xlabel("labelled images", fontsize=10)
            ax.tick_params(labelsize=9)
            ax.grid(alpha=0.3)
        handles, labels = ax_f1.get_legend_handles_labels()
        fig.legend(handles, labels, loc="outside right upper", fontsize=9, frameon=False,
                   title="strategy", title_fontsize=10)
        return fig
