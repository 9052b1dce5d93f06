"""The book's one plotting look, set in one place.

Every chapter calls :func:`use_style` once; scaling plots use :func:`loglog`.
"""

from __future__ import annotations

import matplotlib as mpl
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.ticker import FuncFormatter

#: Colour-blind-safe palette (Okabe and Ito), used as the default colour cycle.
PALETTE = ["#0072B2", "#D55E00", "#009E73", "#CC79A7", "#E69F00", "#56B4E9", "#F0E442", "#000000"]

#: Matplotlib settings applied by :func:`use_style`.
STYLE = {
    "figure.figsize": (6.4, 4.0),
    "figure.dpi": 110,
    "savefig.dpi": 110,
    "savefig.bbox": "tight",
    "font.size": 10,
    "axes.titlesize": 11,
    "axes.labelsize": 10,
    "axes.grid": True,
    "axes.grid.which": "both",
    "grid.alpha": 0.25,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.prop_cycle": mpl.cycler(color=PALETTE),
    "legend.frameon": False,
    "lines.linewidth": 1.6,
    "lines.markersize": 5,
    "image.cmap": "viridis",
    "svg.hashsalt": "lawlib",
}


def use_style() -> None:
    """Apply :data:`STYLE` to matplotlib's global settings."""
    mpl.rcParams.update(STYLE)


#: Plain numbers (2.5, not 2.5 x 10^0) for loss axes, which rarely span a decade.
PLAIN = FuncFormatter(lambda value, _: f"{value:g}")


def _plain_minor(value, _):
    """Label the minor ticks at 2, 3 and 5 times a power of ten only, so labels do not crowd."""
    mantissa = value / 10 ** np.floor(np.log10(value))
    return f"{value:g}" if np.isclose(mantissa, [2, 3, 5]).any() else ""


PLAIN_MINOR = FuncFormatter(_plain_minor)


def loglog(ax=None, xlabel: str | None = None, ylabel: str | None = None):
    """Put `ax` (default: a new one) on log-log axes with the given labels; return it.

    The y axis, usually a loss within one decade, gets plain tick labels.
    """
    if ax is None:
        _, ax = plt.subplots()
    ax.set_xscale("log")
    ax.set_yscale("log")
    ax.yaxis.set_major_formatter(PLAIN)
    ax.yaxis.set_minor_formatter(PLAIN_MINOR)
    if xlabel is not None:
        ax.set_xlabel(xlabel)
    if ylabel is not None:
        ax.set_ylabel(ylabel)
    return ax
