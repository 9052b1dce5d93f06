"""A picture of any fit: observed against predicted, and the residuals (``lawlib fit ... --plot``)."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

from .result import FitResult


def plot_fit(fit: FitResult, path=None, *, width: float = 6.5):
    """Observed against predicted values (with the identity line) and residuals against the first numeric input.

    Works for every lawlib fit: the values are the fit's own ``data``,
    ``predict()`` and ``resid``. Log axes where the fit's residuals are in logs.

    Parameters
    ----------
    fit : FitResult
    path : str or Path, optional
        Where to save the figure (PNG, SVG or PDF by suffix); nothing is
        written over an existing file.
    width : float
        Figure width [inches].

    Returns
    -------
    matplotlib.figure.Figure
    """
    import matplotlib

    if path is not None:
        matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    from .errors import ValidationError

    if path is not None and Path(path).exists():
        raise ValidationError([f"{path} exists; choose another name or remove it"], "--plot")
    data = fit.data
    if data is None:
        raise ValidationError(["the fit holds no data to draw"], "plot_fit")
    observed = data[fit.observed].to_numpy(dtype=float)
    predicted = np.asarray(fit.predict(), dtype=float)
    figure, (top, bottom) = plt.subplots(2, 1, figsize=(width, width * 1.1), height_ratios=(3, 2))
    top.scatter(predicted, observed, s=12, alpha=0.7, color="#1f4e79")
    low, high = np.nanmin([observed, predicted]), np.nanmax([observed, predicted])
    top.plot([low, high], [low, high], color="0.3", lw=1, label="observed = predicted")
    if fit.residual == "log":
        top.set_xscale("log")
        top.set_yscale("log")
    top.set_xlabel(f"predicted {fit.observed}")
    top.set_ylabel(f"observed {fit.observed}")
    top.set_title(f"{type(fit.law).__name__} fit of {fit.n_obs} points", fontsize=11)
    top.legend(frameon=False)
    numeric = [c for c in fit.inputs if pd.api.types.is_numeric_dtype(data[c])]
    first = numeric[0] if numeric else None
    x = data[first].to_numpy(dtype=float) if first is not None else np.arange(len(data))
    bottom.axhline(0, color="0.3", lw=1)
    bottom.scatter(x, fit.resid.to_numpy(), s=12, alpha=0.7, color="#b5472b")
    if first is not None and np.all(x > 0):
        bottom.set_xscale("log")
    bottom.set_xlabel(first or "point")
    bottom.set_ylabel("log residual" if fit.residual == "log" else "residual")
    figure.tight_layout()
    if path is not None:
        figure.savefig(path, dpi=120)
        plt.close(figure)
    return figure
