"""Nonparametric bootstrap of any lawlib fit: resample rows, refit, collect.

Derived and demonstrated in the chapter *Fitting power laws*.
"""

from __future__ import annotations

import warnings
from collections.abc import Callable, Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from .errors import FitWarning, ValidationError
from .objectives import HuberLogProblem
from .optimize import batched_bfgs
from .result import FitResult
from .validation import check_columns, check_options, take_columns
from .validation.runs import Column


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
    n_unidentifiable : int
        Resamples left out because their runs could not identify the law
        (too few distinct points, say): counted, not refitted.
    refits : DataFrame, optional
        Per resample, where a bootstrap records it: how it was refitted
        (``objective``, ``converged`` and, for global refits, the warm-started
        objective and whether the global refit found another basin).

    References
    ----------
    B. Efron (1979), "Bootstrap Methods: Another Look at the Jackknife"; T. Besiroglu et al.
    (2024), "Chinchilla Scaling: A replication attempt", sec. 3 (the draws of the legacy sampler).
    """

    samples: pd.DataFrame
    estimate: pd.Series
    n_resamples: int
    n_failed: int
    seed: int
    n_unidentifiable: int = 0
    refits: pd.DataFrame | None = None

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
        check_options("interval", level=level)
        tail = (1 - level) / 2
        frame = pd.DataFrame(
            {"low": self.samples.quantile(tail), "high": self.samples.quantile(1 - tail)}
        )
        frame.index.name = "quantity"
        frame.attrs["level"] = level
        return frame

    def se(self) -> pd.Series:
        """Bootstrap standard error: standard deviation of the resampled values.

        Returns
        -------
        Series by quantity
        """
        return self.samples.std(ddof=1)


def resample_indices(
    n_rows: int, n_resamples: int, seed: int, sampler: str = "generator"
) -> np.ndarray:
    """Row indices of each resample, drawn with replacement: shape (n_resamples, n_rows).

    Every lawlib bootstrap draws through this function, so the same seed gives
    the same resamples whichever bootstrap runs them.

    Parameters
    ----------
    n_rows, n_resamples, seed : int
    sampler : {"generator", "legacy"}
        ``"generator"``: :func:`numpy.random.default_rng`. ``"legacy"``: the
        draws of ``np.random.seed(seed)`` followed by one
        ``np.random.choice(n_rows, n_rows)`` per resample, as Besiroglu et al. (2024) do.

    Returns
    -------
    ndarray of int, shape (n_resamples, n_rows)

    References
    ----------
    B. Efron (1979), "Bootstrap Methods: Another Look at the Jackknife"; T. Besiroglu et al.
    (2024), "Chinchilla Scaling: A replication attempt", sec. 3 (the draws of the legacy sampler).
    """
    check_options("resample_indices", n_resamples=n_resamples, seed=seed)
    if sampler == "generator":
        return np.random.default_rng(seed).integers(0, n_rows, size=(n_resamples, n_rows))
    if sampler == "legacy":
        state = np.random.RandomState(seed)
        return np.array([state.choice(n_rows, n_rows, replace=True) for _ in range(n_resamples)])
    raise ValidationError(
        [f"sampler must be 'generator' or 'legacy', got {sampler!r}"], "bootstrap"
    )


def resample_counts(
    n_rows: int, n_resamples: int, seed: int, sampler: str = "generator"
) -> np.ndarray:
    """How often each row appears in each resample of :func:`resample_indices`: shape (n_resamples, n_rows).

    Parameters
    ----------
    n_rows, n_resamples, seed : int
    sampler : {"generator", "legacy"}

    Returns
    -------
    ndarray of int, shape (n_resamples, n_rows)

    References
    ----------
    B. Efron (1979), "Bootstrap Methods: Another Look at the Jackknife"; T. Besiroglu et al.
    (2024), "Chinchilla Scaling: A replication attempt", sec. 3 (the draws of the legacy sampler).
    """
    indices = resample_indices(n_rows, n_resamples, seed, sampler)
    offsets = np.arange(n_resamples)[:, None] * n_rows
    return np.bincount((indices + offsets).ravel(), minlength=n_resamples * n_rows).reshape(
        n_resamples, n_rows
    )


def refit_huber_log(
    logx, logy, theta, counts, *, delta: float, reduction: str, progress=None, chunk: int = 500
):
    """Refit a Huber-on-log-loss law on every resample at once, from given starts.

    Parameters
    ----------
    logx : ndarray, shape (n, k)
    logy : ndarray, shape (n,)
    theta : ndarray, shape (1 + 2k,) or (R, 1 + 2k)
        Start ``[e, a_1, alpha_1, ...]``: the full-data optimum for every
        resample (a warm start), or one start per resample.
    counts : ndarray, shape (R, n)
        Multiplicity of each point in each resample (:func:`resample_counts`).
    delta, reduction
        As in :func:`lawlib.objectives.huber_log_objective`.
    progress : callable, optional
        Called as ``progress(done, total)`` after each chunk of resamples.
    chunk : int
        Resamples refitted together (results do not depend on it).

    Returns
    -------
    ends : ndarray, shape (R, 1 + 2k)
        Optimum of each resample, in the same coordinates as `theta`.
    converged : ndarray of bool, shape (R,)
    values : ndarray, shape (R,)
        Objective of each resample at its end point.

    References
    ----------
    B. Efron (1979), "Bootstrap Methods: Another Look at the Jackknife"; T. Besiroglu et al.
    (2024), "Chinchilla Scaling: A replication attempt", sec. 3 (the draws of the legacy sampler).
    """
    theta = np.broadcast_to(
        np.asarray(theta, dtype=float), (counts.shape[0], logx.shape[1] * 2 + 1)
    )
    ends, converged, values = [], [], []
    for first in range(0, counts.shape[0], chunk):
        problem = HuberLogProblem(
            logx, logy, delta, reduction, center=True, weights=counts[first : first + chunk]
        )
        starts = problem.to_internal(theta[first : first + chunk])
        end, value, ok = batched_bfgs(problem, starts, max_iter=1000, rtol=1e-13)
        ends.append(problem.to_external(end))
        converged.append(ok)
        values.append(value)
        if progress is not None:
            progress(min(first + chunk, counts.shape[0]), counts.shape[0])
    return np.concatenate(ends), np.concatenate(converged), np.concatenate(values)


def _quantities(result: FitResult) -> pd.Series:
    return pd.concat([result.params, result.derived])


def bootstrap(
    fit: Callable[..., FitResult],
    columns: Mapping[str, object],
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    **fit_kwargs,
) -> BootstrapResult:
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

    References
    ----------
    B. Efron (1979), "Bootstrap Methods: Another Look at the Jackknife"; T. Besiroglu et al.
    (2024), "Chinchilla Scaling: A replication attempt", sec. 3 (the draws of the legacy sampler).

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
    arrays = check_columns(columns)
    indices = resample_indices(next(iter(arrays.values())).size, n_resamples, seed)
    full = fit(**arrays, **fit_kwargs)
    rows, failed, unidentifiable = [], 0, 0
    for index in indices:
        with warnings.catch_warnings():
            # a resample repeats rows by construction; a refit that fails is counted below
            warnings.simplefilter("ignore", FitWarning)
            try:
                refit = fit(
                    **{name: values[index] for name, values in arrays.items()}, **fit_kwargs
                )
            except ValidationError:  # this resample's runs cannot identify the law
                unidentifiable += 1
                continue
        if refit.converged:
            rows.append(_quantities(refit))
        else:
            failed += 1
    if not rows:
        raise ValidationError(
            [
                (
                    f"none of the {n_resamples} bootstrap refits converged ({unidentifiable} "
                    "resamples could not identify the law)"
                )
            ],
            "bootstrap",
        )
    return BootstrapResult(
        samples=pd.DataFrame(rows).reset_index(drop=True),
        estimate=_quantities(full),
        n_resamples=n_resamples,
        n_failed=failed,
        seed=seed,
        n_unidentifiable=unidentifiable,
    )


def bootstrap_power_law(
    x: Column,
    loss: Column,
    *,
    n_resamples: int = 1000,
    seed: int = 0,
    delta: float = 1e-3,
    reduction: str = "sum",
    fit: FitResult | None = None,
    data: pd.DataFrame | None = None,
) -> BootstrapResult:
    """Bootstrap :func:`lawlib.fit_power_law`, all resamples refitted at once.

    Draws the same resamples as :func:`bootstrap` with the same seed, and refits
    each from the full-data optimum by batched BFGS on weighted data (a point
    drawn twice counts twice), which is much faster than one fit per resample.

    Parameters
    ----------
    x, loss : array_like, shape (n,), or str
        With `data`, the names of its columns.
    n_resamples : int
    seed : int
    delta, reduction
        As in :func:`lawlib.fit_power_law`.
    fit : FitResult, optional
        The full-data fit, if already computed with the same settings.
    data : DataFrame, optional
        Runs to take `x` and `loss` from by name.

    Returns
    -------
    BootstrapResult
        With columns ``E``, ``A`` and ``alpha``.

    References
    ----------
    B. Efron (1979), "Bootstrap Methods: Another Look at the Jackknife"; T. Besiroglu et al.
    (2024), "Chinchilla Scaling: A replication attempt", sec. 3 (the draws of the legacy sampler).

    Examples
    --------
    >>> from lawlib import PowerLaw
    >>> x = np.logspace(6, 10, 30)
    >>> y = PowerLaw(1.7, 400.0, 0.34)(x) * np.exp(np.random.default_rng(1).normal(0, 0.01, 30))
    >>> boot = bootstrap_power_law(x, y, n_resamples=200, seed=0)
    >>> low, high = boot.interval(0.9).loc["alpha"]
    >>> bool(low < 0.34 < high), boot.n_failed
    (True, 0)
    """
    from .powerlaw import fit_power_law

    given, names = take_columns(data, {"x": x, "loss": loss})
    x_name, loss_name = names["x"], names["loss"]
    columns = check_columns(
        {x_name: given["x"], loss_name: given["loss"]}, positive=(x_name, loss_name)
    )
    if fit is None:
        fit = fit_power_law(
            x_name, loss_name, data=pd.DataFrame(columns), delta=delta, reduction=reduction
        )
    elif fit.fixed or fit.weights is not None or fit.settings.get("Huber delta") != delta:
        raise ValidationError(
            ["fit was made with other settings (fixed parameters, weights or another delta)"],
            "bootstrap_power_law",
        )
    counts = resample_counts(columns[x_name].size, n_resamples, seed)
    ends, converged, _ = refit_huber_log(
        np.log(columns[x_name])[:, None],
        np.log(columns[loss_name]),
        [*np.log(fit.params[["E", "A"]].to_numpy()).tolist(), fit.params["alpha"]],
        counts,
        delta=delta,
        reduction=reduction,
    )
    samples = pd.DataFrame({"E": np.exp(ends[:, 0]), "A": np.exp(ends[:, 1]), "alpha": ends[:, 2]})[
        converged
    ]
    return BootstrapResult(
        samples=samples.reset_index(drop=True),
        estimate=fit.params,
        n_resamples=n_resamples,
        n_failed=int((~converged).sum()),
        seed=seed,
    )
