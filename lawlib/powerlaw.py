"""A power law with an irreducible term, and two ways to fit one.

``L(x) = E + A * x**(-alpha)``: the one-variable form behind every law in the
book. Derived and demonstrated in the chapter *Fitting power laws*.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from numpy.typing import ArrayLike

from .law import Law
from .logfit import fit_law, huber_log_result, natural_names, objective_definition
from .objectives import huber
from .result import FitResult
from .validation import (
    check_columns,
    check_design,
    check_options,
    check_weights,
    positive_argument,
    take_columns,
)
from .validation.runs import Column

#: Starting values per parameter, after Hoffmann et al. (2022, App. D.2):
#: e = log E, a = log A, and the exponent alpha.
DEFAULT_GRID = {
    "e": (-1.0, -0.5, 0.0, 0.5, 1.0),
    "a": (0.0, 5.0, 10.0, 15.0, 20.0, 25.0),
    "alpha": (0.0, 0.5, 1.0, 1.5, 2.0),
}

#: The coordinates of the fit: ``[log E, log A, alpha]``.
COORDINATES = natural_names(["E", "A"], ["alpha"])


@dataclass(frozen=True, eq=False)
class PowerLaw(Law):
    """``L(x) = E + A * x**(-alpha)``.

    Parameters
    ----------
    E : float
        Irreducible loss, the limit as x grows [loss units], >= 0.
    A : float
        Scale of the reducible term [loss units * x**alpha], > 0.
    alpha : float
        Exponent of the reducible term (dimensionless; negative for a quantity
        that grows with x, as ``N_opt`` does with compute).

    References
    ----------
    J. Hestness et al. (2017), "Deep Learning Scaling is Predictable, Empirically";
    J. Hoffmann et al. (2022), eq. 2 (each term of the Chinchilla law).

    Examples
    --------
    >>> law = PowerLaw(E=1.5, A=10.0, alpha=0.5)
    >>> float(law(100.0))
    2.5
    """

    E: float
    A: float
    alpha: float

    inputs = ("x",)
    RULES: ClassVar[dict[str, str]] = {"E": "nonnegative", "A": "positive", "alpha": "finite"}
    LOG_PARAMS = ("E", "A")

    def loss(self, x: ArrayLike):
        """Predicted loss at `x` (array_like, any shape, positive).

        Parameters
        ----------
        x : array_like

        Returns
        -------
        ndarray, the shape of `x`
        """
        return self.E + self.reducible(x)

    def reducible(self, x: ArrayLike):
        """The reducible part ``A * x**(-alpha)``.

        Parameters
        ----------
        x : array_like

        Returns
        -------
        ndarray
        """
        return self.A * positive_argument("x", x, infinite=True) ** (-self.alpha)

    def local_exponent(self, x: ArrayLike):
        """Slope of a straight line fitted at `x` in log-log space, sign flipped.

        ``-d log L / d log x = alpha * A x**(-alpha) / L(x)``: it equals
        `alpha` only when ``E = 0`` and falls towards 0 as L approaches E.

        Parameters
        ----------
        x : array_like

        Returns
        -------
        ndarray
        """
        return self.alpha * self.reducible(x) / self(x)


def start_grid(grid: dict[str, tuple[float, ...]] | None = None) -> np.ndarray:
    """Cartesian product of starting values, shape (S, 3), columns (log E, log A, alpha).

    Parameters
    ----------
    grid : dict, optional
        Values per coordinate, as :data:`DEFAULT_GRID`.

    Returns
    -------
    ndarray, shape (S, 3)

    References
    ----------
    J. Hoffmann et al. (2022), "Training Compute-Optimal Large Language Models", App. D.2 (the grid, restricted to three parameters).
    """
    grid = DEFAULT_GRID if grid is None else grid
    return np.array(list(itertools.product(grid["e"], grid["a"], grid["alpha"])), dtype=float)


def fit_power_law(
    x: Column,
    loss: Column,
    *,
    delta: float = 1e-3,
    reduction: str = "sum",
    starts=None,
    engine: str | None = None,
    options=None,
    fixed: dict | None = None,
    weights: Column | None = None,
    data: pd.DataFrame | None = None,
) -> FitResult:
    """Fit ``L = E + A * x**(-alpha)`` by Huber regression on log loss.

    Parameters
    ----------
    x : array_like, shape (n,), or str
        Positive scale variable (parameters, tokens or FLOPs); with `data`, its column name.
    loss : array_like, shape (n,), or str
        Positive observed loss [nats/token]; with `data`, its column name.
    delta : float
        Huber threshold on log residuals; ``numpy.inf`` gives least squares.
    reduction : {"sum", "mean"}
        Sum (as Hoffmann et al. write) or average the per-point losses.
    starts : array_like, shape (S, 3), optional
        Starting points as (log E, log A, alpha), fewer columns for fixed ones;
        ``start_grid()`` gives the grid of 150.
    engine : {"varpro", "batched", "scipy"}, optional
        Variable projection (the default without `starts`: alpha on a grid with
        ``(E, A)`` solved by non-negative least squares, then the best grid
        points polished); all starts at once (the default with `starts`, and
        ``start_grid()`` when none are given); or one scipy L-BFGS-B per start
        (see :mod:`lawlib.optimize`).
    options : dict, optional
        L-BFGS-B options (default :data:`lawlib.optimize.TOLERANCES`).
    fixed : dict, optional
        Parameters held at a value, e.g. ``{"E": 1.69}``.
    weights : array_like, shape (n,), or str, optional
        Weight of each run's term in the objective (a column name with `data`).
    data : DataFrame, optional
        Runs to take `x`, `loss` (and `weights`) from by name.

    Returns
    -------
    FitResult
        With ``law`` a :class:`PowerLaw`; an ``alpha`` <= 0 is a failed fit.

    Raises
    ------
    ValidationError
        For bad values or options, fewer than four distinct x, or a loss that
        does not fall with x.

    References
    ----------
    J. Hoffmann et al. (2022), App. D.2 (the Huber objective and its grid of starts).

    Examples
    --------
    >>> x = np.logspace(6, 10, 20)
    >>> fit = fit_power_law(x, PowerLaw(1.7, 400.0, 0.34)(x))
    >>> [round(v, 4) for v in fit.params]
    [1.7, 400.0, 0.34]
    """
    check_options("fit_power_law", delta=delta)
    given, names = take_columns(data, {"x": x, "loss": loss})
    x_name, loss_name = names["x"], names["loss"]
    model = "a power law with an irreducible term"
    columns = check_columns(
        {x_name: given["x"], loss_name: given["loss"]},
        positive=(x_name, loss_name),
        n_params=3 - len(fixed or {}),
        model=model,
    )
    w = check_weights(weights, data, columns[x_name].size, "fit_power_law")
    notes = check_design(
        {x_name: columns[x_name]},
        (loss_name, columns[loss_name]),
        n_params=3 - len(fixed or {}),
        model=model,
        decreasing=True,
    )
    logx = np.log(columns[x_name])[:, None]
    logy = np.log(columns[loss_name])
    outcome, free, params = fit_law(
        logx,
        logy,
        coordinates=COORDINATES,
        grid=start_grid(),
        starts=starts,
        engine=engine,
        delta=delta,
        reduction=reduction,
        options=options,
        fixed=fixed,
        weights=w,
        where="fit_power_law",
    )
    return huber_log_result(
        outcome,
        model="L = E + A * x^(-alpha)",
        params=params,
        law=PowerLaw.from_fit(params),
        delta=delta,
        reduction=reduction,
        data=pd.DataFrame(columns),
        inputs=(x_name,),
        observed=loss_name,
        x=free,
        cautions=notes,
        fixed=dict(fixed or {}),
        weights=w,
        exponents=("alpha",),
    )


def fit_loglog_line(x: Column, y, *, data: pd.DataFrame | None = None) -> FitResult:
    """Fit ``y = A * x**(-alpha)`` by ordinary least squares on ``log y`` against ``log x``.

    The closed-form fit of a straight line in log-log space, with no
    irreducible term. ``derived["slope"]`` is ``-alpha``.

    Parameters
    ----------
    x, y : array_like, shape (n,), or str
        Positive values; with `data`, the names of its columns.
    data : DataFrame, optional

    Returns
    -------
    FitResult
        With ``law`` a :class:`PowerLaw` whose ``E`` is 0.

    References
    ----------
    J. Kaplan et al. (2020) and J. Hoffmann et al. (2022, Approaches 1 and 2)
    fit their power laws this way.

    Examples
    --------
    >>> fit = fit_loglog_line([1e18, 1e20, 1e22], [1e8, 1e9, 1e10])
    >>> round(float(fit.derived["slope"]), 6)
    0.5
    """
    given, names = take_columns(data, {"x": x, "y": y})
    x_name, y_name = names["x"], names["y"]
    model = "a straight line in log-log space"
    columns = check_columns(
        {x_name: given["x"], y_name: given["y"]}, positive=(x_name, y_name), n_params=2, model=model
    )
    notes = check_design({x_name: columns[x_name]}, n_params=1, model=model)
    logx, logy = np.log(columns[x_name]), np.log(columns[y_name])
    slope, intercept = np.polyfit(logx, logy, 1)
    law = PowerLaw(E=0.0, A=float(np.exp(intercept)), alpha=float(-slope))
    residual = intercept + slope * logx - logy
    return FitResult.build(
        model="y = A * x^(-alpha)",
        params={"A": law.A, "alpha": law.alpha},
        law=law,
        objective=float(huber(residual, np.inf).sum()),
        definition=objective_definition(np.inf, "sum", logy.size),
        engine="closed form: ordinary least squares on log y",
        message="closed form: ordinary least squares in log-log space",
        derived=pd.Series({"slope": float(slope)}),
        cautions=notes,
        data=pd.DataFrame(columns),
        inputs=(x_name,),
        observed=y_name,
    )
