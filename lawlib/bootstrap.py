"""Nonparametric bootstrap of any lawlib fit: resample rows, refit, collect.

Derived and demonstrated in the chapter *Fitting power laws*.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .result import FitResult
from .validation import check_columns


@dataclass(frozen=True, eq=False)
class BootstrapResult:
    """Refits of a model on resampled data.

    Attributes
    ----------
    samples : DataFrame, shape (n_converged, n_quantities)
        One row per converged resample, one column per parameter or derived quantity.
    estimate : Series
        The same quantities from the fit on all the data.
    n_resamples : int
        Resamples drawn.
    n_failed : int
        Resamples whose refit did not converge (left out of `samples`).
    seed : int
        Seed of the resampling generator.
    """

    samples: pd.DataFrame
    estimate: pd.Series
    n_resamples: int
    n_failed: int
    seed: int

    def interval(self, level: float = 0.95) -> pd.DataFrame:
        """Percentile interval of each quantity.

        Parameters
        ----------
        level : float
            Coverage in (0, 1); 0.95 gives the 2.5% and 97.5% quantiles.

        Returns
        -------
        DataFrame indexed by quantity with columns ``low`` and ``high``;
        ``attrs["level"]`` holds `level`.
        """
        if not 0 < level < 1:
            raise ValueError(f"level must lie strictly between 0 and 1, got {level!r}")
        tail = (1 - level) / 2
        frame = pd.DataFrame({"low": self.samples.quantile(tail), "high": self.samples.quantile(1 - tail)})
        frame.index.name = "quantity"
        frame.attrs["level"] = level
        return frame

    def se(self) -> pd.Series:
        """Bootstrap standard error: standard deviation of the resampled values."""
        return self.samples.std(ddof=1)


def _quantities(result: FitResult) -> pd.Series:
    return pd.concat([result.params, result.derived])


def bootstrap(fit: Callable[..., FitResult], columns: Mapping[str, object], *, n_resamples: int = 1000,
              seed: int = 0, **fit_kwargs) -> BootstrapResult:
    """Refit `fit` on `n_resamples` resamples of the rows of `columns`, drawn with replacement.

    Parameters
    ----------
    fit : callable
        A lawlib fitter, called as ``fit(**resampled_columns, **fit_kwargs)``.
    columns : mapping of str to array_like, each shape (n,)
        The fitter's data arguments by keyword, e.g. ``{"x": N, "loss": L}``.
    n_resamples : int
        Number of resamples.
    seed : int
        Seed for :func:`numpy.random.default_rng`; the same seed gives the same result.
    **fit_kwargs
        Passed to every call, e.g. ``starts=full_fit.x`` to restart each refit
        from the full-data optimum instead of the whole grid.

    Returns
    -------
    BootstrapResult

    Examples
    --------
    >>> from lawlib import PowerLaw, fit_power_law
    >>> x = np.logspace(6, 10, 30)
    >>> y = PowerLaw(1.7, 400.0, 0.34)(x) * np.exp(np.random.default_rng(1).normal(0, 0.01, 30))
    >>> full = fit_power_law(x, y)
    >>> boot = bootstrap(fit_power_law, {"x": x, "loss": y}, n_resamples=50, seed=0, starts=full.x)
    >>> low, high = boot.interval(0.9).loc["alpha"]
    >>> bool(low < 0.34 < high)
    True
    """
    if n_resamples < 2:
        raise ValueError(f"n_resamples must be at least 2, got {n_resamples!r}")
    arrays = check_columns(columns)
    n_rows = next(iter(arrays.values())).size
    full = fit(**arrays, **fit_kwargs)
    indices = np.random.default_rng(seed).integers(0, n_rows, size=(n_resamples, n_rows))
    rows, failed = [], 0
    for index in indices:
        refit = fit(**{name: values[index] for name, values in arrays.items()}, **fit_kwargs)
        if refit.converged:
            rows.append(_quantities(refit))
        else:
            failed += 1
    if not rows:
        raise RuntimeError(f"none of the {n_resamples} bootstrap refits converged")
    return BootstrapResult(samples=pd.DataFrame(rows).reset_index(drop=True), estimate=_quantities(full),
                           n_resamples=n_resamples, n_failed=failed, seed=seed)
