"""The book's one look, for figures and tables, set in one place.

Every chapter calls :func:`use_style` once. Figures are designed for the book's
column (about 750 px at a 1280 px window): :func:`figure` gives one panel at
column width, :func:`panels` several panels whose text stays at least 9 pt as
displayed, and :func:`loglog` log axes with enough labeled ticks. Color that
encodes a quantity gets a color bar from :func:`colorbar`. Every DataFrame a chapter
shows is drawn by :func:`lawlib.book.tables.table` (registered by :func:`use_style`).
"""

from __future__ import annotations

import math
import sys
from typing import Any, cast

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
import pandas as pd
from matplotlib.rcsetup import cycler
from matplotlib.ticker import Formatter, FuncFormatter, LogLocator

from . import tables
from .tables import DISPLAY

#: Color-blind-safe palette (Okabe and Ito), used as the default color cycle.
PALETTE = [
    "#0072B2",
    "#D55E00",
    "#009E73",
    "#CC79A7",
    "#E69F00",
    "#56B4E9",
    "#F0E442",
    "#000000",
]

#: Width of the book's text column [inches at :data:`DPI`]: 6.6 in at 110 dpi is 726 px, shown
#: unscaled in the 750 px column, so a 9 pt font displays at 9 * 110 / 96 = 10.3 pt.
COLUMN_WIDTH = 6.6
#: Resolution of the figures in the book [dots per inch].
DPI = 110
#: Smallest font size of any text in a figure [pt].
MIN_FONT = 9

#: Matplotlib settings applied by :func:`use_style`.
STYLE = {
    "figure.figsize": (COLUMN_WIDTH, 4.0),
    "figure.dpi": DPI,
    "figure.constrained_layout.use": True,
    "savefig.dpi": DPI,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 10.5,
    "axes.labelsize": 10,
    "xtick.labelsize": MIN_FONT,
    "ytick.labelsize": MIN_FONT,
    "legend.fontsize": MIN_FONT,
    "legend.title_fontsize": MIN_FONT,
    "figure.titlesize": 11,
    "axes.grid": True,
    "axes.grid.which": "both",
    "grid.alpha": 0.25,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": cycler(color=PALETTE),
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "lines.markersize": 5,
    "image.cmap": "viridis",
    "mathtext.fontset": "dejavusans",
    "svg.hashsalt": "lawlib",
}


def use_style() -> None:
    """Apply :data:`STYLE` to matplotlib, :data:`~lawlib.book.tables.DISPLAY` to pandas and, in a
    notebook, :func:`lawlib.book.tables.table` as the HTML form of every DataFrame shown.

    Returns
    -------
    None
    """
    mpl.rcParams.update(cast(Any, STYLE))
    for option, value in DISPLAY.items():
        pd.set_option(option, value)
    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None else None
    if shell is not None:
        shell.display_formatter.formatters["text/html"].for_type(pd.DataFrame, tables.html)


def figure(height: float = 4.0):
    """One panel at column width: ``(fig, ax)``.

    Parameters
    ----------
    height : float
        Height [inches].

    Returns
    -------
    fig, ax
    """
    return plt.subplots(figsize=(COLUMN_WIDTH, height))


def panels(n: int, *, ncols: int | None = None, height: float | None = None, **kwargs):
    """``n`` panels at column width, at most two side by side, stacked beyond.

    Parameters
    ----------
    n : int
        Number of panels.
    ncols : int, optional
        Panels per row (default 2 when n > 1); more than two would shrink the text.
    height : float, optional
        Height of one row [inches] (default 3.3 for two per row, 4.0 for one).
    **kwargs
        Passed to :func:`matplotlib.pyplot.subplots` (``sharex``, ``sharey``).

    Returns
    -------
    fig, axes : Figure and a flat array of ``n`` Axes
    """
    ncols = min(n, 2) if ncols is None else ncols
    if ncols > 2:
        raise ValueError(f"at most two panels side by side keep text readable, got ncols={ncols}")
    nrows = math.ceil(n / ncols)
    row = height if height is not None else (3.3 if ncols == 2 else 4.0)
    fig, axes = plt.subplots(
        nrows, ncols, figsize=(COLUMN_WIDTH, row * nrows), squeeze=False, **kwargs
    )
    flat = axes.ravel()
    for extra in flat[n:]:
        extra.remove()
    return fig, flat[:n]


#: Plain numbers (2.5, not 2.5 x 10^0) for loss axes, which rarely span a decade.
PLAIN = FuncFormatter(lambda value, _: f"{value:g}")


