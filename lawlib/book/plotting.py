"""The book's one look, for figures and tables, set in one place.

Every chapter calls :func:`use_style` once. Figures are designed for the book's
column (about 750 px at a 1280 px window): :func:`figure` gives one panel at
column width, :func:`panels` several panels whose text stays at least 9 pt as
displayed, and :func:`loglog` log axes with enough labeled ticks. Color that
encodes a quantity gets a color bar from :func:`colorbar`. Every DataFrame a chapter
shows is drawn by :func:`lawlib.book.tables.table` (registered by :func:`use_style`).
"""

from __future__ import annotations

import base64
import io
import math
import re
import sys
import warnings
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
#: Width of the phone rendering of every figure [inches at :data:`DPI`]: 352 px, the column of a
#: 400 px window, so its 9 pt text stays 9 pt there instead of shrinking to half.
PHONE_WIDTH = 3.2
#: Windows narrower than this load the phone rendering (a CSS media query).
PHONE_QUERY = "(max-width: 700px)"

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
        # loading the notebook backend runs its IPython hook, which clears every format of a
        # figure: so load it first, then add the book's figure HTML
        plt.switch_backend(mpl.get_backend())
        html = shell.display_formatter.formatters["text/html"]
        html.for_type(pd.DataFrame, tables.html)
        html.for_type(mpl.figure.Figure, figure_html)


def _png(fig) -> str:
    buffer = io.BytesIO()
    fig.savefig(buffer, format="png")
    return base64.b64encode(buffer.getvalue()).decode("ascii")


def _png_width(png: str) -> int:
    """Width in pixels of a base64 PNG (from its header)."""
    return int.from_bytes(base64.b64decode(png[:32])[16:20], "big")


#: Longest line of a label or legend entry in a phone rendering [characters].
PHONE_LINE = 30


def _labels_of(fig) -> list:
    """The axis labels and titles of `fig` (the texts a phone rendering may wrap)."""
    return [
        text
        for ax in fig.axes
        for text in (ax.xaxis.label, ax.yaxis.label, ax.title)
        if len(text.get_text()) > PHONE_LINE
    ]


def _wrapped(text: str, width: int = PHONE_LINE) -> str:
    """`text` broken between words into lines of at most `width` characters (math kept whole)."""
    words = re.findall(r"\$[^$]*\$\S*|\S+", text)
    lines: list[str] = []
    for word in words:
        if lines and len(lines[-1]) + 1 + len(word) <= width:
            lines[-1] += " " + word
        else:
            lines.append(word)
    return "\n".join(lines)


def _to_move(legend, fig) -> bool:
    """Whether the phone rendering gathers `legend` under the figure: a figure legend, a legend
    outside its axes, or one too wide to sit inside a phone-width axes (text keeps its size)."""
    if legend in fig.legends:
        return True
    renderer = fig.canvas.get_renderer()
    box, axes = legend.get_window_extent(renderer), legend.axes.get_window_extent(renderer)
    outside = (
        box.x0 < axes.x0 - 2 or box.x1 > axes.x1 + 2 or box.y0 < axes.y0 - 2 or box.y1 > axes.y1 + 2
    )
    return bool(outside or box.width / fig.dpi > 0.45 * PHONE_WIDTH)


def _phone_png(fig) -> str:
    """`fig` drawn :data:`PHONE_WIDTH` wide: panels side by side stacked in one column, legends
    outside the axes or too wide for a phone gathered under the figure, one or two entries per
    line.

    The figure is changed in place and put back: its size, the grid cell of every axes that sits
    in a two-column grid (twins follow their axes; color bars follow their parents), its long
    labels (wrapped at :data:`PHONE_LINE` characters) and its legends (hidden while a phone copy
    is drawn).
    """
    width, height = fig.get_size_inches()
    fig.canvas.draw()  # legend and axes extents, for _to_move
    moved = [
        legend
        for legend in [ax.get_legend() for ax in fig.axes if ax.get_legend() is not None]
        + list(fig.legends)
        if legend.get_visible() and _to_move(legend, fig)
    ]
    specs = {ax: ax.get_subplotspec() for ax in fig.axes if ax.get_subplotspec() is not None}
    texts = {text: text.get_text() for text in _labels_of(fig)}
    grids = {spec.get_gridspec() for spec in specs.values()}
    restack = len(grids) == 1 and next(iter(grids)).ncols == 2
    rows = 1
    added = []
    try:
        for text in _labels_of(fig):
            text.set_text(_wrapped(text.get_text()))
        for legend in moved:
            labels = [_wrapped(text.get_text()) for text in legend.get_texts()]
            title = legend.get_title().get_text()
            legend.set_visible(False)
            added.append(
                fig.legend(
                    legend.legend_handles,
                    labels,
                    loc="outside lower center",
                    ncols=1 if max(map(len, labels), default=0) > 16 else 2,
                    title=title or None,
                )
            )
        if restack:
            grid = next(iter(grids))
            cells = sorted({(spec.rowspan.start, spec.colspan.start) for spec in specs.values()})
            order = {cell: k for k, cell in enumerate(cells)}
            rows = len(cells)
            stacked = fig.add_gridspec(rows, 1)
            for ax, spec in specs.items():
                ax.set_subplotspec(stacked[order[(spec.rowspan.start, spec.colspan.start)], 0])
            row_height = height / grid.nrows
        else:
            row_height = height
        phone_row = min(max(0.72 * row_height, 2.4), 3.2)
        extra = 0.2 * sum(len(legend.get_texts()) for legend in added)  # the legends' lines
        target = PHONE_WIDTH * DPI  # pixels
        figure_width = PHONE_WIDTH
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")  # constrained layout on a narrow page
            for _ in range(3):  # a label outside the axes widens the tight box
                fig.set_size_inches(figure_width, phone_row * rows + extra)
                png = _png(fig)
                drawn = _png_width(png)
                if drawn <= target * 1.02:
                    break
                figure_width *= target / drawn
        return png
    finally:
        for text, original in texts.items():
            text.set_text(original)
        for legend in added:
            legend.remove()
        for legend in moved:
            legend.set_visible(True)
        fig.set_size_inches(width, height)
        for ax, spec in specs.items():
            ax.set_subplotspec(spec)


def figure_html(fig) -> str:
    """A figure as the book shows it: the column-width PNG, and a phone rendering for narrow windows.

    Registered by :func:`use_style` as the notebook's HTML form of a matplotlib figure; windows
    matching :data:`PHONE_QUERY` load the rendering of ``_phone_png``, so figure text keeps its
    size on a phone.

    Parameters
    ----------
    fig : matplotlib.figure.Figure

    Returns
    -------
    str
        A ``<picture class="lawlib-figure">`` with both images inline (``data:`` addresses).
    """
    wide = _png(fig)
    phone = _phone_png(fig)
    return (
        '<picture class="lawlib-figure">'
        f'<source media="{PHONE_QUERY}" srcset="data:image/png;base64,{phone}">'
        f'<img src="data:image/png;base64,{wide}" alt="figure"></picture>'
    )


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

    _ticks: tuple = ()

    def format_ticks(self, values):
        self._ticks = tuple(values)  # every tick, so that one label can depend on the others
        return super().format_ticks(values)

    def __call__(self, value, pos=None):
        low, high = sorted(self.axis.get_view_interval())
        span = np.log10(high / low) if low > 0 else np.inf
        shown = range(2, 10) if span < 0.7 else (2, 3, 5) if span < 1.5 else ()
        in_view = [v for v in self._ticks if low <= v <= high]
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
