"""A power law with an irreducible term, and two ways to fit one.

``L(x) = E + A * x**(-alpha)``: the one-variable form behind every law in the
book. Derived and demonstrated in the chapter *Fitting power laws*.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass

import numpy as np
import pandas as pd

from . import varpro
from .law import Law
from .objectives import huber, huber_log_result, minimise_huber_log, objective_definition
from .result import FitResult
from .validation import check_columns, check_design, positive_argument, take_columns

#: Starting values per parameter, after Hoffmann et al. (2022, App. D.2):
#: e = log E, a = log A, and the exponent alpha.
DEFAULT_GRID = {
    "e": (-1.0, -0.5, 0.0, 0.5, 1.0),
    "a": (0.0, 5.0, 10.0, 15.0, 20.0, 25.0),
    "alpha": (0.0, 0.5, 1.0, 1.5, 2.0),
}


@dataclass(frozen=True)
class PowerLaw(Law):
    """``L(x) = E + A * x**(-alpha)``.

    Parameters
    ----------
    E : float
        Irreducible loss, the limit as x grows [loss units].
    A : float
        Scale of the reducible term [loss units * x**alpha].
    alpha : float
        Exponent of the reducible term (dimensionless).

    Examples
    --------
    >>> law = PowerLaw(E=1.5, A=10.0, alpha=0.5)
    >>> float(law(100.0))
    2.5
    """

    E: float
    A: float
    alpha: float

    def loss(self, x):
        """Predicted loss at `x` (array_like, any shape, positive)."""
        return self.E + self.reducible(x)

    def reducible(self, x):
        """The reducible part ``A * x**(-alpha)``."""
        return self.A * positive_argument("x", x, infinite=True) ** (-self.alpha)

    def local_exponent(self, x):
        """Slope of a straight line fitted at `x` in log-log space, sign flipped.

        ``-d log L / d log x = alpha * A x**(-alpha) / L(x)``: it equals
        `alpha` only when ``E = 0`` and falls towards 0 as L approaches E.
        """
        return self.alpha * self.reducible(x) / self(x)


def start_grid(grid: dict[str, tuple[float, ...]] | None = None) -> np.ndarray:
    """Cartesian product of starting values, shape (S, 3), columns (e, a, alpha)."""
    grid = DEFAULT_GRID if grid is None else grid
    return np.array(list(itertools.product(grid["e"], grid["a"], grid["alpha"])), dtype=float)


def fit_power_law(
    x,
    loss,
    *,
    delta: float = 1e-3,
    reduction: str = "sum",
    starts=None,
    engine: str = "batched",
    options=None,
    x_name: str = "x",
    loss_name: str = "loss",
    data: pd.DataFrame | None = None,
) -> FitResult:
    """Fit ``L = E + A * x**(-alpha)`` by Huber regression on log loss, from many starts.

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
        Starting points as (log E, log A, alpha); defaults to :func:`start_grid`.
    engine : {"batched", "scipy", "varpro"}
        All starts at once, or one scipy L-BFGS-B per start
        (see :mod:`lawlib.optimize`); or variable projection (:mod:`lawlib.varpro`):
        alpha on a grid with ``(E, A)`` solved by non-negative least squares,
        then the best grid points polished (its own starts).
    options : dict, optional
        L-BFGS-B options (default :data:`lawlib.optimize.TOLERANCES`).
    x_name, loss_name : str
        Column names used in error messages.
    data : DataFrame, optional
        Runs to take `x` and `loss` from by name.

    Returns
    -------
    FitResult
        With ``law`` a :class:`PowerLaw`.

    Raises
    ------
    ValidationError
        For bad values, or fewer than four distinct x (the law has three parameters).

    Examples
    --------
    >>> x = np.logspace(6, 10, 20)
    >>> fit = fit_power_law(x, PowerLaw(1.7, 400.0, 0.34)(x))
    >>> [round(v, 4) for v in fit.params]
    [1.7, 400.0, 0.34]
    """
    given, names = take_columns(data, {"x": x, "loss": loss}, {"x": x_name, "loss": loss_name})
    x_name, loss_name = names["x"], names["loss"]
    columns = check_columns(
        {x_name: given["x"], loss_name: given["loss"]},
        positive=(x_name, loss_name),
        n_params=3,
        model="a power law with an irreducible term",
    )
    notes = check_design(
        {x_name: columns[x_name]}, n_params=3, model="a power law with an irreducible term"
    )
    logx = np.log(columns[x_name])[:, None]
    logy = np.log(columns[loss_name])
    if engine == "varpro":
        starts = varpro.starts(logx, logy, starts)
    elif starts is None:
        starts = start_grid()
    starts = np.atleast_2d(np.asarray(starts, dtype=float))
    outcome = minimise_huber_log(
        logx,
        logy,
        starts,
        delta=delta,
        reduction=reduction,
        engine=engine,
        options=options,
        names=("e", "a", "alpha"),
    )
    e, a, alpha = outcome.x
    law = PowerLaw(E=float(np.exp(e)), A=float(np.exp(a)), alpha=float(alpha))
    return huber_log_result(
        outcome,
        model="L = E + A * x^(-alpha)",
        params={"E": law.E, "A": law.A, "alpha": law.alpha},
        law=law,
        delta=delta,
        reduction=reduction,
        data=pd.DataFrame(columns),
        inputs=(x_name,),
        observed=loss_name,
        cautions=notes,
    )


def fit_loglog_line(
    x, y, *, x_name: str = "x", y_name: str = "y", data: pd.DataFrame | None = None
) -> FitResult:
    """Fit ``y = A * x**(-alpha)`` by ordinary least squares on ``log y`` against ``log x``.

    The closed-form fit of a straight line in log-log space, with no
    irreducible term. ``derived["slope"]`` is ``-alpha``.

    Parameters
    ----------
    x, y : array_like, shape (n,)
        Positive values.
    x_name, y_name : str
        Column names used in error messages.

    Returns
    -------
    FitResult
        With ``law`` a :class:`PowerLaw` whose ``E`` is 0.

    Examples
    --------
    >>> fit = fit_loglog_line([1e18, 1e20, 1e22], [1e8, 1e9, 1e10])
    >>> round(float(fit.derived["slope"]), 6)
    0.5
    """
    given, names = take_columns(data, {"x": x, "y": y}, {"x": x_name, "y": y_name})
    x_name, y_name = names["x"], names["y"]
    columns = check_columns(
        {x_name: given["x"], y_name: given["y"]},
        positive=(x_name, y_name),
        n_params=2,
        model="a straight line in log-log space",
    )
    notes = check_design(
        {x_name: columns[x_name]}, n_params=1, model="a straight line in log-log space"
    )
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