class _LossMinorFormatter(Formatter):
    """Labels for the minor ticks of a log axis, as many as its range allows without crowding.

    Within less than 0.7 decade every minor tick at 2, 3, ..., 9 times a power of ten is labeled,
    within 1.5 decades 2, 3 and 5 times, beyond that none (the decades carry the labels). When
    that leaves fewer than three labels in view (a loss axis spanning a fraction of a decade,
    whose minor ticks fall at 2.2, 2.4, ...), every k-th tick in view is labeled instead, k
    chosen so that about five are.
    """

    def __call__(self, value, pos=None):
        low, high = sorted(self.axis.get_view_interval())
        span = np.log10(high / low) if low > 0 else np.inf
        shown = range(2, 10) if span < 0.7 else (2, 3, 5) if span < 1.5 else ()
        in_view = [v for v in self.locs if low <= v <= high]
        labeled = [v for v in in_view if self._round(v, shown)]
        if span < 0.7 and len(labeled) < 3 and in_view:
            step = max(1, int(np.ceil(len(in_view) / 5)))
            chosen = in_view[::step]
            return f"{value:g}" if any(np.isclose(value, v) for v in chosen) else ""
        return f"{value:g}" if self._round(value, shown) else ""

    @staticmethod
    def _round(value, mantissas) -> bool:
        mantissa = round(value / 10 ** np.floor(np.log10(value)), 6)
        return any(np.isclose(mantissa, m) for m in mantissas)


def _decades(ax, axis: str) -> float:
    low, high = ax.get_xlim() if axis == "x" else ax.get_ylim()
    return np.log10(high / low) if low > 0 and high > 0 else np.inf


def log_ticks(ax, axis: str = "both") -> None:
    """Label enough ticks on log axes: every decade, plus 2 and 5 within less than two decades.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
    axis : {"x", "y", "both"}

    Returns
    -------
    None
    """
    for name in ("x", "y") if axis == "both" else (axis,):
        target = ax.xaxis if name == "x" else ax.yaxis
        if (ax.get_xscale() if name == "x" else ax.get_yscale()) != "log":
            continue
        span = _decades(ax, name)
        if span < 2:
            target.set_major_locator(LogLocator(base=10, subs=(1.0, 2.0, 5.0)))
            target.set_major_formatter(PLAIN)
        else:
            step = max(1, int(np.ceil(span / 7)))
            target.set_major_locator(LogLocator(base=10**step, numticks=12))


def loglog(ax=None, xlabel: str | None = None, ylabel: str | None = None):
    """Put `ax` (default: a new column-width one) on log-log axes with labels; return it.

    The y axis, usually a loss within one decade, gets plain tick labels on as
    many minor ticks as its range allows (:class:`_LossMinorFormatter`).

    Parameters
    ----------
    ax : matplotlib.axes.Axes, optional
    xlabel, ylabel : str, optional

    Returns
    -------
    matplotlib.axes.Axes
    """
    if ax is None:
        _, ax = figure()
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(PLAIN)
    ax.yaxis.set_minor_formatter(_LossMinorFormatter())
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return ax


def colorbar(mappable, ax, label: str, **kwargs):
    """A color bar for color that encodes a quantity, labeled with its name and unit.

    Parameters
    ----------
    mappable : matplotlib.cm.ScalarMappable
    ax : matplotlib.axes.Axes
    label : str
        Quantity and unit.
    **kwargs
        Passed to ``Figure.colorbar``.

    Returns
    -------
    matplotlib.colorbar.Colorbar
    """
    bar = ax.figure.colorbar(mappable, ax=ax, **kwargs)
    bar.set_label(label)
    return bar


def color_scale(values, *, cmap: str = "viridis", log: bool = True):
    """A ScalarMappable for coloring lines by `values` (log-spaced by default), for :func:`colorbar`.

    Parameters
    ----------
    values : array_like
    cmap : str
    log : bool

    Returns
    -------
    mappable : matplotlib.cm.ScalarMappable
        ``mappable.to_rgba(v)`` gives the color of value v.
    """
    values = np.asarray(values, dtype=float)
    norm = (mpl.colors.LogNorm if log else mpl.colors.Normalize)(values.min(), values.max())
    return mpl.cm.ScalarMappable(norm=norm, cmap=cmap)


def isoflop_profiles(ax, runs, fit, budget: str = "C", label: str = "compute budget $C$ [FLOPs]"):
    """IsoFLOP profiles on log-log axes: the runs of each budget, its parabola and its vertex.

    Parameters
    ----------
    ax : matplotlib.axes.Axes
        From :func:`loglog`.
    runs : DataFrame
        Columns ``N`` [parameters], ``loss`` [nats/token] and `budget` [FLOPs].
    fit : IsoFLOPResult
        From :func:`lawlib.fit_isoflop` on these runs with `budget` as the compute: its
        ``optima`` give each budget's vertex (``N_opt``, ``loss_opt``), ``curvature`` and the
        span of the runs its parabola went through (``N_low`` to ``N_high``), where it is drawn.
    budget : str
        The column of `runs` holding each run's budget.
    label : str
        The color bar's label.

    Returns
    -------
    matplotlib.colorbar.Colorbar
    """
    scale = color_scale(runs[budget])
    optima = fit.optima.set_index("C")
    for c, group in runs.groupby(budget):
        color = scale.to_rgba(c)
        ax.plot(group["N"], group["loss"], "o", ms=3, color=color)
        if c not in optima.index:
            continue
        row = optima.loc[c]
        curve = np.geomspace(row["N_low"], row["N_high"], 60)
        parabola = row["loss_opt"] + row["curvature"] * (np.log(curve) - np.log(row["N_opt"])) ** 2
        ax.plot(curve, parabola, color=color, lw=1)
        ax.plot(row["N_opt"], row["loss_opt"], "x", color="k", ms=6)
    return colorbar(scale, ax, label)
